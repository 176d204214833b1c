import { z } from "zod";
import type { ApiOperation } from "./openapi.js";
import { entries } from "./openapi-entry.js";
import { DownloadQuery, DraftBody, DraftContent, DraftQuery, IssueBody, IssueListQuery, IssueParam, PreviewQuery } from "./routes/bulletins.js";

/**
 * The OpenAPI entries of 通报 (preview, narrative drafts, issued snapshots) and of the Excel
 * import of monthly figures, kept beside the registry in openapi.ts, which lists them.
 */

export const bulletinTags = {
  bulletins: "通报 · Monthly bulletins: preview, narrative drafts, issued snapshots (.docx / .xlsx)",
  imports: "Excel 导入 · Monthly figures from a filled Excel template",
} as const;

const Timestamp = z.string().describe("ISO 8601 date-time");
const docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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

const DraftView = z.object({ content: DraftContent, version: z.number().int(), issueId: z.number().int().nullable(), updatedBy: z.string(), updatedAt: Timestamp });

const bulletinScope = "the region within your area; each plan issued within your area or above it";

export const bulletinOperations: ApiOperation[] = [
  ...entries({ tag: "bulletins" }, [
    {
      key: "GET /bulletins", operationId: "previewBulletin", access: "bulletins.read",
      summary: ["通报预览与下载", "The bulletin from live data: JSON, .docx or .xlsx"],
      scope: bulletinScope,
      description:
        "Composed from verified and reduced figures as they are now, with the saved narrative draft of the region, month and plans. format=docx is the GB/T 9704 document, format=xlsx its annex tables with real numbers; file downloads are audited.",
      query: PreviewQuery, examples: { plan: "hn2024,sy2024", region: "430500", period: "2024-09", format: "json" },
      success: { status: 200, description: `the bulletin (JSON); with format=docx or xlsx the file (${docx} / ${xlsx})`, schema: Preview },
      errors: [404],
    },
    {
      key: "GET /bulletins/draft", operationId: "getBulletinDraft", access: "bulletins.read",
      summary: ["通报草稿", "The narrative draft of a region, month and plans, and the next issue number"],
      scope: bulletinScope,
      query: DraftQuery, examples: { plan: "hn2024,sy2024", region: "430500", period: "2024-09" },
      success: { status: 200, description: "the draft (null when none), the next 第 N 期 and today (China)", schema: z.object({ draft: DraftView.nullable(), nextIssueNo: z.number().int(), today: z.string() }) },
      errors: [404],
    },
    {
      key: "PUT /bulletins/draft", operationId: "saveBulletinDraft", access: "bulletins.issue",
      summary: ["保存通报草稿", "Save what was typed for a bulletin (narrative sections, issue number, thresholds)"],
      scope: bulletinScope,
      description: "Kept as typed; send the version you read to be told (409) when someone else saved in between.",
      body: DraftBody, bodyExample: { plans: ["hn2024", "sy2024"], region: "430500", period: "2024-09", content: { issueNo: 7, date: "2024-10-09", sections: { 工作打算: "一是强化组织领导。" } } },
      success: { status: 200, description: "the saved draft", schema: z.object({ draft: DraftView }) },
      errors: [404, 409],
    },
    {
      key: "POST /bulletins", operationId: "issueBulletin", access: "bulletins.issue",
      summary: ["签发通报", "Issue 第 N 期: freeze the bulletin's figures"],
      scope: bulletinScope,
      description: "Composes from the data as it is now and stores the result; later corrections of reports do not change it. The number is unique per region and year (409 names the next free one).",
      body: IssueBody, bodyExample: { plans: ["hn2024", "sy2024"], region: "430500", period: "2024-09", issueNo: 7, date: "2024-10-09", sections: { 工作打算: "一是强化组织领导。" } },
      success: { status: 201, description: "the issued bulletin", schema: IssueView },
      errors: [404, 409],
    },
    {
      key: "GET /bulletins/issues", operationId: "listBulletins", access: "bulletins.read",
      summary: ["已签发通报", "Issued bulletins of your area, newest first"],
      scope: "bulletins of regions within your area (or within the region asked)",
      query: IssueListQuery, examples: { region: "430500" },
      success: { status: 200, description: "issued bulletins", schema: z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), issues: z.array(IssueView) }) },
      errors: [404],
    },
    {
      key: "GET /bulletins/issues/{id}", operationId: "downloadBulletin", access: "bulletins.read",
      summary: ["下载已签发通报", "An issued bulletin as issued: JSON, .docx or .xlsx"],
      scope: "the bulletin's region within your area",
      description: "Rendered again from the frozen snapshot; authorised and audited on every request.",
      params: IssueParam, query: DownloadQuery, examples: { id: "1", format: "docx" },
      success: { status: 200, description: `the issue and its bulletin (JSON); with format=docx or xlsx the file (${docx} / ${xlsx})`, schema: z.object({ issue: IssueView, model: BulletinModel }) },
    },
  ]),
];
