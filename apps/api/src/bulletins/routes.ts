import { type BulletinModel as Model, NARRATIVE_SECTIONS } from "@minsheng/bulletin";
import { Period } from "@minsheng/domain";
import type { Context } from "hono";
import { z } from "zod";
import { requirePermission } from "../auth/middleware.js";
import { defineOperation, router } from "../lib/operation.js";
import { contentDisposition } from "../lib/sniff.js";
import {
  auditPreviewDownload,
  bulletinFilename,
  draftOf,
  type FileFormat,
  isCalendarDate,
  issueBulletin,
  issuesOf,
  mediaTypes,
  openIssue,
  previewBulletin,
  renderBulletin,
  saveDraft,
  warmRenderers,
} from "./service.js";

/**
 * 通报: the monthly bulletin of a region from live data (preview, .docx / .xlsx), the narrative
 * sections staff type (kept as a draft until issued), and issuing 第 N 期, which freezes the
 * composed bulletin — every figure and sentence — so later corrections of reports leave it as
 * issued. Staff of the region and above, and the system admin; every download is authorised on
 * its own request and audited (service.ts).
 */

// ---------------------------------------------------------------------------------------------
// Input

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
  .refine(isCalendarDate, "is not a calendar date");
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
export type PreviewQuery = z.infer<typeof PreviewQuery>;
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
export type DraftBody = z.infer<typeof DraftBody>;

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
export type IssueListQuery = z.infer<typeof IssueListQuery>;
export const IssueParam = z.object({ id: z.coerce.number().int("must be a bulletin id").positive("must be a bulletin id").max(Number.MAX_SAFE_INTEGER) });
export const DownloadQuery = z.object({ format: Format });

// ---------------------------------------------------------------------------------------------
// Answers

const Timestamp = z.string().describe("ISO 8601 date-time");
const docx = mediaTypes.docx;
const xlsx = mediaTypes.xlsx;

const Summary = z.looseObject({
  plan: z.string(),
  planTitle: z.string(),
  total: z.number().int(),
  completed: z.number().int(),
  onSchedule: z.number().int(),
  behind: z.number().int(),
  text: z.string().describe("the summary sentence as seed 003 writes it"),
});

/** The composed bulletin (`minsheng.bulletin/v1`, see packages/bulletin/src/model.ts), documented by its main parts. */
const BulletinModel = z.looseObject({
  format: z.literal("minsheng.bulletin/v1"),
  period: z.string(),
  region: z.string(),
  regionName: z.string(),
  plans: z.array(z.string()),
  date: z.string(),
  masthead: z.looseObject({ title: z.string(), issue: z.string(), issueNo: z.number().int(), issuer: z.string(), date: z.string() }),
  title: z.string(),
  sections: z.array(z.looseObject({ key: z.string(), heading: z.string(), blocks: z.array(z.looseObject({ type: z.enum(["paragraph", "table"]) })) })),
  summaries: z.array(Summary),
  groups: z.looseObject({ fast: z.number(), fastEntries: z.array(z.unknown()), slowEntries: z.array(z.unknown()), regionEntries: z.array(z.unknown()) }),
  disclosure: z.looseObject({ text: z.string() }).nullable(),
  ranking: z.looseObject({ text: z.string() }).nullable(),
  falls: z.array(z.unknown()),
  annexes: z.array(z.looseObject({ label: z.string(), title: z.string(), plan: z.string(), rows: z.array(z.looseObject({ projectTitle: z.string(), progressText: z.string() })) })),
});

const Preview = BulletinModel.extend({
  dataVersion: z.number().int().describe("the data version composed from"),
  draftVersion: z.number().int().nullable().describe("the narrative draft used, if any"),
});

const IssueView = z.object({
  id: z.number().int(),
  region: z.object({ code: z.string(), name: z.string() }),
  period: z.string(),
  plans: z.array(z.string()),
  year: z.number().int(),
  issueNo: z.number().int().describe("第 N 期, unique per region and year"),
  date: z.string(),
  title: z.string(),
  sha256: z.string().describe("of the canonical JSON of the frozen bulletin"),
  dataVersion: z.number().int().nullable(),
  issuedBy: z.string(),
  issuedAt: Timestamp,
  summaries: z.array(Summary),
  href: z.object({ docx: z.string(), xlsx: z.string() }),
});
export type IssueView = z.infer<typeof IssueView>;

const DraftView = z.object({ content: DraftContent, version: z.number().int(), issueId: z.number().int().nullable(), updatedBy: z.string(), updatedAt: Timestamp });
export type DraftView = z.infer<typeof DraftView>;

// ---------------------------------------------------------------------------------------------
// Operations

const bulletins = { tag: "bulletins" } as const;
const bulletinScope = "the region within your area; each plan issued within your area or above it";

export const previewBulletinOp = defineOperation({
  ...bulletins, method: "get", path: "/", operationId: "previewBulletin", access: "bulletins.read",
  summary: ["通报预览与下载", "The bulletin from live data: JSON, .docx or .xlsx"],
  scope: bulletinScope,
  description:
    "Composed from verified and reduced figures as they are now, with the saved narrative draft of the region, month and plans. format=docx is the GB/T 9704 document, format=xlsx its annex tables with real numbers; file downloads are audited.",
  query: PreviewQuery, examples: { plan: "hn2024,sy2024", region: "430500", period: "2024-09", format: "json" },
  success: { status: 200, description: `the bulletin (JSON); with format=docx or xlsx the file (${docx} / ${xlsx})`, schema: Preview, files: [docx, xlsx] },
  errors: [404],
});

export const getBulletinDraftOp = defineOperation({
  ...bulletins, method: "get", path: "/draft", operationId: "getBulletinDraft", access: "bulletins.read",
  summary: ["通报草稿", "The narrative draft of a region, month and plans, and the next issue number"],
  scope: bulletinScope,
  query: DraftQuery, examples: { plan: "hn2024,sy2024", region: "430500", period: "2024-09" },
  success: { status: 200, description: "the draft (null when none), the next 第 N 期 and today (China)", schema: z.object({ draft: DraftView.nullable(), nextIssueNo: z.number().int(), today: z.string() }) },
  errors: [404],
});

export const saveBulletinDraftOp = defineOperation({
  ...bulletins, method: "put", path: "/draft", operationId: "saveBulletinDraft", access: "bulletins.issue",
  summary: ["保存通报草稿", "Save what was typed for a bulletin (narrative sections, issue number, thresholds)"],
  scope: bulletinScope,
  description: "Kept as typed; send the version you read to be told (409) when someone else saved in between.",
  body: DraftBody, bodyExample: { plans: ["hn2024", "sy2024"], region: "430500", period: "2024-09", content: { issueNo: 7, date: "2024-10-09", sections: { 工作打算: "一是强化组织领导。" } } },
  success: { status: 200, description: "the saved draft", schema: z.object({ draft: DraftView }) },
  errors: [404, 409],
});

export const issueBulletinOp = defineOperation({
  ...bulletins, method: "post", path: "/", operationId: "issueBulletin", access: "bulletins.issue",
  summary: ["签发通报", "Issue 第 N 期: freeze the bulletin's figures"],
  scope: bulletinScope,
  description: "Composes from the data as it is now and stores the result; later corrections of reports do not change it. The number is unique per region and year (409 names the next free one).",
  body: IssueBody, bodyExample: { plans: ["hn2024", "sy2024"], region: "430500", period: "2024-09", issueNo: 7, date: "2024-10-09", sections: { 工作打算: "一是强化组织领导。" } },
  success: { status: 201, description: "the issued bulletin", schema: IssueView },
  errors: [404, 409],
});

export const listBulletinsOp = defineOperation({
  ...bulletins, method: "get", path: "/issues", operationId: "listBulletins", access: "bulletins.read",
  summary: ["已签发通报", "Issued bulletins of your area, newest first"],
  scope: "bulletins of regions within your area (or within the region asked)",
  query: IssueListQuery, examples: { region: "430500" },
  success: { status: 200, description: "issued bulletins", schema: z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), issues: z.array(IssueView) }) },
  errors: [404],
});

export const downloadBulletinOp = defineOperation({
  ...bulletins, method: "get", path: "/issues/{id}", operationId: "downloadBulletin", access: "bulletins.read",
  summary: ["下载已签发通报", "An issued bulletin as issued: JSON, .docx or .xlsx"],
  scope: "the bulletin's region within your area",
  description: "Rendered again from the frozen snapshot; authorised and audited on every request.",
  params: IssueParam, query: DownloadQuery, examples: { id: "1", format: "docx" },
  success: { status: 200, description: `the issue and its bulletin (JSON); with format=docx or xlsx the file (${docx} / ${xlsx})`, schema: z.object({ issue: IssueView, model: BulletinModel }), files: [docx, xlsx] },
  errors: [404],
});

// ---------------------------------------------------------------------------------------------
// Handlers

/** A bulletin file as a download, never cached. */
async function fileResponse(c: Context, model: Model, format: FileFormat) {
  const bytes = await renderBulletin(model, format);
  return c.body(new Uint8Array(bytes), 200, {
    "Content-Type": mediaTypes[format],
    "Content-Length": String(bytes.byteLength),
    "Content-Disposition": contentDisposition(bulletinFilename(model, format)),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
  });
}

const routes = router();
// The bulletin page asks for its draft and preview before anyone downloads: warm the renderers
// then, after answering (a download itself goes straight to rendering).
routes.use(async (c, next) => {
  await next();
  const format = c.req.query("format");
  if (format !== "docx" && format !== "xlsx") setTimeout(() => void warmRenderers(), 200).unref();
});

export const bulletinRoutes = routes
  .openapi(previewBulletinOp, async (c) => {
    const p = requirePermission(c.get("principal"), "bulletins.read");
    const { format, ...q } = c.req.valid("query");
    const deps = c.get("deps");
    const preview = await previewBulletin(p, deps, q);
    if (format === "json") return c.json({ ...preview.model, dataVersion: preview.dataVersion, draftVersion: preview.draftVersion }, 200);
    await auditPreviewDownload(p, deps, { region: q.region, period: q.period, plans: preview.plans, format, issueNo: preview.issueNo, date: preview.date, dataVersion: preview.dataVersion });
    return fileResponse(c, preview.model, format);
  })
  .openapi(getBulletinDraftOp, async (c) => {
    const p = requirePermission(c.get("principal"), "bulletins.read");
    const q = c.req.valid("query");
    return c.json(await draftOf(p, c.get("deps"), { region: q.region, period: q.period, plans: q.plan.split(",") }), 200);
  })
  .openapi(saveBulletinDraftOp, async (c) => {
    const p = requirePermission(c.get("principal"), "bulletins.issue");
    return c.json({ draft: await saveDraft(p, c.get("deps"), c.req.valid("json")) }, 200);
  })
  .openapi(issueBulletinOp, async (c) => {
    const p = requirePermission(c.get("principal"), "bulletins.issue");
    return c.json(await issueBulletin(p, c.get("deps"), c.req.valid("json")), 201);
  })
  .openapi(listBulletinsOp, async (c) => {
    const p = requirePermission(c.get("principal"), "bulletins.read");
    return c.json(await issuesOf(p, c.get("deps"), c.req.valid("query")), 200);
  })
  .openapi(downloadBulletinOp, async (c) => {
    const p = requirePermission(c.get("principal"), "bulletins.read");
    const { id } = c.req.valid("param");
    const { format } = c.req.valid("query");
    const { issue, model } = await openIssue(p, c.get("deps"), id, format);
    if (format === "json") return c.json({ issue, model }, 200);
    return fileResponse(c, model, format);
  });
