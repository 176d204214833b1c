import { randomUUID } from "node:crypto";
import { contentKindLabel, evaluateModel, fractionPercent, processingRate, statusLabel, type Status } from "@minsheng/domain";
import { appendAudit, type Database, type Queryable } from "@minsheng/db";
import { Either } from "@minsheng/domain";
import type { Context } from "hono";
import { assertProjectScope, assertRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import type { AppEnv, Deps } from "../lib/context.js";
import { CodedError, fail } from "../lib/errors.js";
import { acceptedWithoutMetadata } from "../lib/image-metadata.js";
import { preparedPlans } from "../lib/plan-cache.js";
import { publicBaseOf } from "../lib/public-url.js";
import { DatabaseRateLimiter, type RateLimiter } from "../lib/rate-limit.js";
import type { RegionDirectory } from "../lib/regions.js";
import { ephemeralSecrets, type SiteSecrets } from "../lib/secrets.js";
import { acceptedTypesLabel, sanitiseFilename, sniff } from "../lib/sniff.js";
import { parseOr400 } from "../lib/validate.js";
import {
  attachedFiles,
  type ContentFields,
  type ContentRow,
  contentOfSites,
  disclosureCounts,
  type FileRow,
  filesOfContent,
  findProjectSite,
  findSite,
  insertContent,
  insertContentFile,
  iso,
  loadContent,
  lockSiteSign,
  projectExists,
  type SiteRow,
  syncSites as syncSiteRows,
  updateContent,
  updateSiteSign,
} from "./data.js";
import { type ContentPatch, NewContent } from "./content-schemas.js";

/**
 * Project sites (项目点位) of 码上通: one project in one region where the project has a target,
 * its own or one below. Each has a stable short code (8 characters of Crockford base32 from a keyed
 * hash of project and region, stored once), printed as a QR code on the site sign. What a site
 * publishes is edited by staff of the region and the project's unit; every write is audited.
 */

export type { ContentRow, FileRow, SiteRow };

export const secretsOf = (deps: Deps): SiteSecrets => (deps.secrets ??= ephemeralSecrets());
export const limiterOf = (deps: Deps): RateLimiter => (deps.rateLimiter ??= new DatabaseRateLimiter(deps.db, () => deps.now().getTime()));

/** Creates the sites that do not exist yet (data.ts syncSites), audited; how many were created. */
export const syncSites = (db: Database, secrets: SiteSecrets): Promise<number> =>
  syncSiteRows(
    db,
    (project, region, attempt) => secrets.siteCode(project, region, attempt),
    (tx, created) => appendAudit(tx, { actor: "system", action: "sites.create", entity: "site", entityId: "*", after: { created } }),
  );

export async function loadSite(db: Queryable, code: string): Promise<SiteRow> {
  const site = await findSite(db, code);
  if (!site) throw fail("SITE_NOT_FOUND", { code });
  return site;
}

/** The site of a project in a region (created on first use); 404 when the project has no target there or below. */
export async function siteOf(deps: Deps, project: string, region: string): Promise<SiteRow> {
  const { db } = deps;
  if (!(await projectExists(db, project))) throw fail("SITE_PROJECT_NOT_FOUND", { project });
  let site = await findProjectSite(db, project, region);
  if (!site) {
    await syncSites(db, secretsOf(deps));
    site = await findProjectSite(db, project, region);
  }
  if (!site) throw fail("SITE_NOT_IN_REGION", { project, region });
  return site;
}

/** Staff of the site's area; a reporter tied to a unit only for the projects that unit leads. */
export const assertSiteScope = (p: Principal, site: Pick<SiteRow, "region" | "lead_unit">, regions: RegionDirectory): void =>
  assertProjectScope(p, { region: site.region, leadUnit: site.lead_unit }, regions);

/** The area a list covers: `region` (checked) or the caller's own (null: everywhere, admins). */
export function areaOf(p: Principal, region: string | undefined, deps: Deps): string[] | null {
  if (region !== undefined) {
    if (!deps.regions.get(region)) throw fail("SITE_REGION_NOT_FOUND", { region }).at("$.query.region");
    assertRegion(p, region, deps.regions);
    return deps.regions.subtree(region);
  }
  return p.region === null ? null : deps.regions.subtree(p.region);
}

/** The site of a project in a region, for a caller who may read sites: scope before existence. */
export async function projectSiteFor(p: Principal, deps: Deps, id: string, region: string): Promise<SiteRow> {
  await deps.regions.ready();
  if (!deps.regions.get(region)) throw fail("SITE_REGION_NOT_FOUND", { region }).at("$.query.region");
  // Scope before existence: nobody learns about projects outside their area.
  assertRegion(p, region, deps.regions);
  const site = await siteOf(deps, id, region);
  assertSiteScope(p, site, deps.regions);
  return site;
}

/** A site by code for a caller (the permission checked by the route), within the caller's scope. */
export async function siteFor(p: Principal, deps: Deps, code: string): Promise<SiteRow> {
  await deps.regions.ready();
  const site = await loadSite(deps.db, code);
  assertSiteScope(p, site, deps.regions);
  return site;
}

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

export const siteSummary = (c: Context<AppEnv>, s: SiteRow) => {
  const { regions } = c.get("deps");
  return {
    code: s.code,
    url: publicUrlOf(c, s.code),
    project: { id: s.project, no: s.project_no, title: s.project_title },
    item: { id: s.item_id, no: s.item_no, title: s.item_title },
    plan: { id: s.plan_id, title: s.plan_title, year: s.plan_year, level: s.plan_level },
    region: { code: s.region, name: s.region_name, path: regionPath(regions, s.region) },
    unit: { id: s.lead_unit, name: s.unit_name },
    contact: s.contact,
    location: s.location,
    version: s.version,
  };
};

/**
 * 码上通 figures as seed 003 reports them: policy documents published, localised updates, work
 * updates, suggestions received (all but those rejected as spam) and answered, 处理率.
 */
export async function disclosureStats(db: Queryable, area: string[] | null, unit: string | null) {
  const r = await disclosureCounts(db, area, unit);
  const rate = processingRate(r.suggestionsReceived, r.suggestionsAnswered);
  return { ...r, processingRate: rate, processingRatePercent: fractionPercent(rate) };
}

const snapshotSite = (s: { contact: string; location: string; version: number }) => ({ contact: s.contact, location: s.location, version: s.version });

/** Contact and location printed on the sign; `version`, when sent, guards against lost updates. */
export async function updateSite(deps: Deps, actor: string, code: string, patch: { version?: number; contact?: string; location?: string }): Promise<void> {
  const { db, now } = deps;
  await db.transaction(async (tx) => {
    const before = await lockSiteSign(tx, code);
    if (patch.version !== undefined && patch.version !== before.version)
      throw new CodedError("SITE_VERSION_STALE", { current: before.version, version: patch.version }, undefined, [], { currentVersion: before.version });
    const after = { contact: patch.contact ?? before.contact, location: patch.location ?? before.location, version: before.version + 1 };
    const at = now();
    await updateSiteSign(tx, code, after, at);
    await appendAudit(tx, { actor, action: "site.update", entity: "site", entityId: code, before: snapshotSite(before), after: snapshotSite(after), at });
  });
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

// ---------------------------------------------------------------------------------------------
// Content: policy documents, localised content, work updates, with their files.

export const publicFileUrl = (id: string) => `/api/v1/public/files/${id}`;

/** The fields of a row as the kind's schema reads them (for re-validation after a patch). */
export const fieldsOf = (r: ContentRow): NewContent =>
  r.kind === "policy"
    ? { kind: "policy", title: r.title, issuer: r.issuer, date: r.doc_date ?? "", ...(r.url ? { url: r.url } : {}), ...(r.body ? { text: r.body } : {}) }
    : r.kind === "localised"
      ? { kind: "localised", ...(r.title ? { title: r.title } : {}), text: r.body }
      : { kind: "update", text: r.body, date: r.doc_date ?? "" };

/** What is stored of content of a kind: the kind's own fields, the others empty. */
const storedFields = (c: NewContent): ContentFields => ({
  title: c.kind === "update" ? "" : (c.title ?? ""),
  issuer: c.kind === "policy" ? c.issuer : "",
  date: c.kind === "localised" ? null : c.date,
  url: c.kind === "policy" ? (c.url ?? null) : null,
  text: c.text ?? "",
});

const fileView = (f: FileRow) => ({ id: f.id, filename: f.filename, mediaType: f.media_type, size: Number(f.size), url: publicFileUrl(f.id) });

/** The console's view: everything, unpublished content and who wrote it included. */
export const consoleContentView = (r: ContentRow, files: FileRow[]) => ({
  id: Number(r.id),
  site: r.site,
  kind: r.kind,
  kindLabel: contentKindLabel[r.kind],
  title: r.title,
  issuer: r.issuer,
  date: r.doc_date,
  url: r.url,
  text: r.body,
  published: r.published,
  publishedAt: iso(r.published_at),
  version: Number(r.version),
  createdBy: r.created_by,
  updatedBy: r.updated_by,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
  files: files.map(fileView),
});
export type ConsoleContentView = ReturnType<typeof consoleContentView>;

/** The public view: no author, no internal state. */
export const publicContentView = (r: ContentRow, files: FileRow[]) => ({
  id: Number(r.id),
  kind: r.kind,
  title: r.title,
  issuer: r.issuer,
  date: r.doc_date,
  url: r.url,
  text: r.body,
  publishedAt: iso(r.published_at),
  files: files.map(fileView),
});

/** Everything a site has (unpublished content included) in the console's view, newest first. */
export async function siteContent(db: Queryable, code: string) {
  return (await contentOfSites(db, [code], false)).map((x) => consoleContentView(x.row, x.files));
}

export async function contentView(db: Queryable, id: number) {
  const row = await loadContent(db, id);
  if (!row) throw fail("CONTENT_NOT_FOUND", { id });
  return consoleContentView(row, await filesOfContent(db, id));
}

/** A piece of content for a caller in its site's scope. */
export async function contentFor(p: Principal, deps: Deps, id: number): Promise<ContentRow> {
  await deps.regions.ready();
  const content = await loadContent(deps.db, id);
  if (!content) throw fail("CONTENT_NOT_FOUND", { id });
  assertSiteScope(p, await loadSite(deps.db, content.site), deps.regions);
  return content;
}

const snapshotContent = (r: ContentRow) => ({
  kind: r.kind,
  title: r.title,
  issuer: r.issuer,
  date: r.doc_date,
  url: r.url,
  text: r.body,
  published: r.published,
  version: Number(r.version),
});

/** Publishes content at once (audited); its id. */
export async function publishContent(deps: Deps, actor: string, site: string, body: NewContent): Promise<number> {
  const { db, now } = deps;
  const at = now();
  return db.transaction(async (tx) => {
    const id = await insertContent(tx, { ...storedFields(body), site, kind: body.kind, actor, at });
    await appendAudit(tx, { actor, action: "content.create", entity: "content", entityId: String(id), after: { site, ...body, published: true }, at });
    return id;
  });
}

/** Edits, unpublishes or publishes again, in the caller's scope; `version` guards against lost updates. */
export async function editContent(p: Principal, deps: Deps, id: number, patch: ContentPatch): Promise<void> {
  const { db, regions, now } = deps;
  await regions.ready();
  await db.transaction(async (tx) => {
    const before = await loadContent(tx, id, true);
    if (!before) throw fail("CONTENT_NOT_FOUND", { id });
    assertSiteScope(p, await loadSite(tx, before.site), regions);
    if (patch.version !== Number(before.version))
      throw new CodedError("CONTENT_VERSION_STALE", { current: Number(before.version), version: patch.version }, undefined, [], { currentVersion: Number(before.version) });
    // Fields the kind does not have are refused; the kind's own rules apply to the result.
    const foreign = { policy: [], localised: ["issuer", "url", "date"], update: ["title", "issuer", "url"] }[before.kind] as (keyof ContentPatch)[];
    const wrong = foreign.filter((k) => patch[k] !== undefined);
    if (wrong.length > 0) {
      const kind = contentKindLabel[before.kind];
      const error = fail("CONTENT_FIELD_NOT_OF_KIND", { kind, field: wrong.join(", ") });
      error.problems = wrong.map((k) => ({ path: `$.${k}`, message: `${kind} has no such field`, code: error.code, params: { kind, field: k } }));
      throw error;
    }
    const merged: Record<string, unknown> = { ...fieldsOf(before) };
    for (const k of ["title", "issuer", "date", "text"] as const) if (patch[k] !== undefined) merged[k] = patch[k];
    if (patch.url === null) delete merged.url;
    else if (patch.url !== undefined) merged.url = patch.url;
    const checked = parseOr400(NewContent, merged);
    const at = now();
    const published = patch.published ?? before.published;
    const publishedAt = published && !before.published ? at.toISOString() : before.published_at === null ? null : new Date(before.published_at).toISOString();
    await updateContent(tx, id, { ...storedFields(checked), published, publishedAt, actor: p.actor, at });
    const after = await loadContent(tx, id);
    const onlyPublication = Object.keys(patch).every((k) => k === "version" || k === "published");
    const action = published !== before.published && onlyPublication ? (published ? "content.publish" : "content.unpublish") : "content.update";
    await appendAudit(tx, { actor: p.actor, action, entity: "content", entityId: String(id), before: snapshotContent(before), after: snapshotContent(after!), at });
  });
}

/** At most this many files per piece of content. */
export const MAX_CONTENT_FILES = 9;

/**
 * Attaches a file: photos (JPEG, PNG, GIF, WebP) to any content; a policy document may also be
 * PDF, Word or Excel. The type comes from the bytes, never from the name. Returns the file's id.
 */
export async function attachFile(deps: Deps, actor: string, content: ContentRow, file: { bytes: Uint8Array; name: string }): Promise<string> {
  const { db, storage, now } = deps;
  const id = Number(content.id);
  const type = sniff(file.bytes);
  const imagesOnly = content.kind !== "policy";
  if (!type || (imagesOnly && !type.mediaType.startsWith("image/")))
    throw imagesOnly ? fail("CONTENT_PHOTOS_ONLY") : fail("CONTENT_FILE_TYPE_REFUSED", { accepted: acceptedTypesLabel });
  const filename = sanitiseFilename(file.name, type).replace(/^evidence\./, "file.");
  // Photos lose their EXIF (GPS) before they are stored.
  const stored = await storage.put(acceptedWithoutMetadata(file.bytes, type, "file"));
  try {
    return await db.transaction(async (tx) => {
      const locked = await loadContent(tx, id, true);
      if (!locked) throw fail("CONTENT_NOT_FOUND", { id });
      const existing = await attachedFiles(tx, id);
      const dup = existing.find((f) => f.sha256 === stored.sha256);
      if (dup) throw new CodedError("CONTENT_FILE_DUPLICATE", {}, undefined, [], { fileId: dup.id });
      if (existing.length >= MAX_CONTENT_FILES) throw fail("CONTENT_FILES_FULL", { max: MAX_CONTENT_FILES });
      const fileId = randomUUID();
      const at = now();
      await insertContentFile(tx, { id: fileId, contentId: id, filename, mediaType: type.mediaType, size: stored.size, sha256: stored.sha256, key: stored.key, actor, at });
      await appendAudit(tx, { actor, action: "content.file.add", entity: "content", entityId: String(id), after: { file: fileId, filename, mediaType: type.mediaType, size: stored.size, sha256: stored.sha256 }, at });
      return fileId;
    });
  } catch (e) {
    await storage.delete(stored.key).catch(() => {});
    throw e;
  }
}
