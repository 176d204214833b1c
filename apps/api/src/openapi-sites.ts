import { DisclosureBand, FeedbackKind, FeedbackState, SatisfactionRating, Status } from "@minsheng/domain";
import { z } from "zod";
import { ContentKind, ContentPatch, NewContent } from "./lib/content.js";
import { DisclosureSettings } from "./lib/settings.js";
import type { ApiOperation } from "./openapi.js";
import { entries } from "./openapi-entry.js";
import { DisclosureQuery } from "./routes/progress.js";
import { AnswerBody, FeedbackIdParam, InboxQuery, ModerateBody } from "./routes/feedback.js";
import { FeedbackBody, FileIdParam, PublicSiteQuery, RatingBody, TicketParam } from "./routes/public.js";
import {
  ContentIdParam,
  ContentListQuery,
  ProjectParam,
  SiteListQuery,
  SiteParam,
  SitePatch,
  SiteRegionQuery,
  StatsQuery,
} from "./routes/sites.js";

/**
 * The OpenAPI entries of 码上通 (project sites, their content, citizens' feedback, rule 6 from
 * real content, the public side), kept beside the registry in openapi.ts, which lists them.
 */

export const siteTags = {
  sites: "码上通项目点位 · Project sites, QR codes and site signs",
  content: "公开内容 · Published content of a site (policy documents, localised content, work updates)",
  feedback: "意见建议办理 · Citizens' feedback: inbox, moderation, answers",
  public: "码上通公众端 · The public side (no sign-in)",
} as const;

const Timestamp = z.string().describe("ISO 8601 date-time");
const Day = z.string().describe("YYYY-MM-DD (China time)");

const SiteSummary = z.object({
  code: z.string().describe("8 characters of Crockford base32, stable"),
  url: z.string().describe("the public page the QR code opens"),
  project: z.object({ id: z.string(), no: z.number().int(), title: z.string() }),
  item: z.object({ id: z.string(), no: z.number().int(), title: z.string() }),
  plan: z.object({ id: z.string(), title: z.string(), year: z.number().int(), level: z.string() }),
  region: z.object({ code: z.string(), name: z.string(), path: z.array(z.string()) }),
  unit: z.object({ id: z.string(), name: z.string() }),
  contact: z.string(),
  location: z.string(),
  version: z.number().int(),
});
const SiteCounts = z.object({
  policies: z.number().int(),
  localised: z.number().int(),
  updates: z.number().int(),
  pending: z.number().int(),
  open: z.number().int(),
  answered: z.number().int(),
});
const SiteList = z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), sites: z.array(SiteSummary.extend({ counts: SiteCounts })) });
const SiteStats = z.object({
  region: z.string().nullable(),
  unit: z.string().nullable(),
  policyDocuments: z.number().int().describe("公开政策文件"),
  localisedUpdates: z.number().int().describe("本地化更新"),
  workUpdates: z.number().int().describe("发布工作动态"),
  suggestionsReceived: z.number().int().describe("吸纳群众意见建议 (all but those rejected as spam)"),
  suggestionsAnswered: z.number().int(),
  awaitingModeration: z.number().int(),
  rejected: z.number().int(),
  processingRate: z.number().describe("处理率 = answered ÷ received, 4 decimals (1 with none)"),
  processingRatePercent: z.number(),
});
const FileView = z.object({ id: z.string(), filename: z.string(), mediaType: z.string(), size: z.number().int(), url: z.string().describe("public while the content is published") });
const ContentView = z.object({
  id: z.number().int(),
  site: z.string(),
  kind: ContentKind,
  kindLabel: z.string(),
  title: z.string(),
  issuer: z.string(),
  date: z.string().nullable(),
  url: z.string().nullable(),
  text: z.string(),
  published: z.boolean(),
  publishedAt: Timestamp.nullable(),
  version: z.number().int().describe("send it back when editing: a stale one is a 409"),
  createdBy: z.string(),
  updatedBy: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  files: z.array(FileView),
});
const FeedbackView = z.object({
  id: z.number().int(),
  ticket: z.string(),
  site: z.object({
    code: z.string(),
    project: z.object({ id: z.string(), title: z.string() }),
    region: z.object({ code: z.string(), name: z.string() }),
    unit: z.object({ id: z.string(), name: z.string() }),
  }),
  kind: FeedbackKind,
  kindLabel: z.string(),
  text: z.string(),
  phone: z.string().nullable().describe("always masked: 138****5678"),
  hasPhone: z.boolean(),
  photo: z.string().nullable(),
  state: FeedbackState,
  stateLabel: z.string(),
  receivedAt: Timestamp,
  receivedOn: Day,
  dueOn: Day.describe("reply deadline: the configured working days after receipt"),
  overdue: z.boolean(),
  answeredLate: z.boolean(),
  moderatedBy: z.string().nullable(),
  moderatedAt: Timestamp.nullable(),
  rejectReason: z.string().nullable(),
  answer: z.string().nullable(),
  internalNote: z.string().nullable(),
  answeredBy: z.string().nullable(),
  answeredAt: Timestamp.nullable(),
  answeredOn: Day.nullable(),
  version: z.number().int(),
});
const Inbox = z.object({
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  today: Day,
  counts: z.object({ pending: z.number().int(), open: z.number().int(), answered: z.number().int(), rejected: z.number().int(), overdue: z.number().int() }),
  feedback: z.array(FeedbackView),
});
const Compliance = z.object({
  period: z.string(),
  region: z.string(),
  plan: z.string().optional(),
  asOf: Day,
  checklist: DisclosureSettings,
  sources: z.object({ content: z.number().int(), record: z.number().int() }),
  scores: z.array(
    z.object({
      region: z.string(),
      name: z.string(),
      compliant: z.number().int(),
      total: z.number().int(),
      score: z.number(),
      band: DisclosureBand,
      bandLabel: z.string(),
      sources: z.object({ content: z.number().int(), record: z.number().int() }).describe("where this region's records came from"),
    }),
  ),
  nonCompliant: z.array(
    z.object({
      code: z.string().nullable(),
      project: z.string(),
      projectTitle: z.string(),
      region: z.string(),
      regionName: z.string(),
      source: z.enum(["content", "record"]),
      compliant: z.boolean(),
      missed: z.array(z.object({ obligation: z.string(), label: z.string() })).nullable().describe("null for an imported record"),
    }),
  ),
});
const Satisfaction = z.object({
  satisfied: z.number().int(),
  basically_satisfied: z.number().int(),
  dissatisfied: z.number().int(),
  total: z.number().int(),
  satisfactionRate: z.number().nullable(),
});
const PublicFile = FileView;
const PublicSite = z.object({
  code: z.string(),
  url: z.string(),
  project: z.object({ id: z.string(), no: z.number().int(), title: z.string() }),
  item: z.object({ id: z.string(), no: z.number().int(), title: z.string() }),
  plan: z.object({ id: z.string(), title: z.string(), year: z.number().int() }),
  unit: z.object({ name: z.string() }),
  region: z.object({ code: z.string(), name: z.string(), path: z.array(z.string()) }),
  location: z.string(),
  contact: z.string(),
  targets: z.array(z.object({ indicator: z.string(), name: z.string(), unit: z.string(), target: z.number() })),
  progress: z.object({
    period: z.string().nullable().describe("the latest month with verified figures; null before any"),
    progress: z.number().nullable(),
    due: z.number().nullable().describe("序时进度, percent"),
    status: Status.nullable(),
    statusLabel: z.string().nullable(),
    indicators: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        unit: z.string(),
        kind: z.string(),
        target: z.number(),
        actual: z.number().nullable(),
        rate: z.number().nullable(),
        due: z.number().nullable(),
        status: Status.nullable(),
        statusLabel: z.string().nullable(),
      }),
    ),
  }),
  timeline: z.array(z.object({ id: z.number().int(), date: z.string().nullable(), text: z.string(), publishedAt: Timestamp.nullable(), photos: z.array(z.object({ id: z.string(), url: z.string() })) })),
  policies: z.array(
    z.object({ id: z.number().int(), title: z.string(), issuer: z.string(), date: z.string().nullable(), url: z.string().nullable(), text: z.string(), files: z.array(PublicFile) }),
  ),
  localised: z.array(z.object({ id: z.number().int(), title: z.string(), text: z.string(), publishedAt: Timestamp.nullable(), files: z.array(PublicFile) })),
  suggestions: z.array(z.object({ kind: FeedbackKind, kindLabel: z.string(), text: z.string(), receivedOn: Day, answer: z.string(), answeredOn: Day })),
  counts: z.object({ suggestionsReceived: z.number().int(), suggestionsAnswered: z.number().int(), processingRate: z.number() }),
  satisfaction: Satisfaction,
  rectifications: z
    .array(z.object({ number: z.string(), kind: z.string(), subject: z.string(), acceptedAt: z.string(), reply: z.string() }))
    .describe("督办整改: letters about this project closed (销号) and marked public by the task force"),
});
const PublicSiteList = z.object({
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  sites: z.array(
    z.object({
      code: z.string(),
      url: z.string(),
      project: z.object({ no: z.number().int(), title: z.string() }),
      item: z.object({ id: z.string(), no: z.number().int(), title: z.string() }),
      plan: z.object({ title: z.string(), year: z.number().int() }),
      region: z.object({ code: z.string(), name: z.string(), path: z.array(z.string()) }),
      unit: z.object({ name: z.string() }),
    }),
  ),
  facets: z
    .object({
      regions: z.array(z.object({ code: z.string(), name: z.string(), path: z.array(z.string()) })),
      items: z.array(z.object({ id: z.string(), no: z.number().int(), title: z.string(), plan: z.object({ title: z.string(), year: z.number().int() }) })),
    })
    .describe("every region and item that has a site, whatever the query: the browse page's choices"),
});
const Ticket = z.object({
  ticket: z.string(),
  site: z.object({ code: z.string(), project: z.string(), region: z.string() }),
  kind: FeedbackKind,
  kindLabel: z.string(),
  text: z.string(),
  state: FeedbackState,
  stateLabel: z.string(),
  receivedOn: Day,
  dueOn: Day,
  answer: z.string().nullable(),
  answeredOn: Day.nullable(),
});

const areaScope = "`region` (your area by default) must lie within your area; a reporter tied to a unit sees only that unit's projects";
const siteScope = "the site's region must lie within your area; a reporter tied to a unit acts only on projects that unit leads";
const feedbackScope = "the feedback's site must lie within your area (a unit's reporter: its unit's projects)";

export const siteOperations: ApiOperation[] = [
  // sites
  ...entries({ tag: "sites" }, [
    {
      key: "GET /sites", operationId: "listSites", access: "sites.read",
      summary: ["项目点位列表", "Project sites of your area with their codes and counts"],
      scope: areaScope,
      description: "A site is a project in a region where it has a target (its own or one below); sites are created on first use and keep their code across re-imports.",
      query: SiteListQuery, examples: { region: "430523", limit: "20" },
      success: { status: 200, description: "a page of sites", schema: SiteList },
      errors: [404],
    },
    {
      key: "GET /sites/stats", operationId: "siteStats", access: "sites.read",
      summary: ["码上通统计", "Seed 003's figures: documents, localised updates, work updates, suggestions, 处理率"],
      scope: areaScope,
      query: StatsQuery, examples: { region: "430523" },
      success: { status: 200, description: "the counts", schema: SiteStats },
      errors: [404],
    },
    {
      key: "PATCH /sites/{code}", operationId: "updateSite", access: "content.write",
      summary: ["修改点位信息", "Contact and location printed on the site sign"],
      scope: siteScope,
      params: SiteParam, body: SitePatch, bodyExample: { contact: "邵阳县卫健局 0739-6822000", location: "塘渡口镇" },
      success: { status: 200, description: "the site", schema: SiteSummary },
      errors: [409],
    },
  ]),
  ...entries({ tag: "sites", access: "sites.read", scope: siteScope }, [
    {
      key: "GET /projects/{id}/qr.svg", operationId: "siteQrSvg",
      summary: ["点位二维码（SVG）", "QR code of the site's public page, as SVG"],
      description: "Encodes `<PUBLIC_BASE_URL>/p/<code>` (never the request's Host).",
      params: ProjectParam, query: SiteRegionQuery, examples: { id: "hn2024-p04", region: "430523" },
      success: { status: 200, description: "SVG", media: "image/svg+xml" },
    },
    {
      key: "GET /projects/{id}/qr.png", operationId: "siteQrPng",
      summary: ["点位二维码（PNG）", "QR code as a 1240 × 1240 px PNG (print resolution)"],
      params: ProjectParam, query: SiteRegionQuery, examples: { id: "hn2024-p04", region: "430523" },
      success: { status: 200, description: "PNG", media: "image/png" },
    },
    {
      key: "GET /projects/{id}/sign.pdf", operationId: "siteSign",
      summary: ["项目公示牌（PDF）", "Printable A4 site sign: project, unit, location, targets, contact, QR code"],
      params: ProjectParam, query: SiteRegionQuery, examples: { id: "hn2024-p04", region: "430523" },
      success: { status: 200, description: "PDF (fonts embedded)", media: "application/pdf" },
    },
  ]),
  // content
  ...entries({ tag: "content" }, [
    {
      key: "GET /sites/{code}/content", operationId: "listContent", access: "sites.read",
      summary: ["点位公开内容", "Everything a site has, unpublished content included"],
      scope: siteScope,
      params: SiteParam, query: ContentListQuery,
      success: { status: 200, description: "the site and its content, newest first", schema: z.object({ site: SiteSummary, content: z.array(ContentView) }) },
    },
  ]),
  ...entries({ tag: "content", access: "content.write", scope: siteScope }, [
    {
      key: "POST /sites/{code}/content", operationId: "publishContent",
      summary: ["发布公开内容", "Publish a policy document (政策文件), localised content (本地化更新) or a work update (工作动态)"],
      params: SiteParam, body: NewContent,
      bodyExample: { kind: "update", text: "托育中心主体完工。", date: "2024-10-08" },
      success: { status: 201, description: "published", schema: ContentView },
    },
    {
      key: "PATCH /content/{id}", operationId: "editContent",
      summary: ["修改或撤回公开内容", "Edit, unpublish (published: false) or publish again"],
      params: ContentIdParam, body: ContentPatch, bodyExample: { version: 1, published: false },
      success: { status: 200, description: "the content", schema: ContentView },
      errors: [409],
    },
    {
      key: "POST /content/{id}/files", operationId: "attachContentFile",
      summary: ["上传附件或照片", "Attach a photo (any content) or a PDF/Word/Excel file (policy documents)"],
      description: "The type is recognised from the bytes: photos are JPEG, PNG, GIF or WebP (415 otherwise); at most 9 files.",
      params: ContentIdParam, upload: { field: "file", description: "the file" },
      success: { status: 201, description: "the stored file and the content", schema: FileView.extend({ content: ContentView }) },
      errors: [409, 413, 415],
    },
  ]),
  // feedback
  ...entries({ tag: "feedback" }, [
    {
      key: "GET /feedback", operationId: "feedbackInbox", access: "feedback.read",
      summary: ["意见建议收件箱", "Inbox: citizens' feedback with reply deadline and overdue flag (phones masked)"],
      scope: areaScope,
      query: InboxQuery, examples: { state: "pending" },
      success: { status: 200, description: "a page of feedback, oldest waiting first, with counts", schema: Inbox },
      errors: [404],
    },
    {
      key: "GET /feedback/{id}", operationId: "getFeedback", access: "feedback.read",
      summary: ["意见建议详情", "One piece of feedback (phone masked)"],
      scope: feedbackScope,
      params: FeedbackIdParam,
      success: { status: 200, description: "the feedback", schema: FeedbackView.extend({ mayRevealPhone: z.boolean(), othersFromSamePhone: z.number().int() }) },
    },
    {
      key: "POST /feedback/{id}/moderate", operationId: "moderateFeedback", access: "feedback.moderate",
      summary: ["审核意见建议", "Moderation: approve (→ open) or reject as spam"],
      scope: feedbackScope,
      params: FeedbackIdParam, body: ModerateBody, bodyExample: { action: "approve" },
      success: { status: 200, description: "the feedback", schema: FeedbackView },
      errors: [409],
    },
    {
      key: "POST /feedback/{id}/answer", operationId: "answerFeedback", access: "feedback.answer",
      summary: ["答复意见建议", "Answer (closes it; published with the suggestion, rule 10)"],
      scope: feedbackScope,
      params: FeedbackIdParam, body: AnswerBody, bodyExample: { answer: "已协调解决。" },
      success: { status: 200, description: "the answered feedback", schema: FeedbackView },
      errors: [409],
    },
    {
      key: "POST /feedback/{id}/phone", operationId: "revealFeedbackPhone", access: "feedback.answer",
      summary: ["查看联系电话", "The phone number in clear, for the answering unit only (audited)"],
      scope: `${feedbackScope}; and you are its answering unit: the project's lead unit or the office of the site's own region (never an administrator: PIPL need to know)`,
      notFor: ["admin"],
      params: FeedbackIdParam,
      success: { status: 200, description: "the number (Cache-Control: no-store)", schema: z.object({ id: z.number().int(), ticket: z.string(), phone: z.string() }) },
    },
    {
      key: "GET /feedback/{id}/photo", operationId: "feedbackPhoto", access: "feedback.read",
      summary: ["意见建议照片", "The citizen's photo (never public)"],
      scope: feedbackScope,
      params: FeedbackIdParam,
      success: { status: 200, description: "the image", media: "image/*" },
    },
  ]),
  // disclosure from content
  ...entries({ tag: "disclosure" }, [
    {
      key: "GET /disclosure/compliance", operationId: "disclosureCompliance", access: "plans.read",
      summary: ["信息公开达标情况", "Rule 6 from the sites' real content: scores per county and what each non-compliant site misses"],
      scope: "`region` must lie within your area",
      description: "A site that published anything by the end of the month is judged on its content with the checklist; one that did not keeps its imported record; in a month without any content the imported records stand (the scores of /disclosure/scores).",
      query: DisclosureQuery, examples: { period: "2024-10", region: "430500" },
      success: { status: 200, description: "scores, best first, and the non-compliant sites", schema: Compliance },
      errors: [404],
    },
    {
      key: "GET /disclosure/checklist", operationId: "getDisclosureChecklist", access: "plans.read",
      summary: ["信息公开考核清单", "The checklist in force (obligations, reply deadline, calendar)"],
      success: { status: 200, description: "the checklist", schema: DisclosureSettings },
    },
    {
      key: "PUT /disclosure/checklist", operationId: "setDisclosureChecklist", access: "settings.manage",
      summary: ["设置信息公开考核清单", "Set the checklist (audited)"],
      body: DisclosureSettings, bodyExample: { policyDocument: true, localisedContent: true, monthlyWorkUpdate: true, answeredInTime: true, replyWorkingDays: 5, holidays: ["2024-10-01"] },
      success: { status: 200, description: "the checklist", schema: DisclosureSettings },
    },
  ]),
  // public
  ...entries({ tag: "public", access: "public" }, [
    {
      key: "GET /public/sites", operationId: "publicSites",
      summary: ["浏览项目", "Browse and search sites by region, item and name (ETag, max-age=60)"],
      query: PublicSiteQuery, examples: { region: "430523", q: "托育" },
      success: { status: 200, description: "a page of sites", schema: PublicSiteList },
      errors: [404],
    },
    {
      key: "GET /public/sites/{code}", operationId: "publicSite",
      summary: ["项目公开页", "A site's public page: verified progress, timeline, documents, answers, satisfaction (ETag, max-age=60)"],
      params: SiteParam,
      success: { status: 200, description: "the page (304 on If-None-Match)", schema: PublicSite },
    },
    {
      key: "POST /public/sites/{code}/feedback", operationId: "leaveFeedback",
      summary: ["提交意见建议", "Leave a suggestion, complaint, question or praise; answers a ticket number"],
      description: "JSON, or multipart/form-data with the same fields and an optional `photo` (JPEG, PNG, GIF, WebP). New feedback awaits moderation. The same text at the same site within 24 hours is a 409 (never naming the earlier ticket: that is its sender's); too many requests from one client a 429 with Retry-After.",
      params: SiteParam, body: FeedbackBody, bodyExample: { kind: "suggestion", text: "希望增加周末托管服务。", phone: "13812345678" },
      success: { status: 201, description: "the ticket", schema: z.object({ ticket: z.string(), state: FeedbackState, stateLabel: z.string(), receivedOn: Day, dueOn: Day, lookup: z.string() }) },
      errors: [409, 413, 415, 429],
    },
    {
      key: "POST /public/sites/{code}/rating", operationId: "rateSite",
      summary: ["满意度测评", "Rate the project: one rating per client, site and day"],
      params: SiteParam, body: RatingBody, bodyExample: { rating: "satisfied" },
      success: { status: 201, description: "the site's satisfaction now", schema: z.object({ rating: SatisfactionRating, satisfaction: Satisfaction }) },
      errors: [409, 429],
    },
    {
      key: "GET /public/tickets/{ticket}", operationId: "lookupTicket",
      summary: ["查询办理进度", "A ticket's status and answer (never the phone; no-store)"],
      params: TicketParam,
      success: { status: 200, description: "the ticket", schema: Ticket },
      errors: [429],
    },
    {
      key: "GET /public/files/{id}", operationId: "publicFile",
      summary: ["公开附件", "A photo or document of published content"],
      params: FileIdParam,
      success: { status: 200, description: "the file", media: "application/octet-stream" },
    },
  ]),
];
