import { evaluateModel, statusLabel, type Status } from "@minsheng/domain";
import { appendAudit, type Database, type Queryable } from "@minsheng/db";
import { Either } from "@minsheng/domain";
import type { Context } from "hono";
import { assertProjectScope } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import { notFound } from "./errors.js";
import type { AppEnv, Deps } from "./context.js";
import { preparedPlans } from "./plan-cache.js";
import { publicBaseOf } from "./public-url.js";
import { DatabaseRateLimiter, type RateLimiter } from "./rate-limit.js";
import type { RegionDirectory } from "./regions.js";
import { ephemeralSecrets, type SiteSecrets } from "./secrets.js";

/**
 * Project sites (项目点位) of 码上通: one project in one region where the project has a target,
 * its own or one below. Each has a stable short code (8 characters of Crockford base32 from a keyed
 * hash of project and region, stored once), printed as a QR code on the site sign.
 */

/** A site's short code (点位码): 8 characters of 0-9 and A-Z without I, L, O, U; a regular-expression fragment. */
export const SITE_CODE = "[0-9A-HJKMNP-TV-Z]{8}";

export const secretsOf = (deps: Deps): SiteSecrets => (deps.secrets ??= ephemeralSecrets());
export const limiterOf = (deps: Deps): RateLimiter => (deps.rateLimiter ??= new DatabaseRateLimiter(deps.db, () => deps.now().getTime()));

export interface SiteRow {
  code: string;
  project: string;
  region: string;
  contact: string;
  location: string;
  version: number;
  project_title: string;
  project_no: number;
  lead_unit: string;
  unit_name: string;
  item_id: string;
  item_no: number;
  item_title: string;
  plan_id: string;
  plan_title: string;
  plan_year: number;
  plan_level: string;
  region_name: string;
}

export const SITE_SELECT = `
  SELECT s.code, s.project, s.region, s.contact, s.location, s.version,
         p.title AS project_title, p.no AS project_no, p.lead_unit, u.name AS unit_name,
         i.id AS item_id, i.no AS item_no, i.title AS item_title,
         pl.id AS plan_id, pl.title AS plan_title, pl.year AS plan_year, pl.level AS plan_level,
         r.name AS region_name
    FROM project_sites s
    JOIN projects p ON p.id = s.project
    JOIN items i ON i.id = p.item
    JOIN plans pl ON pl.id = i.plan
    JOIN units u ON u.id = p.lead_unit
    JOIN regions r ON r.code = s.region`;

const normalise = (r: SiteRow): SiteRow => ({ ...r, version: Number(r.version), project_no: Number(r.project_no), item_no: Number(r.item_no), plan_year: Number(r.plan_year) });

/** Fingerprint of what decides the set of sites; the sync is skipped while it is unchanged. */
const synced = new WeakMap<Queryable, string>();

/**
 * Creates the sites that do not exist yet (lazily, on first use after an import): every project ×
 * region holding one of its targets, and every region above such a one. A code is the keyed hash of
 * project and region, so a site deleted and made again gets its old code back; a collision (two
 * pairs, one code) moves the later pair to the next attempt. Returns how many were created.
 */
export async function syncSites(db: Database, secrets: SiteSecrets): Promise<number> {
  const { rows: fp } = await db.query<{ f: string }>(
    "SELECT (SELECT count(*) FROM targets)::text || ':' || (SELECT count(*) FROM regions)::text || ':' || (SELECT count(*) FROM project_sites)::text AS f",
  );
  const fingerprint = fp[0]!.f;
  if (synced.get(db) === fingerprint) return 0;
  const created = await db.transaction(async (tx) => {
    let total = 0;
    for (let attempt = 0; attempt < 8; attempt++) {
      const { rows: missing } = await tx.query<{ project: string; region: string }>(
        `WITH RECURSIVE up(project, region) AS (
           SELECT DISTINCT i.project, t.region FROM targets t JOIN indicators i ON i.id = t.indicator
           UNION
           SELECT up.project, r.parent FROM up JOIN regions r ON r.code = up.region WHERE r.parent IS NOT NULL
         )
         SELECT project, region FROM up
          WHERE NOT EXISTS (SELECT 1 FROM project_sites s WHERE s.project = up.project AND s.region = up.region)
          ORDER BY project, region`,
      );
      if (missing.length === 0) break;
      const codes = missing.map((m) => secrets.siteCode(m.project, m.region, attempt));
      const { rowCount } = await tx.query(
        `INSERT INTO project_sites (code, project, region)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [codes, missing.map((m) => m.project), missing.map((m) => m.region)],
      );
      total += rowCount;
    }
    if (total > 0) await appendAudit(tx, { actor: "system", action: "sites.create", entity: "site", entityId: "*", after: { created: total } });
    return total;
  });
  const { rows: after } = await db.query<{ f: string }>(
    "SELECT (SELECT count(*) FROM targets)::text || ':' || (SELECT count(*) FROM regions)::text || ':' || (SELECT count(*) FROM project_sites)::text AS f",
  );
  synced.set(db, after[0]!.f);
  return created;
}

export async function loadSite(db: Queryable, code: string): Promise<SiteRow> {
  const { rows } = await db.query<SiteRow>(`${SITE_SELECT} WHERE s.code = $1`, [code]);
  if (!rows[0]) throw notFound(`site ${code}`);
  return normalise(rows[0]);
}

/** The site of a project in a region (created on first use); 404 when the project has no target there or below. */
export async function siteOf(deps: Deps, project: string, region: string): Promise<SiteRow> {
  const { db } = deps;
  const exists = await db.query("SELECT 1 FROM projects WHERE id = $1", [project]);
  if (exists.rows.length === 0) throw notFound(`project ${project}`);
  const find = () => db.query<SiteRow>(`${SITE_SELECT} WHERE s.project = $1 AND s.region = $2`, [project, region]);
  let { rows } = await find();
  if (!rows[0]) {
    await syncSites(db, secretsOf(deps));
    ({ rows } = await find());
  }
  if (!rows[0]) throw notFound(`a site of project ${project} in region ${region} (the project has no target there or below)`);
  return normalise(rows[0]);
}

/** Staff of the site's area; a reporter tied to a unit only for the projects that unit leads. */
export const assertSiteScope = (p: Principal, site: Pick<SiteRow, "region" | "lead_unit">, regions: RegionDirectory): void =>
  assertProjectScope(p, { region: site.region, leadUnit: site.lead_unit }, regions);

/** Where the 码上通 pages live: PUBLIC_BASE_URL (lib/public-url.ts), whatever host the request named. */
export const publicBase = (c: Context<AppEnv>): string => publicBaseOf(c.get("deps").config);

export const publicUrlOf = (c: Context<AppEnv>, code: string) => `${publicBase(c)}/p/${code}`;

/** Region names from the top down to `code`: ["湖南省", "邵阳市", "邵阳县"]. */
export function regionPath(regions: RegionDirectory, code: string): string[] {
  const names: string[] = [];
  let c: string | null | undefined = code;
  for (let guard = 0; c && guard < 64; guard++) {
    const r = regions.get(c);
    if (!r) break;
    names.unshift(r.name);
    c = r.parent;
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Verified progress of a site: the domain's evaluation at the latest month with verified figures.

export interface SiteIndicator {
  id: string;
  name: string;
  unit: string;
  kind: string;
  target: number;
  /** null until the site has verified figures */
  actual: number | null;
  rate: number | null;
  due: number | null;
  status: Status | null;
  statusLabel: string | null;
}

export interface SiteProgress {
  /** the month evaluated: the latest with verified figures for the site (null: none yet) */
  period: string | null;
  progress: number | null;
  due: number | null;
  status: Status | null;
  statusLabel: string | null;
  indicators: SiteIndicator[];
}

/**
 * Only verified (or reduced) figures: exportBundle exports nothing else. The period is the latest
 * month of the plan's year holding a verified figure of the project's indicators (or of the
 * province indicators they are linked to) in the site's region or below.
 */
export async function siteProgress(deps: Deps, site: SiteRow): Promise<SiteProgress> {
  await deps.regions.ready();
  // The plan as exported (verified figures only), shared with the progress figures and bulletins
  // and kept until the data version moves: a figure verified shows at once.
  const { model } = await preparedPlans(deps.db, [site.plan_id]);
  const bundle = model.bundle;
  const indicators = bundle.indicators.filter((i) => i.project === site.project);
  const sources = new Set(indicators.map((i) => i.linkedTo ?? i.id));
  const below = new Set(deps.regions.subtree(site.region));
  const year = `${site.plan_year}-`;
  let latest: string | null = null;
  for (const f of bundle.progress)
    if (sources.has(f.indicator) && below.has(f.region) && f.period.startsWith(year) && (latest === null || f.period > latest)) latest = f.period;
  const period = latest ?? `${site.plan_year}-01`;
  const evaluation = Either.getOrUndefined(evaluateModel(model, { period, region: site.region, plan: site.plan_id }));
  const project = evaluation?.projects.find((p) => p.project === site.project);
  const byId = new Map(indicators.map((i) => [i.id, i]));
  const rows: SiteIndicator[] = (evaluation?.indicators ?? [])
    .filter((r) => r.project === site.project)
    .map((r) => {
      const ind = byId.get(r.indicator)!;
      const counted = latest !== null;
      return {
        id: r.indicator,
        name: ind.name,
        unit: ind.unit,
        kind: ind.kind,
        target: r.target,
        actual: counted ? r.actual : null,
        rate: counted ? r.rate : null,
        due: counted ? r.due : null,
        status: counted ? r.status : null,
        statusLabel: counted ? statusLabel[r.status] : null,
      };
    });
  if (latest === null || !project) return { period: null, progress: null, due: null, status: null, statusLabel: null, indicators: rows };
  return { period: latest, progress: project.progress, due: project.due, status: project.status, statusLabel: statusLabel[project.status], indicators: rows };
}

/** "3900 个" / "100 %" */
export const formatTarget = (i: Pick<SiteIndicator, "target" | "unit">) => `${Number(i.target.toFixed(6))} ${i.unit}`;
