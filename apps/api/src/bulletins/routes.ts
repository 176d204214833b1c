import type { BulletinModel as Model } from "@minsheng/bulletin";
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
  issueBulletin,
  issuesOf,
  mediaTypes,
  openIssue,
  previewBulletin,
  renderBulletin,
  saveDraft,
  warmRenderers,
} from "./service.js";
import { BulletinModel, DownloadQuery, DraftBody, DraftQuery, DraftView, IssueBody, IssueListQuery, IssueParam, IssueView, Preview, PreviewQuery } from "./schemas.js";

/**
 * 通报: the monthly bulletin of a region from live data (preview, .docx / .xlsx), the narrative
 * sections staff type (kept as a draft until issued), and issuing 第 N 期, which freezes the
 * composed bulletin — every figure and sentence — so later corrections of reports leave it as
 * issued. Staff of the region and above, and the system admin; every download is authorised on
 * its own request and audited (service.ts). Schemas in schemas.ts.
 */

// ---------------------------------------------------------------------------------------------
// Operations

const bulletins = { tag: "bulletins" } as const;
const docx = mediaTypes.docx;
const xlsx = mediaTypes.xlsx;
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
  ...bulletins, method: "put", path: "/draft", operationId: "saveBulletinDraft", keepsPublicPages: true, access: "bulletins.issue",
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
