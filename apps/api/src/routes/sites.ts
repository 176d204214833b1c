import { randomUUID } from "node:crypto";
import { fractionPercent, processingRate } from "@minsheng/domain";
import { appendAudit, type Queryable } from "@minsheng/db";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { assertRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import { requirePermission } from "../auth/middleware.js";
import {
  ContentKind,
  ContentPatch,
  consoleContentView,
  contentKindLabel,
  contentOfSites,
  fieldsOf,
  filesOfContent,
  loadContent,
  NewContent,
  type ContentRow,
  type FileRow,
} from "../lib/content.js";
import type { AppEnv, Deps } from "../lib/context.js";
import { ApiError, conflict, invalid, notFound } from "../lib/errors.js";
import { signPdf, qrPng, qrSvg } from "../lib/sign.js";
import { acceptedWithoutMetadata } from "../lib/image-metadata.js";
import { acceptedTypesLabel, contentDisposition, sanitiseFilename, sniff } from "../lib/sniff.js";
import {
  assertSiteScope,
  formatTarget,
  loadSite,
  publicUrlOf,
  regionPath,
  SITE_SELECT,
  type SiteRow,
  secretsOf,
  SITE_CODE,
  siteOf,
  siteProgress,
  syncSites,
} from "../lib/sites.js";
import { jsonBody, paramsOf, parseOr400, queryOf } from "../lib/validate.js";
import { uploadLimit } from "../lib/body-limit.js";
import { RegionCode } from "./progress.js";

/**
 * The console side of 码上通: project sites of the caller's area with their codes, QR codes and
 * printable signs; what each site publishes (policy documents, localised content, work updates
 * with photos), edited and unpublished by staff of the region and the project's unit; the counts
 * seed 003 reports. Every write is audited.
 */

export const SiteCode = z.string().regex(new RegExp(`^${SITE_CODE}$`), "must be a site code: 8 characters of 0-9 and A-Z without I, L, O, U");
export const SiteParam = z.object({ code: SiteCode });
export const ProjectParam = z.object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be a project id") });
export const SiteRegionQuery = z.object({ region: RegionCode });
export const ContentIdParam = z.object({ id: z.coerce.number().int("must be a content id").min(1, "must be a content id") });
const Limit = z.coerce.number().int().min(1).max(200).default(50);
const Offset = z.coerce.number().int().min(0).max(1_000_000).default(0);
export const SiteListQuery = z.object({
  region: RegionCode.optional().describe("the region whose sites (its own and below) to list; your area by default"),
  project: z.string().min(1).max(64).optional(),
  plan: z.string().min(1).max(64).optional(),
  q: z.string().trim().min(1).max(50).optional().describe("part of the project, item or region name, or a code"),
  limit: Limit,
  offset: Offset,
});
export const StatsQuery = z.object({
  region: RegionCode.optional().describe("your area by default"),
  unit: z.string().min(1).max(64).optional().describe("only the projects this unit leads (a unit's own account always counts its unit)"),
});
export const ContentListQuery = z.object({ kind: ContentKind.optional() });
export const SitePatch = z
  .object({
    version: z.number().int().min(1).optional().describe("the version you read; a stale one is a 409"),
    contact: z.string().trim().max(200, "must be at most 200 characters").optional().describe("联系方式 printed on the sign, e.g. 县教育局 0739-1234567"),
    location: z.string().trim().max(200, "must be at most 200 characters").optional().describe("具体地点, e.g. 邵阳县第一中学"),
  })
  .refine((p) => p.contact !== undefined || p.location !== undefined, { message: "nothing to change: send contact or location", path: [] });

/** The area a list covers: `region` (checked) or the caller's own (null: everywhere, admins). */
export function areaOf(p: Principal, region: string | undefined, deps: Deps): string[] | null {
  if (region !== undefined) {
    if (!deps.regions.get(region)) throw notFound(`region ${region}`);
    assertRegion(p, region, deps.regions);
    return deps.regions.subtree(region);
  }
  return p.region === null ? null : deps.regions.subtree(p.region);
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

const escapeLike = (q: string) => q.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** Sites filtered by area, unit, project, plan, text; with the total before paging. */
export async function findSites(
  db: Queryable,
  f: { area: string[] | null; unit?: string | null; project?: string; plan?: string; item?: string; q?: string; limit: number; offset: number },
): Promise<{ total: number; rows: SiteRow[] }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (f.area) add((n) => `s.region = ANY(${n}::text[])`, f.area);
  if (f.unit) add((n) => `p.lead_unit = ${n}`, f.unit);
  if (f.project) add((n) => `s.project = ${n}`, f.project);
  if (f.plan) add((n) => `pl.id = ${n}`, f.plan);
  if (f.item) add((n) => `i.id = ${n}`, f.item);
  if (f.q) add((n) => `(p.title ILIKE ${n} OR i.title ILIKE ${n} OR r.name ILIKE ${n} OR s.code = upper(${n}) OR s.location ILIKE ${n})`, `%${escapeLike(f.q)}%`);
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const { rows: count } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (${SITE_SELECT} ${filter}) x`,
    params,
  );
  const { rows } = await db.query<SiteRow>(
    `${SITE_SELECT} ${filter} ORDER BY pl.year DESC, pl.level, pl.id, p.no, p.id, s.region LIMIT ${f.limit} OFFSET ${f.offset}`,
    params,
  );
  return { total: count[0]!.n, rows: rows.map((r) => ({ ...r, version: Number(r.version), project_no: Number(r.project_no), item_no: Number(r.item_no), plan_year: Number(r.plan_year) })) };
}

/** Published content and feedback counts of sites, by code. */
async function siteCounts(db: Queryable, codes: string[]) {
  const { rows } = await db.query<{ site: string; policies: number; localised: number; updates: number; pending: number; open: number; answered: number }>(
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

/**
 * 码上通 figures as seed 003 reports them: policy documents published, localised updates, work
 * updates, suggestions received (all but those rejected as spam) and answered, 处理率.
 */
export async function disclosureStats(db: Queryable, area: string[] | null, unit: string | null) {
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
  const { rows } = await db.query<Record<string, number>>(
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
  const r = rows[0]!;
  const rate = processingRate(r.suggestionsReceived!, r.suggestionsAnswered!);
  return {
    policyDocuments: r.policyDocuments!,
    localisedUpdates: r.localisedUpdates!,
    workUpdates: r.workUpdates!,
    suggestionsReceived: r.suggestionsReceived!,
    suggestionsAnswered: r.suggestionsAnswered!,
    awaitingModeration: r.awaitingModeration!,
    rejected: r.rejected!,
    processingRate: rate,
    processingRatePercent: fractionPercent(rate),
  };
}

async function siteForCaller(c: Context<AppEnv>, code: string, permission: "sites.read" | "content.write"): Promise<{ p: Principal; site: SiteRow }> {
  const p = requirePermission(c.get("principal"), permission);
  const { db, regions } = c.get("deps");
  await regions.ready();
  const site = await loadSite(db, code);
  assertSiteScope(p, site, regions);
  return { p, site };
}

const snapshotSite = (s: Pick<SiteRow, "contact" | "location" | "version">) => ({ contact: s.contact, location: s.location, version: s.version });
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

async function contentView(db: Queryable, id: number) {
  const row = await loadContent(db, id);
  if (!row) throw notFound(`content ${id}`);
  return consoleContentView(row, await filesOfContent(db, id));
}

export const siteRoutes = new Hono<AppEnv>()
  /** The project sites of the caller's area (a unit's reporter: its projects), with codes and counts. */
  .get("/", queryOf(SiteListQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "sites.read");
    const deps = c.get("deps");
    const q = c.req.valid("query");
    await deps.regions.ready();
    const area = areaOf(p, q.region, deps);
    await syncSites(deps.db, secretsOf(deps));
    const { total, rows } = await findSites(deps.db, { area, unit: p.unit, project: q.project, plan: q.plan, q: q.q, limit: q.limit, offset: q.offset });
    const counts = await siteCounts(deps.db, rows.map((r) => r.code));
    return c.json({ total, limit: q.limit, offset: q.offset, sites: rows.map((r) => ({ ...siteSummary(c, r), counts: counts.get(r.code)! })) });
  })
  /** Seed 003's 码上通 figures for the area (and unit): documents, localised updates, work updates, suggestions, 处理率. */
  .get("/stats", queryOf(StatsQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "sites.read");
    const deps = c.get("deps");
    const { region, unit: asked } = c.req.valid("query");
    await deps.regions.ready();
    const area = areaOf(p, region, deps);
    // As in the inbox: a unit's account counts its own unit whatever it asks.
    const unit = p.unit ?? asked ?? null;
    return c.json({ region: region ?? p.region, unit, ...(await disclosureStats(deps.db, area, unit)) });
  })
  /** Contact and location printed on the sign. */
  .patch("/:code", paramsOf(SiteParam), jsonBody(SitePatch), async (c) => {
    const { p, site } = await siteForCaller(c, c.req.valid("param").code, "content.write");
    const body = c.req.valid("json");
    const { db, now } = c.get("deps");
    await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ contact: string; location: string; version: number }>("SELECT contact, location, version FROM project_sites WHERE code = $1 FOR UPDATE", [site.code]);
      const before = { ...rows[0]!, version: Number(rows[0]!.version) };
      if (body.version !== undefined && body.version !== before.version)
        throw conflict(`the site changed since you read it (version ${before.version}, not ${body.version}); reload it`, { currentVersion: before.version });
      const after = { contact: body.contact ?? before.contact, location: body.location ?? before.location, version: before.version + 1 };
      const at = now();
      await tx.query("UPDATE project_sites SET contact = $2, location = $3, version = $4, updated_at = $5 WHERE code = $1", [site.code, after.contact, after.location, after.version, at.toISOString()]);
      await appendAudit(tx, { actor: p.actor, action: "site.update", entity: "site", entityId: site.code, before: snapshotSite(before), after: snapshotSite(after), at });
    });
    return c.json(siteSummary(c, await loadSite(db, site.code)));
  })
  /** Everything a site has, unpublished content included, newest first. */
  .get("/:code/content", paramsOf(SiteParam), queryOf(ContentListQuery), async (c) => {
    const { site } = await siteForCaller(c, c.req.valid("param").code, "sites.read");
    const { kind } = c.req.valid("query");
    const all = await contentOfSites(c.get("deps").db, [site.code], false);
    return c.json({ site: siteSummary(c, site), content: all.filter((x) => kind === undefined || x.row.kind === kind).map((x) => consoleContentView(x.row, x.files)) });
  })
  /** Publishes a policy document, localised content or a work update (published at once). */
  .post("/:code/content", paramsOf(SiteParam), jsonBody(NewContent), async (c) => {
    const { p, site } = await siteForCaller(c, c.req.valid("param").code, "content.write");
    const body = c.req.valid("json");
    const { db, now } = c.get("deps");
    const at = now();
    const f = {
      title: body.kind === "update" ? "" : (body.title ?? ""),
      issuer: body.kind === "policy" ? body.issuer : "",
      date: body.kind === "localised" ? null : body.date,
      url: body.kind === "policy" ? (body.url ?? null) : null,
      text: body.text ?? "",
    };
    const id = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO site_content (site, kind, title, issuer, doc_date, url, body, published, published_at, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, true, $8, $9, $8, $8) RETURNING id`,
        [site.code, body.kind, f.title, f.issuer, f.date, f.url, f.text, at.toISOString(), p.actor],
      );
      const id = Number(rows[0]!.id);
      await appendAudit(tx, { actor: p.actor, action: "content.create", entity: "content", entityId: String(id), after: { site: site.code, ...body, published: true }, at });
      return id;
    });
    return c.json(await contentView(db, id), 201);
  });

export const contentRoutes = new Hono<AppEnv>()
  /** Edits, unpublishes (published: false) or publishes again; `version` guards against lost updates. */
  .patch("/:id", paramsOf(ContentIdParam), jsonBody(ContentPatch), async (c) => {
    const p = requirePermission(c.get("principal"), "content.write");
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json");
    const { db, regions, now } = c.get("deps");
    await regions.ready();
    await db.transaction(async (tx) => {
      const before = await loadContent(tx, id, true);
      if (!before) throw notFound(`content ${id}`);
      assertSiteScope(p, await loadSite(tx, before.site), regions);
      if (patch.version !== Number(before.version))
        throw conflict(`the content changed since you read it (version ${before.version}, not ${patch.version}); reload it`, { currentVersion: Number(before.version) });
      // Fields the kind does not have are refused; the kind's own rules apply to the result.
      const foreign = { policy: [], localised: ["issuer", "url", "date"], update: ["title", "issuer", "url"] }[before.kind] as (keyof ContentPatch)[];
      const wrong = foreign.filter((k) => patch[k] !== undefined);
      if (wrong.length > 0) throw invalid(wrong.map((k) => ({ path: `$.${k}`, message: `${contentKindLabel[before.kind]} has no such field` })));
      const merged: Record<string, unknown> = { ...fieldsOf(before) };
      for (const k of ["title", "issuer", "date", "text"] as const) if (patch[k] !== undefined) merged[k] = patch[k];
      if (patch.url === null) delete merged.url;
      else if (patch.url !== undefined) merged.url = patch.url;
      const checked = parseOr400(NewContent, merged);
      const at = now();
      const published = patch.published ?? before.published;
      const publishedAt = published && !before.published ? at.toISOString() : before.published_at === null ? null : new Date(before.published_at).toISOString();
      const next = {
        title: checked.kind === "update" ? "" : (checked.title ?? ""),
        issuer: checked.kind === "policy" ? checked.issuer : "",
        date: checked.kind === "localised" ? null : checked.date,
        url: checked.kind === "policy" ? (checked.url ?? null) : null,
        text: checked.text ?? "",
      };
      await tx.query(
        `UPDATE site_content SET title = $2, issuer = $3, doc_date = $4, url = $5, body = $6, published = $7, published_at = $8,
                version = version + 1, updated_by = $9, updated_at = $10 WHERE id = $1`,
        [id, next.title, next.issuer, next.date, next.url, next.text, published, publishedAt, p.actor, at.toISOString()],
      );
      const after = await loadContent(tx, id);
      const onlyPublication = Object.keys(patch).every((k) => k === "version" || k === "published");
      const action = published !== before.published && onlyPublication ? (published ? "content.publish" : "content.unpublish") : "content.update";
      await appendAudit(tx, { actor: p.actor, action, entity: "content", entityId: String(id), before: snapshotContent(before), after: snapshotContent(after!), at });
    });
    return c.json(await contentView(db, id));
  })
  /**
   * Attaches a file: photos (JPEG, PNG, GIF, WebP) to any content; a policy document may also be
   * PDF, Word or Excel. The type comes from the bytes, never from the name.
   */
  .post("/:id/files", paramsOf(ContentIdParam), uploadLimit, async (c) => {
    const p = requirePermission(c.get("principal"), "content.write");
    const { id } = c.req.valid("param");
    const { db, regions, storage, config, now } = c.get("deps");
    await regions.ready();
    const content = await loadContent(db, id);
    if (!content) throw notFound(`content ${id}`);
    assertSiteScope(p, await loadSite(db, content.site), regions);
    const { bytes, name } = await fileFromForm(c, "file", config.maxUploadBytes);
    const type = sniff(bytes);
    const imagesOnly = content.kind !== "policy";
    if (!type || (imagesOnly && !type.mediaType.startsWith("image/")))
      throw new ApiError("UnsupportedMediaType", imagesOnly ? "only photos (JPEG, PNG, GIF, WebP) can be attached here" : `the file's content is not an accepted type (${acceptedTypesLabel})`);
    const filename = sanitiseFilename(name, type).replace(/^evidence\./, "file.");
    // Photos lose their EXIF (GPS) before they are stored.
    const stored = await storage.put(acceptedWithoutMetadata(bytes, type, "file"));
    try {
      const fileId = await db.transaction(async (tx) => {
        const locked = await loadContent(tx, id, true);
        if (!locked) throw notFound(`content ${id}`);
        const { rows: existing } = await tx.query<{ id: string; sha256: string }>("SELECT id, sha256 FROM site_files WHERE content_id = $1", [id]);
        const dup = existing.find((f) => f.sha256 === stored.sha256);
        if (dup) throw conflict("this file is already attached", { fileId: dup.id });
        if (existing.length >= 9) throw conflict("at most 9 files per piece of content");
        const fileId = randomUUID();
        const at = now();
        await tx.query(
          `INSERT INTO site_files (id, content_id, filename, media_type, size, sha256, storage_key, uploaded_by, uploaded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [fileId, id, filename, type.mediaType, stored.size, stored.sha256, stored.key, p.actor, at.toISOString()],
        );
        await tx.query("UPDATE site_content SET version = version + 1, updated_by = $2, updated_at = $3 WHERE id = $1", [id, p.actor, at.toISOString()]);
        await appendAudit(tx, { actor: p.actor, action: "content.file.add", entity: "content", entityId: String(id), after: { file: fileId, filename, mediaType: type.mediaType, size: stored.size, sha256: stored.sha256 }, at });
        return fileId;
      });
      const view = await contentView(db, id);
      return c.json({ ...view.files.find((f) => f.id === fileId)!, content: view }, 201);
    } catch (e) {
      await storage.delete(stored.key).catch(() => {});
      throw e;
    }
  });

/** One file from a multipart body: 415 when not multipart, 400 when absent or empty, 413 over `max`. */
export async function fileFromForm(c: Context<AppEnv>, field: string, max: number): Promise<{ bytes: Uint8Array; name: string; form: Record<string, unknown> }> {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "multipart/form-data") throw new ApiError("UnsupportedMediaType", `send the file as multipart/form-data in the field \`${field}\``);
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw invalid([{ path: `$.${field}`, message: "the multipart body could not be read" }]);
  }
  const file = form[field];
  if (!(file instanceof Blob)) throw invalid([{ path: `$.${field}`, message: `is required: a file in the multipart field \`${field}\`` }]);
  if (file.size > max) throw new ApiError("PayloadTooLarge", `the file is larger than the limit of ${Math.round(max / 1024)} KB`);
  if (file.size === 0) throw invalid([{ path: `$.${field}`, message: "is empty" }]);
  return { bytes: new Uint8Array(await file.arrayBuffer()), name: typeof (file as File).name === "string" ? (file as File).name : "", form };
}

// ---------------------------------------------------------------------------------------------
// QR codes and the printable sign of a project's site in a region.

async function projectSite(c: Context<AppEnv>, id: string, region: string): Promise<SiteRow> {
  const p = requirePermission(c.get("principal"), "sites.read");
  const deps = c.get("deps");
  await deps.regions.ready();
  if (!deps.regions.get(region)) throw notFound(`region ${region}`);
  // Scope before existence: nobody learns about projects outside their area.
  assertRegion(p, region, deps.regions);
  const site = await siteOf(deps, id, region);
  assertSiteScope(p, site, deps.regions);
  return site;
}

const fileHeaders = (mediaType: string, filename: string, inline: boolean) => ({
  "Content-Type": mediaType,
  "Content-Disposition": inline ? contentDisposition(filename).replace(/^attachment/, "inline") : contentDisposition(filename),
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "private, max-age=300",
});

export const projectSiteRoutes = new Hono<AppEnv>()
  /** The QR code of the site's public page as SVG (vector, for designers). */
  .get("/:id/qr.svg", paramsOf(ProjectParam), queryOf(SiteRegionQuery), async (c) => {
    const site = await projectSite(c, c.req.valid("param").id, c.req.valid("query").region);
    const svg = await qrSvg(publicUrlOf(c, site.code));
    return c.body(svg, 200, fileHeaders("image/svg+xml; charset=utf-8", `码上通-${site.code}.svg`, false));
  })
  /** The QR code as a PNG of 1240 × 1240 px (10.5 cm at 300 dpi). */
  .get("/:id/qr.png", paramsOf(ProjectParam), queryOf(SiteRegionQuery), async (c) => {
    const site = await projectSite(c, c.req.valid("param").id, c.req.valid("query").region);
    const png = await qrPng(publicUrlOf(c, site.code));
    return c.body(new Uint8Array(png), 200, fileHeaders("image/png", `码上通-${site.code}.png`, true));
  })
  /** The A4 site sign (公示牌): project, responsible unit, location, targets, contact and the QR code. */
  .get("/:id/sign.pdf", paramsOf(ProjectParam), queryOf(SiteRegionQuery), async (c) => {
    const site = await projectSite(c, c.req.valid("param").id, c.req.valid("query").region);
    const deps = c.get("deps");
    const progress = await siteProgress(deps, site);
    const pdf = await signPdf({
      code: site.code,
      url: publicUrlOf(c, site.code),
      planTitle: site.plan_title,
      itemTitle: site.item_title,
      projectTitle: site.project_title,
      unit: site.unit_name,
      location: [regionPath(deps.regions, site.region).join(" "), site.location].filter(Boolean).join(" · "),
      targets: progress.indicators.map((i) => `${i.name}：${formatTarget(i)}`),
      contact: site.contact,
    });
    return c.body(new Uint8Array(pdf), 200, fileHeaders("application/pdf", `公示牌-${site.project_title}-${site.region_name}.pdf`, true));
  });

export type { ContentRow };
