import type { Database, Queryable } from "@minsheng/db";
import { conditions } from "../lib/sql.js";
import type { PlanLevel } from "@minsheng/domain";
import type { ContentKind } from "./content-schemas.js";

/**
 * Data access of project sites and their content: every SQL statement of the feature, rows typed
 * where they are read (numbers from PostgreSQL's bigint and numeric columns made numbers).
 */

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
  /** plans are written through the domain's Plan schema: one of its levels */
  plan_level: PlanLevel;
  region_name: string;
}

const SITE_SELECT = `
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

const siteRow = (r: SiteRow): SiteRow => ({ ...r, version: Number(r.version), project_no: Number(r.project_no), item_no: Number(r.item_no), plan_year: Number(r.plan_year) });

export const iso = (v: string | Date | null): string | null => (v === null ? null : new Date(v).toISOString());

// ---------------------------------------------------------------------------------------------
// Sites.

const fingerprintOf = async (db: Queryable): Promise<string> =>
  (
    await db.query<{ f: string }>(
      "SELECT (SELECT count(*) FROM targets)::text || ':' || (SELECT count(*) FROM regions)::text || ':' || (SELECT count(*) FROM project_sites)::text AS f",
    )
  ).rows[0]!.f;

/** Fingerprint of what decides the set of sites; the sync is skipped while it is unchanged. */
const synced = new WeakMap<Queryable, string>();

/**
 * Creates the sites that do not exist yet (lazily, on first use after an import): every project ×
 * region holding one of its targets, and every region above such a one. A code is the keyed hash of
 * project and region (`codeOf`), so a site deleted and made again gets its old code back; a collision
 * (two pairs, one code) moves the later pair to the next attempt. `audit` records the creation in the
 * same transaction. Returns how many were created.
 */
export async function syncSites(
  db: Database,
  codeOf: (project: string, region: string, attempt: number) => string,
  audit: (tx: Queryable, created: number) => Promise<unknown>,
): Promise<number> {
  if (synced.get(db) === (await fingerprintOf(db))) return 0;
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
      const codes = missing.map((m) => codeOf(m.project, m.region, attempt));
      const { rowCount } = await tx.query(
        `INSERT INTO project_sites (code, project, region)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [codes, missing.map((m) => m.project), missing.map((m) => m.region)],
      );
      total += rowCount;
    }
    if (total > 0) await audit(tx, total);
    return total;
  });
  synced.set(db, await fingerprintOf(db));
  return created;
}

export async function findSite(db: Queryable, code: string): Promise<SiteRow | null> {
  const { rows } = await db.query<SiteRow>(`${SITE_SELECT} WHERE s.code = $1`, [code]);
  return rows[0] ? siteRow(rows[0]) : null;
}

export async function findProjectSite(db: Queryable, project: string, region: string): Promise<SiteRow | null> {
  const { rows } = await db.query<SiteRow>(`${SITE_SELECT} WHERE s.project = $1 AND s.region = $2`, [project, region]);
  return rows[0] ? siteRow(rows[0]) : null;
}

export async function projectExists(db: Queryable, project: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM projects WHERE id = $1", [project])).rows.length > 0;
}

const escapeLike = (q: string) => q.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** Sites filtered by area, unit, project, plan, text; with the total before paging. */
export async function findSites(
  db: Queryable,
  f: { area: string[] | null; unit?: string | null; project?: string; plan?: string; item?: string; q?: string; limit: number; offset: number },
): Promise<{ total: number; rows: SiteRow[] }> {
  const { add, params, clause } = conditions();
  if (f.area) add((n) => `s.region = ANY(${n}::text[])`, f.area);
  if (f.unit) add((n) => `p.lead_unit = ${n}`, f.unit);
  if (f.project) add((n) => `s.project = ${n}`, f.project);
  if (f.plan) add((n) => `pl.id = ${n}`, f.plan);
  if (f.item) add((n) => `i.id = ${n}`, f.item);
  if (f.q) add((n) => `(p.title ILIKE ${n} OR i.title ILIKE ${n} OR r.name ILIKE ${n} OR s.code = upper(${n}) OR s.location ILIKE ${n})`, `%${escapeLike(f.q)}%`);
  const filter = clause();
  const { rows: count } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${SITE_SELECT} ${filter}) x`, params);
  const { rows } = await db.query<SiteRow>(`${SITE_SELECT} ${filter} ORDER BY pl.year DESC, pl.level, pl.id, p.no, p.id, s.region LIMIT ${f.limit} OFFSET ${f.offset}`, params);
  return { total: count[0]!.n, rows: rows.map(siteRow) };
}

export interface SiteCounts {
  policies: number;
  localised: number;
  updates: number;
  pending: number;
  open: number;
  answered: number;
}

/** Published content and feedback counts of sites, by code. */
export async function siteCounts(db: Queryable, codes: string[]): Promise<Map<string, SiteCounts>> {
  const { rows } = await db.query<SiteCounts & { site: string }>(
    `SELECT s.code AS site,
            (SELECT count(*) FROM site_content c WHERE c.site = s.code AND c.published AND c.kind = 'policy')::int AS policies,
            (SELECT count(*) FROM site_content c WHERE c.site = s.code AND c.published AND c.kind = 'localised')::int AS localised,
            (SELECT count(*) FROM site_content c WHERE c.site = s.code AND c.published AND c.kind = 'update')::int AS updates,
            (SELECT count(*) FROM feedback f WHERE f.site = s.code AND f.state = 'pending')::int AS pending,
            (SELECT count(*) FROM feedback f WHERE f.site = s.code AND f.state = 'open')::int AS open,
            (SELECT count(*) FROM feedback f WHERE f.site = s.code AND f.state = 'answered')::int AS answered
       FROM project_sites s WHERE s.code = ANY($1::text[])`,
    [codes],
  );
  return new Map(rows.map((r) => [r.site, { policies: r.policies, localised: r.localised, updates: r.updates, pending: r.pending, open: r.open, answered: r.answered }]));
}

export interface DisclosureCounts {
  policyDocuments: number;
  localisedUpdates: number;
  workUpdates: number;
  suggestionsReceived: number;
  suggestionsAnswered: number;
  awaitingModeration: number;
  rejected: number;
}

/** Published content and feedback of the sites of an area (null: everywhere) and unit. */
export async function disclosureCounts(db: Queryable, area: string[] | null, unit: string | null): Promise<DisclosureCounts> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (area) {
    params.push(area);
    where.push(`s.region = ANY($${params.length}::text[])`);
  }
  if (unit) {
    params.push(unit);
    where.push(`p.lead_unit = $${params.length}`);
  }
  const sites = `SELECT s.code FROM project_sites s JOIN projects p ON p.id = s.project ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`;
  const { rows } = await db.query<DisclosureCounts>(
    `SELECT
       (SELECT count(*) FROM site_content c WHERE c.published AND c.kind = 'policy' AND c.site IN (${sites}))::int AS "policyDocuments",
       (SELECT count(*) FROM site_content c WHERE c.published AND c.kind = 'localised' AND c.site IN (${sites}))::int AS "localisedUpdates",
       (SELECT count(*) FROM site_content c WHERE c.published AND c.kind = 'update' AND c.site IN (${sites}))::int AS "workUpdates",
       (SELECT count(*) FROM feedback f WHERE f.state <> 'rejected' AND f.site IN (${sites}))::int AS "suggestionsReceived",
       (SELECT count(*) FROM feedback f WHERE f.state = 'answered' AND f.site IN (${sites}))::int AS "suggestionsAnswered",
       (SELECT count(*) FROM feedback f WHERE f.state = 'pending' AND f.site IN (${sites}))::int AS "awaitingModeration",
       (SELECT count(*) FROM feedback f WHERE f.state = 'rejected' AND f.site IN (${sites}))::int AS "rejected"`,
    params,
  );
  return rows[0]!;
}

export interface SiteSign {
  contact: string;
  location: string;
  version: number;
}

/** What the site sign prints, locked for an update. */
export async function lockSiteSign(db: Queryable, code: string): Promise<SiteSign> {
  const { rows } = await db.query<SiteSign>("SELECT contact, location, version FROM project_sites WHERE code = $1 FOR UPDATE", [code]);
  return { contact: rows[0]!.contact, location: rows[0]!.location, version: Number(rows[0]!.version) };
}

export async function updateSiteSign(db: Queryable, code: string, s: SiteSign, at: Date): Promise<void> {
  await db.query("UPDATE project_sites SET contact = $2, location = $3, version = $4, updated_at = $5 WHERE code = $1", [code, s.contact, s.location, s.version, at.toISOString()]);
}

/** Locks a site against concurrent feedback (the duplicate check). */
export async function lockSite(db: Queryable, code: string): Promise<void> {
  await db.query("SELECT code FROM project_sites WHERE code = $1 FOR UPDATE", [code]);
}

// ---------------------------------------------------------------------------------------------
// Content and its files.

export interface ContentRow {
  id: string;
  site: string;
  kind: ContentKind;
  title: string;
  issuer: string;
  doc_date: string | null;
  url: string | null;
  body: string;
  published: boolean;
  published_at: string | Date | null;
  version: number;
  created_by: string;
  updated_by: string | null;
  created_at: string | Date;
  updated_at: string | Date;
}

export interface FileRow {
  id: string;
  content_id: string | null;
  filename: string;
  media_type: string;
  size: string;
  sha256: string;
}

/** Content of sites (all of it, or only what is published), with its files, newest first. */
export async function contentOfSites(db: Queryable, codes: string[], onlyPublished: boolean): Promise<{ row: ContentRow; files: FileRow[] }[]> {
  const { rows } = await db.query<ContentRow>(
    `SELECT * FROM site_content WHERE site = ANY($1::text[]) ${onlyPublished ? "AND published" : ""}
      ORDER BY COALESCE(doc_date, '') DESC, COALESCE(published_at, created_at) DESC, id DESC`,
    [codes],
  );
  const ids = rows.map((r) => r.id);
  const files = ids.length
    ? (await db.query<FileRow>("SELECT id, content_id, filename, media_type, size, sha256 FROM site_files WHERE content_id = ANY($1::bigint[]) ORDER BY uploaded_at, id", [ids])).rows
    : [];
  const byContent = new Map<string, FileRow[]>();
  for (const f of files) (byContent.get(String(f.content_id)) ?? byContent.set(String(f.content_id), []).get(String(f.content_id))!).push(f);
  return rows.map((r) => ({ row: r, files: byContent.get(String(r.id)) ?? [] }));
}

export async function loadContent(db: Queryable, id: number, lock = false): Promise<ContentRow | null> {
  const { rows } = await db.query<ContentRow>(`SELECT * FROM site_content WHERE id = $1 ${lock ? "FOR UPDATE" : ""}`, [id]);
  return rows[0] ?? null;
}

export async function filesOfContent(db: Queryable, id: number): Promise<FileRow[]> {
  const { rows } = await db.query<FileRow>("SELECT id, content_id, filename, media_type, size, sha256 FROM site_files WHERE content_id = $1 ORDER BY uploaded_at, id", [id]);
  return rows;
}

/** The stored fields of a piece of content (the kind's, the others empty). */
export interface ContentFields {
  title: string;
  issuer: string;
  date: string | null;
  url: string | null;
  text: string;
}

/** Published content, at once; its id. */
export async function insertContent(db: Queryable, c: ContentFields & { site: string; kind: ContentKind; actor: string; at: Date }): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO site_content (site, kind, title, issuer, doc_date, url, body, published, published_at, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, true, $8, $9, $8, $8) RETURNING id`,
    [c.site, c.kind, c.title, c.issuer, c.date, c.url, c.text, c.at.toISOString(), c.actor],
  );
  return Number(rows[0]!.id);
}

export async function updateContent(db: Queryable, id: number, c: ContentFields & { published: boolean; publishedAt: string | null; actor: string; at: Date }): Promise<void> {
  await db.query(
    `UPDATE site_content SET title = $2, issuer = $3, doc_date = $4, url = $5, body = $6, published = $7, published_at = $8,
            version = version + 1, updated_by = $9, updated_at = $10 WHERE id = $1`,
    [id, c.title, c.issuer, c.date, c.url, c.text, c.published, c.publishedAt, c.actor, c.at.toISOString()],
  );
}

/** The files attached to a piece of content: their ids and digests. */
export async function attachedFiles(db: Queryable, id: number): Promise<{ id: string; sha256: string }[]> {
  const { rows } = await db.query<{ id: string; sha256: string }>("SELECT id, sha256 FROM site_files WHERE content_id = $1", [id]);
  return rows;
}

/** Attaches a stored file and moves the content's version on. */
export async function insertContentFile(
  db: Queryable,
  f: { id: string; contentId: number; filename: string; mediaType: string; size: number; sha256: string; key: string; actor: string; at: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO site_files (id, content_id, filename, media_type, size, sha256, storage_key, uploaded_by, uploaded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [f.id, f.contentId, f.filename, f.mediaType, f.size, f.sha256, f.key, f.actor, f.at.toISOString()],
  );
  await db.query("UPDATE site_content SET version = version + 1, updated_by = $2, updated_at = $3 WHERE id = $1", [f.contentId, f.actor, f.at.toISOString()]);
}
