import { BULLETIN_FORMAT, type BulletinModel, NARRATIVE_SECTIONS } from "@minsheng/bulletin";
import { chinaDate, Period, periodYear } from "@minsheng/domain";
import { appendAudit, type Queryable } from "@minsheng/db";
import { Hono } from "hono";
import { z } from "zod";
import { assertRegion, mayAccessRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import type { Principal } from "../auth/principal.js";
import { loadDisclosureContent } from "../lib/compliance.js";
import { bulletinFilename, composeLive, mediaTypes, modelHash, renderBulletin, warmRenderers } from "../lib/bulletins.js";
import type { AppEnv, Deps } from "../lib/context.js";
import { conflict, notFound } from "../lib/errors.js";
import { contentDisposition } from "../lib/sniff.js";
import { satisfactionForBulletin } from "../satisfaction/service.js";
import { jsonBody, paramsOf, queryOf } from "../lib/validate.js";

/**
 * 通报: the monthly bulletin of a region from live data (preview, .docx / .xlsx), the narrative
 * sections staff type (kept as a draft until issued), and issuing 第 N 期, which freezes the
 * composed bulletin — every figure and sentence — so later corrections of reports leave it as
 * issued. Staff of the region and above, and the system admin; every download is authorised on
 * its own request and audited.
 */

const PLAN_ID = "[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}";
const PlanId = z.string().regex(new RegExp(`^${PLAN_ID}$`), "must be a plan id");
const PlanIds = z
  .string()
  .regex(new RegExp(`^${PLAN_ID}(,${PLAN_ID}){0,7}$`), "must be plan ids separated by commas, e.g. hn2024,sy2024")
  .describe("plan ids separated by commas, in the order of the bulletin (省定 first)");
const PlanList = z
  .array(PlanId)
  .min(1, "needs at least one plan")
  .max(8, "at most 8 plans")
  .refine((a) => new Set(a).size === a.length, "names a plan twice");
const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date written YYYY-MM-DD, e.g. 2024-10-09", abort: true })
  .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), "is not a calendar date");
const IssueNo = z.number().int("must be a whole number").min(1, "must be at least 1").max(9999);
const Line = z.string().trim().max(200, "must be at most 200 characters");
const Sections = z.partialRecord(z.enum(NARRATIVE_SECTIONS), z.string().max(20_000, "must be at most 20000 characters"));
const Thresholds = z.object({
  fast: z.number().min(0).max(1000).optional().describe("percent: an indicator at or above it progresses fast (default 80)"),
  slow: z.union([z.number().min(0).max(1000), z.literal("schedule")]).optional().describe('percent, or "schedule" for each indicator\'s schedule line (default)'),
});

export const Format = z.enum(["json", "docx", "xlsx"]).default("json").describe("json: the composed bulletin; docx: the document; xlsx: its annex tables");

export const PreviewQuery = z.object({
  plan: PlanIds,
  region: RegionCode,
  period: Period,
  format: Format,
  issueNo: z.coerce.number().int().min(1).max(9999).optional().describe("default: the draft's, else the next number of the region's year"),
  date: IsoDate.optional().describe("default: the draft's, else today (China)"),
});
export const DraftQuery = z.object({ plan: PlanIds, region: RegionCode, period: Period });

/** What staff type for a bulletin: kept as typed (half-written dates and all) until issued. */
export const DraftContent = z.object({
  issueNo: IssueNo.nullable().optional(),
  date: z.string().max(20).optional(),
  title: z.string().max(200).optional(),
  masthead: z.string().max(200).optional(),
  issuer: z.string().max(200).optional(),
  seal: z.string().max(200).optional(),
  salutation: z.string().max(200).optional(),
  intro: z.string().max(2000).optional(),
  sections: Sections.optional(),
  thresholds: Thresholds.optional(),
});
export type DraftContent = z.infer<typeof DraftContent>;

const Key = z.object({ plans: PlanList, region: RegionCode, period: Period });
export const DraftBody = Key.extend({
  content: DraftContent,
  /** the version last read: a stale one is a 409 (two staff writing the same bulletin) */
  version: z.number().int().positive().optional(),
});

export const IssueBody = Key.extend({
  issueNo: IssueNo,
  date: IsoDate,
  title: Line.optional(),
  masthead: Line.optional(),
  issuer: Line.optional(),
  seal: Line.optional(),
  salutation: Line.optional(),
  intro: z.string().trim().max(2000).optional(),
  sections: Sections.optional(),
  thresholds: Thresholds.optional(),
});
export type IssueBody = z.infer<typeof IssueBody>;

export const IssueListQuery = z.object({
  region: RegionCode.optional(),
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export const IssueParam = z.object({ id: z.coerce.number().int("must be a bulletin id").positive("must be a bulletin id").max(Number.MAX_SAFE_INTEGER) });
export const DownloadQuery = z.object({ format: Format });

// ---------------------------------------------------------------------------------------------

/** The region must lie in the caller's area; each plan must exist and be issued within it or above it. */
async function assertScope(p: Principal, deps: Deps, region: string, plans: readonly string[]): Promise<void> {
  const { db, regions } = deps;
  await regions.ready();
  if (!regions.get(region)) throw notFound(`region ${region}`);
  assertRegion(p, region, regions);
  const { rows } = await db.query<{ id: string; region: string }>("SELECT id, region FROM plans WHERE id = ANY($1::text[])", [plans]);
  for (const id of plans) {
    const plan = rows.find((r) => r.id === id);
    if (!plan) throw notFound(`plan ${id}`);
    const related = mayAccessRegion(p, plan.region, regions) || (p.region !== null && regions.isWithin(p.region, plan.region));
    if (!related) assertRegion(p, plan.region, regions);
  }
}

interface DraftRow {
  content: DraftContent;
  version: number;
  issue_id: string | null;
  updated_by: string;
  updated_at: string | Date;
}

async function loadDraft(db: Queryable, region: string, period: string, plans: readonly string[]) {
  const { rows } = await db.query<DraftRow>("SELECT content, version, issue_id, updated_by, updated_at FROM bulletin_drafts WHERE region = $1 AND period = $2 AND plans = $3", [
    region,
    period,
    plans.join(","),
  ]);
  const d = rows[0];
  return d
    ? { content: d.content, version: Number(d.version), issueId: d.issue_id === null ? null : Number(d.issue_id), updatedBy: d.updated_by, updatedAt: new Date(d.updated_at).toISOString() }
    : null;
}

/** The next issue number of the region's series for the year (第 N 期). */
async function nextIssueNo(db: Queryable, region: string, year: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT COALESCE(max(issue_no), 0)::int + 1 AS n FROM bulletin_issues WHERE region = $1 AND year = $2", [region, year]);
  return Number(rows[0]!.n);
}

const filled = (s: string | undefined) => (s !== undefined && s.trim().length > 0 ? s.trim() : undefined);
const validDate = (s: string | undefined) => (s !== undefined && IsoDate.safeParse(s).success ? s : undefined);

/** Compose options from a draft: only what is complete enough to print (the rest keeps its default). */
function optionsOfDraft(content: DraftContent | undefined) {
  const c = content ?? {};
  const thresholds = c.thresholds && (c.thresholds.fast !== undefined || c.thresholds.slow !== undefined) ? { fast: c.thresholds.fast ?? 80, slow: c.thresholds.slow ?? ("schedule" as const) } : undefined;
  return {
    title: filled(c.title),
    masthead: filled(c.masthead),
    issuer: filled(c.issuer),
    seal: filled(c.seal),
    salutation: filled(c.salutation),
    intro: filled(c.intro),
    sections: c.sections,
    thresholds,
  };
}

const dropUndefined = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

interface IssueRow {
  id: string;
  region: string;
  region_name: string;
  period: string;
  plans: string[];
  year: number;
  issue_no: number;
  issue_date: string;
  title: string;
  sha256: string;
  data_version: string | null;
  issued_by: string;
  issued_at: string | Date;
  summaries: BulletinModel["summaries"];
}

const ISSUE_SQL = `SELECT b.id, b.region, rg.name AS region_name, b.period, b.plans, b.year, b.issue_no, b.issue_date, b.title, b.sha256,
       b.data_version::text AS data_version, b.issued_by, b.issued_at, b.model->'summaries' AS summaries
  FROM bulletin_issues b JOIN regions rg ON rg.code = b.region`;

/** An issued bulletin as listings show it, with its summary counts. */
const issueView = (r: IssueRow) => ({
  id: Number(r.id),
  region: { code: r.region, name: r.region_name },
  period: r.period,
  plans: r.plans,
  year: Number(r.year),
  issueNo: Number(r.issue_no),
  date: r.issue_date,
  title: r.title,
  sha256: r.sha256,
  dataVersion: r.data_version === null ? null : Number(r.data_version),
  issuedBy: r.issued_by,
  issuedAt: new Date(r.issued_at).toISOString(),
  summaries: (r.summaries ?? []).map((s) => ({ plan: s.plan, planTitle: s.planTitle, total: s.total, completed: s.completed, onSchedule: s.onSchedule, behind: s.behind, text: s.text })),
  href: { docx: `/api/v1/bulletins/issues/${r.id}?format=docx`, xlsx: `/api/v1/bulletins/issues/${r.id}?format=xlsx` },
});

async function fileResponse(c: { body: (data: Uint8Array<ArrayBuffer>, status: 200, headers: Record<string, string>) => Response }, model: BulletinModel, format: "docx" | "xlsx") {
  const bytes = await renderBulletin(model, format);
  return c.body(new Uint8Array(bytes), 200, {
    "Content-Type": mediaTypes[format],
    "Content-Length": String(bytes.byteLength),
    "Content-Disposition": contentDisposition(bulletinFilename(model, format)),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
  });
}

// ---------------------------------------------------------------------------------------------

export const bulletinRoutes = new Hono<AppEnv>()
  // The bulletin page asks for its draft and preview before anyone downloads: warm the renderers
  // then, after answering (a download itself goes straight to rendering).
  .use(async (c, next) => {
    await next();
    const format = c.req.query("format");
    if (format !== "docx" && format !== "xlsx") setTimeout(() => void warmRenderers(), 200).unref();
  })
  /** The bulletin from live data with the saved draft's narrative: JSON, .docx or .xlsx (downloads audited). */
  .get("/", queryOf(PreviewQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "bulletins.read");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const plans = q.plan.split(",");
    await assertScope(p, deps, q.region, plans);
    const draft = await loadDraft(deps.db, q.region, q.period, plans);
    const issueNo = q.issueNo ?? draft?.content.issueNo ?? (await nextIssueNo(deps.db, q.region, periodYear(q.period)));
    const date = q.date ?? validDate(draft?.content.date) ?? chinaDate(deps.now().getTime());
    const content = await loadDisclosureContent(deps.db, deps.regions, deps.now(), q.period, q.region, plans);
    // 满意度测评 (rule 14): the region's published ballots of the year, when there are any
    const satisfaction = await satisfactionForBulletin(deps.db, q.region, periodYear(q.period));
    const { model, version } = await composeLive(deps.db, dropUndefined({ plans, region: q.region, period: q.period, issueNo, date, ...optionsOfDraft(draft?.content), ...satisfaction }), content);
    if (q.format === "json") return c.json({ ...model, dataVersion: Number(version), draftVersion: draft?.version ?? null });
    await appendAudit(deps.db, {
      actor: p.actor,
      action: "bulletin.preview.download",
      entity: "bulletin-preview",
      entityId: `${q.region}:${q.period}:${plans.join(",")}`,
      after: { format: q.format, issueNo, date, dataVersion: Number(version) },
      at: deps.now(),
    });
    return fileResponse(c, model, q.format);
  })
  /** The narrative draft of a region, month and plans (null when none), and the next issue number. */
  .get("/draft", queryOf(DraftQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "bulletins.read");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const plans = q.plan.split(",");
    await assertScope(p, deps, q.region, plans);
    return c.json({
      draft: await loadDraft(deps.db, q.region, q.period, plans),
      nextIssueNo: await nextIssueNo(deps.db, q.region, periodYear(q.period)),
      today: chinaDate(deps.now().getTime()),
    });
  })
  /** Saves what staff typed (every field as typed); 409 when someone else saved since the version read. */
  .put("/draft", jsonBody(DraftBody), async (c) => {
    const p = requirePermission(c.get("principal"), "bulletins.issue");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    await assertScope(p, deps, body.region, body.plans);
    const at = deps.now().toISOString();
    const key = [body.region, body.period, body.plans.join(",")];
    await deps.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ version: number }>("SELECT version FROM bulletin_drafts WHERE region = $1 AND period = $2 AND plans = $3 FOR UPDATE", key);
      const current = rows[0] ? Number(rows[0].version) : null;
      if (current !== null && body.version !== undefined && body.version !== current)
        throw conflict(`the draft changed since you read it (version ${current}, not ${body.version}); reload it`, { currentVersion: current });
      if (current === null) {
        const ins = await tx.query(
          `INSERT INTO bulletin_drafts (region, period, plans, content, version, updated_by, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6)
           ON CONFLICT DO NOTHING`,
          [...key, JSON.stringify(body.content), p.actor, at],
        );
        if (ins.rowCount === 0) throw conflict("someone else saved this draft at the same time; reload it");
      } else await tx.query("UPDATE bulletin_drafts SET content = $4, version = version + 1, updated_by = $5, updated_at = $6 WHERE region = $1 AND period = $2 AND plans = $3", [...key, JSON.stringify(body.content), p.actor, at]);
    });
    return c.json({ draft: await loadDraft(deps.db, body.region, body.period, body.plans) });
  })
  /** Issues 第 N 期: composes from the data as it is now and freezes the result; 409 when the number is taken. */
  .post("/", jsonBody(IssueBody), async (c) => {
    const p = requirePermission(c.get("principal"), "bulletins.issue");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    await assertScope(p, deps, body.region, body.plans);
    const at = deps.now();
    const year = periodYear(body.period);
    const id = await deps.db.transaction(async (tx) => {
      // Composed inside the transaction: the snapshot is the data at one instant.
      const options = dropUndefined({
        ...optionsOfDraft({ ...body, date: body.date }),
        plans: body.plans,
        region: body.region,
        period: body.period,
        issueNo: body.issueNo,
        date: body.date,
        ...(await satisfactionForBulletin(tx, body.region, year)),
      });
      const disclosure = await loadDisclosureContent(tx, deps.regions, at, body.period, body.region, body.plans);
      const { model, version } = await composeLive(tx, options, disclosure);
      const sha256 = modelHash(model);
      const ins = await tx.query<{ id: string }>(
        `INSERT INTO bulletin_issues (region, period, plans, year, issue_no, issue_date, title, options, model, sha256, data_version, issued_by, issued_at)
         VALUES ($1, $2, $3::text[], $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (region, year, issue_no) DO NOTHING RETURNING id`,
        [body.region, body.period, body.plans, year, body.issueNo, body.date, model.title, JSON.stringify(options), JSON.stringify(model), sha256, version, p.actor, at.toISOString()],
      );
      if (!ins.rows[0]) {
        const taken = await tx.query<{ id: string }>("SELECT id FROM bulletin_issues WHERE region = $1 AND year = $2 AND issue_no = $3", [body.region, year, body.issueNo]);
        throw conflict(`第 ${body.issueNo} 期 of ${year} has already been issued for region ${body.region}; use the next number`, {
          issueId: taken.rows[0] ? Number(taken.rows[0].id) : null,
          nextIssueNo: await nextIssueNo(tx, body.region, year),
        });
      }
      const issueId = Number(ins.rows[0].id);
      // The narrative as issued stays with the draft, linked to the issue.
      const content: DraftContent = dropUndefined({ ...body, plans: undefined, region: undefined, period: undefined } as DraftContent);
      await tx.query(
        `INSERT INTO bulletin_drafts (region, period, plans, content, version, issue_id, updated_by, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $7)
         ON CONFLICT (region, period, plans) DO UPDATE SET content = EXCLUDED.content, issue_id = EXCLUDED.issue_id, version = bulletin_drafts.version + 1,
           updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
        [body.region, body.period, body.plans.join(","), JSON.stringify(content), issueId, p.actor, at.toISOString()],
      );
      await appendAudit(tx, {
        actor: p.actor,
        action: "bulletin.issue",
        entity: "bulletin",
        entityId: String(issueId),
        before: null,
        after: { region: body.region, period: body.period, plans: body.plans, issueNo: body.issueNo, date: body.date, title: model.title, sha256, dataVersion: Number(version) },
        at,
      });
      return issueId;
    });
    const { rows } = await deps.db.query<IssueRow>(`${ISSUE_SQL} WHERE b.id = $1`, [id]);
    return c.json(issueView(rows[0]!), 201);
  })
  /** Issued bulletins of the caller's area (or of a region in it), newest first. */
  .get("/issues", queryOf(IssueListQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "bulletins.read");
    const q = c.req.valid("query");
    const { db, regions } = c.get("deps");
    await regions.ready();
    let area: string[] | null = p.region === null ? null : regions.subtree(p.region);
    if (q.region !== undefined) {
      if (!regions.get(q.region)) throw notFound(`region ${q.region}`);
      assertRegion(p, q.region, regions);
      area = regions.subtree(q.region);
    }
    const params: unknown[] = [];
    const where: string[] = [];
    if (area) where.push(`b.region = ANY($${params.push(area)}::text[])`);
    if (q.year !== undefined) where.push(`b.year = $${params.push(q.year)}`);
    const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bulletin_issues b ${filter}`, params);
    const { rows } = await db.query<IssueRow>(
      `${ISSUE_SQL} ${filter} ORDER BY b.issued_at DESC, b.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    );
    return c.json({ total: Number(total.rows[0]!.n), limit: q.limit, offset: q.offset, issues: rows.map(issueView) });
  })
  /** An issued bulletin as it was issued: JSON, .docx or .xlsx; authorised and audited on every request. */
  .get("/issues/:id", paramsOf(IssueParam), queryOf(DownloadQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "bulletins.read");
    const { id } = c.req.valid("param");
    const { format } = c.req.valid("query");
    const { db, regions, now } = c.get("deps");
    await regions.ready();
    const { rows } = await db.query<IssueRow & { model: BulletinModel }>(`${ISSUE_SQL.replace("b.model->'summaries' AS summaries", "b.model->'summaries' AS summaries, b.model")} WHERE b.id = $1`, [id]);
    const row = rows[0];
    if (!row) throw notFound(`bulletin ${id}`);
    assertRegion(p, row.region, regions);
    const model = row.model;
    if (model.format !== BULLETIN_FORMAT) throw conflict(`bulletin ${id} was stored in an unknown format ${String(model.format)}`);
    await appendAudit(db, { actor: p.actor, action: "bulletin.download", entity: "bulletin", entityId: String(id), after: { format }, at: now() });
    if (format === "json") return c.json({ issue: issueView(row), model });
    return fileResponse(c, model, format);
  });

