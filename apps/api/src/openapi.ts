import { Bundle, DisclosureBand, PlanLevel, ReportState, Schedule, Status } from "@minsheng/domain";
import { z } from "zod";
import { can, type Permission, Role, roleLabel } from "./auth/roles.js";
import { statusOfError } from "./lib/errors.js";
import { type Access, API_BASE, type ApiOperation, ErrorBody, errorStatuses, type Method, operationsOf, rolesFor } from "./lib/operation.js";
import { bulletinOperations, bulletinTags } from "./openapi-bulletins.js";
import { entries } from "./openapi-entry.js";
import { planEditorOperations } from "./openapi-plan-editor.js";
import { siteOperations, siteTags } from "./openapi-sites.js";
import { HistoryQuery, LogQuery } from "./routes/audit.js";
import { ConfirmBody, EnrolBody, LoginBody, PasswordChangeBody, SecondFactorBody } from "./routes/auth.js";
import { PlanParam as ExportParam } from "./routes/bundles.js";
import { EvidenceParam } from "./routes/evidence.js";
import { DisclosureQuery, PlanParam, ProgressQuery } from "./routes/progress.js";
import { ListQuery as ReportListQuery, PeriodQuery, ReportIdParam, ReviewBody, SaveBody, SubmitBody } from "./routes/reports.js";
import { NewUser, UserPatch, IdParam as UserIdParam } from "./routes/users.js";

/**
 * The OpenAPI 3.1 registry: every operation the API serves, with the very zod schemas its route
 * validates with (params, query, body), the permission it needs and what it answers. The document
 * at GET /api/v1/openapi.json is generated from this list; test/openapi.test.ts fails when a route
 * of the app has no entry here or an entry has no route, and test/authz-matrix.test.ts checks the
 * declared permissions against real answers.
 */


// ---------------------------------------------------------------------------------------------
// Answers. Documentation schemas for what the routes send back; the authorisation matrix parses
// every 2xx answer it sees with them, so they cannot drift from the code unnoticed.

const Problem = z.object({ path: z.string().describe("JSON path of the field, e.g. $.targets[3].value"), message: z.string() });

const Ok = z.object({ ok: z.literal(true) });
const Created = z.object({ id: z.number().int() });
const Timestamp = z.string().describe("ISO 8601 date-time");


const Me = z.object({
  username: z.string(),
  displayName: z.string(),
  role: Role,
  roleLabel: z.string(),
  region: z.string().nullable().describe("the region whose subtree the user may see; null for an admin"),
  unit: z.string().nullable(),
  via: z.enum(["session", "token"]),
  twoFactor: z.object({ enabled: z.boolean(), required: z.boolean().describe("whether REQUIRE_2FA makes it compulsory for this role") }),
});

const SecondStep = z.object({
  ok: z.literal(false),
  next: z.enum(["totp", "enrol"]).describe("totp: send a code to POST /auth/login/totp; enrol: set up an authenticator first (POST /auth/totp/enrol)"),
  challenge: z.string().describe("valid 5 minutes, 5 attempts"),
  expiresAt: Timestamp,
});

const PublicUser = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: Role,
  region: z.string().nullable(),
  unit: z.string().nullable(),
  disabled: z.boolean(),
  locked: z.boolean(),
  twoFactor: z.boolean().describe("two-factor sign-in is on"),
});

const ImportCounts = z.object({
  regions: z.number().int(),
  units: z.number().int(),
  plans: z.number().int(),
  items: z.number().int(),
  projects: z.number().int(),
  indicators: z.number().int(),
  targets: z.number().int(),
  progress: z.number().int(),
  disclosure: z.number().int(),
});

const PlanSummary = z.object({
  id: z.string(),
  year: z.number().int(),
  level: PlanLevel,
  region: z.string(),
  title: z.string(),
  schedule: Schedule,
  items: z.number().int(),
  projects: z.number().int(),
});

const StatusCounts = z.object({ completed: z.number().int(), on_schedule: z.number().int(), behind: z.number().int() });

const DisclosureSources = z
  .object({ content: z.number().int(), record: z.number().int() })
  .describe("how many obligations were judged from the sites' content and how many from imported records (rule 6)");
const DisclosureScore = z.object({ region: z.string(), compliant: z.number().int(), total: z.number().int(), score: z.number(), band: DisclosureBand, sources: DisclosureSources });
const LaggingMention = z.object({
  project: z.string(),
  projectTitle: z.string(),
  indicator: z.string(),
  indicatorName: z.string(),
  region: z.string(),
  regionName: z.string(),
  rate: z.number(),
  due: z.number(),
});
const PlanSentence = z
  .object({
    plan: z.string(),
    planTitle: z.string(),
    levelLabel: z.string(),
    countBy: z.enum(["project", "indicator"]),
    total: z.number().int(),
    completed: z.number().int(),
    onSchedule: z.number().int(),
    behind: z.number().int(),
    behindNames: z.array(z.string()),
    laggingNamed: z.array(LaggingMention),
    lagging: z.array(LaggingMention).optional(),
    annexNo: z.number().int(),
    text: z.string(),
  })
  .describe("the bulletin's summary sentence of the plan at the region and month (the same function)");

const PlanProgress = z.object({
  period: z.string(),
  region: z.string(),
  plan: z.string().optional(),
  indicators: z.array(
    z.object({
      indicator: z.string(),
      project: z.string(),
      plan: z.string(),
      region: z.string(),
      period: z.string(),
      target: z.number(),
      actual: z.number(),
      rate: z.number().describe("actual ÷ target in percent, 2 decimals; over 100 is kept"),
      due: z.number().describe("序时进度: share of the target due by the period, percent"),
      status: Status,
      linked: z.boolean(),
    }),
  ),
  projects: z.array(
    z.object({
      project: z.string(),
      plan: z.string(),
      region: z.string(),
      period: z.string(),
      progress: z.number(),
      due: z.number(),
      status: Status,
      indicators: z.array(z.string()),
    }),
  ),
  counts: StatusCounts.describe("this plan's projects by status"),
  lagging: z.array(z.object({ indicator: z.string(), project: z.string(), region: z.string(), rate: z.number(), due: z.number() })),
  disclosure: z.array(DisclosureScore).describe("rule 6: the figures of GET /disclosure/compliance"),
  falls: z.array(
    z.object({ indicator: z.string(), region: z.string(), period: z.string(), previousPeriod: z.string(), previous: z.number(), value: z.number() }),
  ),
  summary: PlanSentence,
});

const DisclosureScores = z.object({
  period: z.string(),
  region: z.string(),
  sources: DisclosureSources,
  scores: z.array(DisclosureScore.extend({ name: z.string(), bandLabel: z.string() })),
});

const ChainCheck = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  brokenAt: z.number().int().optional(),
  reason: z.string().optional(),
  anchoredAt: z.number().int().optional().describe("entries up to this seq were pruned by retention; the chain verifies from their anchor"),
});

const AuditRecord = z.object({
  seq: z.number().int(),
  at: Timestamp,
  actor: z.string(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});

const Named = { id: z.string(), name: z.string() };
const Region = z.object({ code: z.string(), name: z.string() });

const EvidenceView = z.object({
  id: z.string(),
  reportId: z.number().int(),
  filename: z.string(),
  mediaType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  uploadedBy: z.string().nullable(),
  uploadedAt: Timestamp,
  href: z.string().describe("GET it to download"),
});

const ReportView = z.object({
  id: z.number().int(),
  indicator: z.object({ ...Named, unit: z.string(), kind: z.string() }),
  project: z.object({ id: z.string(), title: z.string(), leadUnit: z.string() }),
  region: Region,
  period: z.string(),
  state: ReportState,
  stateLabel: z.string(),
  reportedValue: z.number(),
  verifiedValue: z.number().nullable(),
  countedValue: z.number().nullable().describe("what counts in published numbers (verified or reduced only)"),
  narrative: z.string(),
  fallReason: z.string().nullable(),
  reviewReason: z.string().nullable(),
  source: z.enum(["report", "import"]),
  version: z.number().int().describe("send it back when saving or reviewing: a stale one is a 409"),
  fall: z.object({ previous: z.number(), previousPeriod: z.string(), value: z.number() }).nullable().describe("环比下降: below the previous month's counted value"),
  previous: z.object({ period: z.string(), value: z.number() }).nullable(),
  evidenceCount: z.number().int(),
  createdBy: z.string().nullable(),
  updatedBy: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  createdAt: Timestamp.nullable(),
  updatedAt: Timestamp.nullable(),
  submittedAt: Timestamp.nullable(),
  reviewedAt: Timestamp.nullable(),
});

const ReportList = z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), reports: z.array(ReportView) });

const Tasks = z.object({
  period: z.string(),
  deadline: z.string().describe("last day to report the month, YYYY-MM-DD (China time)"),
  tasks: z.array(
    z.object({
      indicator: z.object({ ...Named, unit: z.string(), kind: z.string() }),
      project: z.object({ id: z.string(), title: z.string() }),
      unit: z.object(Named),
      region: Region,
      target: z.number(),
      report: z.object({ id: z.number().int(), state: ReportState, version: z.number().int() }).nullable(),
      previous: z.object({ period: z.string(), value: z.number() }).nullable(),
    }),
  ),
});

const Missing = z.object({
  period: z.string(),
  deadline: z.string(),
  pastDeadline: z.boolean(),
  total: z.number().int(),
  missing: z.array(
    z.object({
      unit: z.object(Named),
      region: Region,
      indicators: z.array(z.object({ ...Named, project: z.string(), state: ReportState.nullable(), reportId: z.number().int().nullable() })),
    }),
  ),
});

const OpenApiDocumentShape = z.looseObject({ openapi: z.literal("3.1.0"), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });

// ---------------------------------------------------------------------------------------------
// The registry.

export type Tag = "meta" | "auth" | "users" | "tokens" | "bundles" | "plans" | "disclosure" | "reports" | "evidence" | "audit" | "congress" | keyof typeof siteTags | keyof typeof bulletinTags;

export const tags: Record<Tag, string> = {
  meta: "文档与状态 · Docs and health",
  auth: "登录与会话 · Sign-in and sessions",
  users: "用户管理 · Users",
  tokens: "API 令牌 · API tokens",
  bundles: "计划导入导出 · Plan bundles (minsheng.bundle/v1)",
  plans: "计划与进度 · Plans and progress",
  disclosure: "信息公开 · Disclosure",
  reports: "月度填报与核验 · Monthly reports and review",
  evidence: "佐证材料 · Evidence files",
  audit: "审计 · Audit log",
  congress: "票决与测评 · Candidates, the deputies' vote, satisfaction ballots, look-back (rules 13-15)",
  ...siteTags,
  ...bulletinTags,
};

type ObjectSchema = z.ZodObject<z.ZodRawShape>;

const json = "application/json";

export const operations: ApiOperation[] = [
  // auth
  ...entries({ tag: "auth", access: "public" }, [
    {
      key: "POST /auth/login", operationId: "login",
      summary: ["登录", "Sign in (sets the HttpOnly session cookie)"],
      description:
        "Five failures in a row lock the account for 15 minutes (423), unknown usernames alike; attempts are counted before the password is checked, so parallel guesses lock it too. Twenty failures from one address within 15 minutes refuse it until then (429, Retry-After). A fresh session id at every sign-in. With two-factor sign-in (on for the user, or required for the role by REQUIRE_2FA) the answer is `{ ok: false, next, challenge }` instead: send a code to POST /auth/login/totp, or enrol first.",
      body: LoginBody, bodyExample: { username: "city", password: "" },
      success: { status: 200, description: "signed in (the session cookie is set), or the challenge of the second step", schema: z.union([Ok, SecondStep]) },
      errors: [401, 423, 429],
    },
    {
      key: "POST /auth/login/totp", operationId: "loginSecondFactor",
      summary: ["登录第二步：动态验证码", "Sign-in step 2: the authenticator code (or a recovery code)"],
      description: "Codes are RFC 6238 TOTP (SHA-1, 30 s, 6 digits, ±30 s); a code is accepted once. Wrong codes count towards the lockout.",
      body: SecondFactorBody, bodyExample: { challenge: "", code: "123456" },
      success: { status: 200, description: "signed in; the session cookie is set", schema: Ok },
      errors: [401, 423],
    },
    {
      key: "POST /auth/totp/enrol", operationId: "enrolTotp",
      summary: ["绑定身份验证器", "Enrol an authenticator app: a new secret, its otpauth:// URI and QR code"],
      description:
        "With the challenge of a sign-in that must enrol, or from a signed-in session. The secret stays pending (sealed) until POST /auth/totp/confirm. An administrator (系统/安全/审计管理员) also sends `enrolmentCode`, the one-time code from a security administrator (POST /users/{id}/totp/enrolment-code) or printed when the server created the account: without it 400, a wrong, used or expired one 403.",
      body: EnrolBody, bodyExample: {},
      success: { status: 200, description: "the secret (base32), URI and QR code (SVG); never cached", schema: z.object({ secret: z.string(), otpauthUri: z.string(), qrSvg: z.string() }) },
      errors: [401, 403, 409],
    },
    {
      key: "POST /auth/totp/confirm", operationId: "confirmTotp",
      summary: ["确认绑定并获取恢复码", "Confirm enrolment with a first code; get ten recovery codes (shown once)"],
      description: "An administrator sends the enrolment code again; it is used up here.",
      body: ConfirmBody, bodyExample: { code: "123456" },
      success: { status: 200, description: "on; with a challenge, also signed in", schema: z.object({ ok: z.literal(true), recoveryCodes: z.array(z.string()), signedIn: z.boolean() }) },
      errors: [401, 403, 409],
    },
    {
      key: "POST /auth/logout", operationId: "logout",
      summary: ["退出登录", "Sign out (ends the session)"],
      description: "Ends the session of the cookie sent. Without a session (no cookie, or one that no longer signs in) it does nothing and answers the same: no error, no audit entry.",
      success: { status: 200, description: "signed out", schema: Ok },
    },
  ]),
  ...entries({ tag: "auth" }, [
    {
      key: "GET /auth/me", operationId: "me", access: "signed-in",
      summary: ["当前用户", "Who I am"],
      success: { status: 200, description: "the caller", schema: Me },
    },
    {
      key: "POST /auth/password", operationId: "changePassword", access: "signed-in",
      summary: ["修改密码", "Change my own password (with the current one)"],
      description:
        "From a signed-in session (not a token). The new password follows the policy (at least 10 characters, letters and digits) and differs from the current one. A wrong current password counts towards the lockout (400 at $.currentPassword; 423 once locked). The user's other sessions end.",
      body: PasswordChangeBody, bodyExample: { currentPassword: "old-password-1", newPassword: "new-password-2" },
      success: { status: 200, description: "changed", schema: Ok },
      errors: [409, 423],
    },
  ]),
  // users
  ...entries({ tag: "users", access: "users.manage" }, [
    {
      key: "GET /users", operationId: "listUsers",
      summary: ["用户列表", "List users"],
      success: { status: 200, description: "every account", schema: z.object({ users: z.array(PublicUser) }) },
    },
    {
      key: "POST /users", operationId: "createUser",
      summary: ["新建用户", "Create a user"],
      body: NewUser,
      bodyExample: { username: "county2", displayName: "隆回县专班", password: "", role: "staff_county", region: "430524", unit: null },
      success: { status: 201, description: "created", schema: Created },
      errors: [409],
    },
    {
      key: "PATCH /users/{id}", operationId: "updateUser",
      summary: ["修改用户", "Change a user (role, area, status or password ends their sessions)"],
      params: UserIdParam, body: UserPatch, bodyExample: { disabled: false },
      description: "Not your own role, area or status (separation of duties). Permission changes are audited as user.permissions.",
      success: { status: 200, description: "changed", schema: Ok },
    },
    {
      key: "POST /users/{id}/totp/reset", operationId: "resetUserTotp",
      summary: ["重置两步验证", "Reset a user's two-factor sign-in (lost phone): they enrol again; their sessions end"],
      params: UserIdParam,
      success: { status: 200, description: "reset", schema: Ok },
    },
    {
      key: "POST /users/{id}/totp/enrolment-code", operationId: "issueEnrolmentCode",
      summary: ["生成绑定码", "Issue an administrator's one-time enrolment code (绑定码) for binding an authenticator"],
      description: "Administrators only, not enrolled yet (or reset), not yourself. Shown once, valid 7 days; an older code stops working. Hand it over in person.",
      params: UserIdParam,
      success: { status: 201, description: "the code, never cached", schema: z.object({ code: z.string(), expiresAt: z.string() }) },
      errors: [409],
    },
  ]),
  // bundles
  ...entries({ tag: "bundles" }, [
    {
      key: "POST /bundles", operationId: "importBundle", access: "plans.import",
      summary: ["导入计划数据包", "Import a minsheng.bundle/v1 document in one transaction"],
      description: "An invalid bundle changes nothing and is answered 400 with every problem and its JSON path. Progress rows count as verified figures.",
      body: Bundle,
      success: { status: 201, description: "imported rows by kind", schema: z.object({ imported: ImportCounts }) },
      errors: [413],
    },
    {
      key: "GET /bundles/{planId}", operationId: "exportBundle", access: "plans.export",
      summary: ["导出计划数据包", "Export a plan (with the plans it links to) as a bundle"],
      scope: "the plan's region must lie within your area, or your area within it (then only your area's figures are exported)",
      params: ExportParam, examples: { planId: "sy2024" },
      success: { status: 200, description: "the bundle (Content-Disposition: attachment)", schema: Bundle },
    },
  ]),
  // plans and progress
  ...entries({ tag: "plans" }, [
    {
      key: "GET /plans", operationId: "listPlans", access: "plans.read",
      summary: ["计划列表", "List plans"],
      scope: "plans issued within your area or above it",
      success: { status: 200, description: "plans, newest year first", schema: z.object({ plans: z.array(PlanSummary) }) },
    },
    {
      key: "GET /plans/{planId}/progress", operationId: "planProgress", access: "plans.read",
      summary: ["计划进度", "Progress of a plan at a month and region (rules 1-5)"],
      scope: "`region` must lie within your area",
      description:
        "Indicators and projects with rate, due share (序时进度) and status; lagging indicator-regions (every region below under the schedule line, also of indicators behind as a whole); month-on-month falls; disclosure scores (rule 6, as GET /disclosure/compliance); `counts` holds this plan's completed / on_schedule / behind; `summary` the bulletin's sentence.",
      params: PlanParam, query: ProgressQuery, examples: { planId: "hn2024", period: "2024-09", region: "430500" },
      success: { status: 200, description: "the evaluation", schema: PlanProgress },
    },
  ]),
  ...entries({ tag: "disclosure" }, [
    {
      key: "GET /disclosure/scores", operationId: "disclosureScores", access: "plans.read",
      summary: ["信息公开得分", "Disclosure scores of a region's children (rule 6)"],
      scope: "`region` must lie within your area",
      query: DisclosureQuery, examples: { period: "2024-09", region: "430500" },
      success: { status: 200, description: "scores, best first", schema: DisclosureScores },
      errors: [404],
    },
  ]),
  // reports
  ...entries({ tag: "reports" }, [
    {
      key: "GET /reports", operationId: "listReports", access: "reports.read",
      summary: ["填报列表", "Reports in your area, newest month first"],
      scope: "your region's subtree; `region` narrows it and must lie within your area",
      query: ReportListQuery, examples: { period: "2024-09", region: "430523", limit: "20" },
      success: { status: 200, description: "a page of reports, reported and verified values kept apart", schema: ReportList },
      errors: [404],
    },
    {
      key: "GET /reports/tasks", operationId: "reportTasks", access: "reports.write",
      summary: ["本月待填报", "What is due from me for the month and not yet submitted"],
      scope: "your region's subtree and, for a reporter tied to a unit, that unit's projects",
      query: PeriodQuery, examples: { period: "2024-10" },
      success: { status: 200, description: "due indicator-regions with the report so far, if any", schema: Tasks },
    },
    {
      key: "GET /reports/missing", operationId: "missingReports", access: "reports.read", notFor: ["reporter"],
      summary: ["逾期未报", "Reports still missing after the month's deadline, per unit and region"],
      scope: "your region's subtree",
      query: PeriodQuery, examples: { period: "2024-09" },
      success: { status: 200, description: "missing reports grouped by unit and region (none before the deadline)", schema: Missing },
    },
    {
      key: "PUT /reports", operationId: "saveReport", access: "reports.write",
      summary: ["保存填报草稿", "Create or update the draft for an indicator, region and month"],
      scope: "`region` within your area; a reporter tied to a unit reports only that unit's projects",
      description: "Every problem is listed at once (400), a region outside your area included. A stale `version` is a 409; a submitted or verified report cannot be edited (409).",
      body: SaveBody, bodyExample: { indicator: "hn2024-p14-a", region: "430523", period: "2024-10", value: 85, narrative: "进展情况" },
      success: { status: 201, alsoStatus: 200, description: "201 created, 200 updated: the report", schema: ReportView },
      errors: [409],
    },
    {
      key: "GET /reports/{id}", operationId: "getReport", access: "reports.read",
      summary: ["填报详情", "One report with its evidence"],
      scope: "the report's region must lie within your area",
      params: ReportIdParam, examples: { id: "1" },
      success: { status: 200, description: "the report", schema: ReportView.extend({ evidence: z.array(EvidenceView) }) },
    },
    {
      key: "POST /reports/{id}/submit", operationId: "submitReport", access: "reports.write",
      summary: ["提交核验", "Submit a draft or returned report for review"],
      scope: "the report's region within your area and, for a unit's reporter, a project of that unit",
      description: "Needs a narrative; a value below last month's counted one needs a `fallReason` (环比下降).",
      params: ReportIdParam, body: SubmitBody, bodyExample: {},
      success: { status: 200, description: "the submitted report", schema: ReportView },
      errors: [409],
    },
    {
      key: "POST /reports/{id}/review", operationId: "reviewReport", access: "reports.review",
      summary: ["核验", "Verify, reduce (核减), return or reopen a report"],
      scope: "the report's region must lie within your area",
      description: "Acts on the version you saw; of two reviewers at once one wins and the other gets 409. Imported official figures cannot be reviewed (409).",
      params: ReportIdParam, body: ReviewBody, bodyExample: { version: 2, action: "verify" },
      success: { status: 200, description: "the reviewed report", schema: ReportView },
      errors: [409],
    },
  ]),
  // evidence
  ...entries({ tag: "evidence" }, [
    {
      key: "POST /reports/{id}/evidence", operationId: "addEvidence", access: "reports.write",
      summary: ["上传佐证材料", "Attach an evidence file to a draft or returned report"],
      scope: "the report's region within your area and, for a unit's reporter, a project of that unit",
      description: "Images (JPEG, PNG, GIF, WebP), PDF, Word and Excel, recognised from the bytes (name and declared type are not trusted): else 415; over the size limit 413.",
      params: ReportIdParam, upload: { field: "file", description: "the file" },
      success: { status: 201, description: "the stored file", schema: EvidenceView },
      errors: [409, 413, 415],
    },
    {
      key: "GET /reports/{id}/evidence", operationId: "listEvidence", access: "evidence.read",
      summary: ["佐证材料列表", "The evidence files of a report"],
      scope: "the report's region must lie within your area",
      params: ReportIdParam, examples: { id: "1" },
      success: { status: 200, description: "files, oldest first", schema: z.object({ evidence: z.array(EvidenceView) }) },
    },
    {
      key: "GET /evidence/{id}", operationId: "downloadEvidence", access: "evidence.read",
      summary: ["下载佐证材料", "Download an evidence file (always as an attachment)"],
      scope: "the report's region must lie within your area",
      params: EvidenceParam,
      success: { status: 200, description: "the file, with its detected type", media: "application/octet-stream" },
    },
    {
      key: "DELETE /evidence/{id}", operationId: "deleteEvidence", access: "reports.write",
      summary: ["删除佐证材料", "Remove an evidence file while its report is a draft or returned"],
      scope: "the report's region within your area and, for a unit's reporter, a project of that unit",
      params: EvidenceParam,
      success: { status: 200, description: "removed", schema: Ok },
      errors: [409],
    },
  ]),
  // audit
  ...entries({ tag: "audit" }, [
    {
      key: "GET /audit/log", operationId: "auditLog", access: "audit.read",
      summary: ["审计日志", "The audit log, newest first: sign-ins, refused requests, permission changes, every change"],
      description: "Filter by action (or a prefix such as `auth.`), actor, entity and time. Refused requests are `authz.denied`; permission changes `user.permissions`, `user.totp_reset`, `user.enrolment_code`, `token.*`.",
      query: LogQuery, examples: { action: "auth." },
      success: { status: 200, description: "entries", schema: z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), entries: z.array(AuditRecord) }) },
    },
    {
      key: "GET /audit/verify", operationId: "verifyAudit", access: "audit.read",
      summary: ["校验审计链", "Recompute the hash chain of the audit log"],
      success: { status: 200, description: "whether every entry matches its hash and link", schema: ChainCheck },
    },
    {
      key: "GET /audit/history", operationId: "auditHistory", access: "audit.history",
      summary: ["记录变更历史", "Who changed what when, for one record"],
      scope: "the record must belong to your area (a user's region, a plan's region, a report's region); the audit administrator sees every record",
      query: HistoryQuery, examples: { entity: "user", id: "county" },
      success: { status: 200, description: "entries, oldest first", schema: z.object({ entries: z.array(AuditRecord) }) },
    },
  ]),
  // 码上通: project sites, content, feedback, rule 6 from content, the public side (openapi-sites.ts)
  ...siteOperations,
  // 计划管理: plans, items, projects, indicators, targets and schedules (openapi-plan-editor.ts)
  ...planEditorOperations,
  // 通报 and the Excel import of monthly figures (openapi-bulletins.ts)
  ...bulletinOperations,
];

// ---------------------------------------------------------------------------------------------
// Routes of the app as registry keys ("GET /plans/{planId}/progress").

export { type Access, API_BASE, type ApiOperation, ErrorBody, errorStatuses, type Method, rolesFor };

/** Every operation an app serves: those declared beside their handlers, and those still listed here. */
export const allOperations = (app: object): ApiOperation[] => [...operationsOf(app), ...operations];

export const operationKey = (op: Pick<ApiOperation, "method" | "path">) => `${op.method.toUpperCase()} ${op.path}`;

/**
 * The operations a Hono app serves (`app.routes`), as registry keys. Middleware (`use`: method ALL
 * on a wildcard path) is left out; paths outside /api/v1 keep their full form (and so match no
 * entry, on purpose).
 */
export function routeKeys(routes: ReadonlyArray<{ method: string; path: string }>): string[] {
  const keys = new Set<string>();
  for (const r of routes) {
    if (r.method === "ALL" && r.path.endsWith("*")) continue;
    let path = r.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");
    if (path === API_BASE || path.startsWith(`${API_BASE}/`)) path = path.slice(API_BASE.length) || "/";
    keys.add(`${r.method.toUpperCase()} ${path}`);
  }
  return [...keys].sort();
}

// ---------------------------------------------------------------------------------------------
// The document.

type JsonSchema = Record<string, unknown>;

const errorText: Record<number, string> = {
  400: "输入无效 · invalid input: every problem with its JSON path",
  401: "未登录 · not signed in, session expired, or a bad token",
  403: "无权限 · your role lacks the permission, the region is outside your area, or a cross-site write",
  404: "不存在 · not found",
  409: "冲突 · conflict with the current state",
  413: "过大 · payload too large: a JSON body over 1 MB, or a file over the route's limit (refused as it streams)",
  415: "类型不支持 · unsupported media type",
  423: "账户锁定 · account locked after repeated failures",
  429: "请求过多 · too many requests",
};

const codesFor = (status: number) => Object.entries(statusOfError).filter(([, s]) => s === status).map(([code]) => code);

export interface OpenApiOptions {
  version?: string;
  /** throw on a schema JSON Schema cannot express (tests) instead of documenting it as `{}` */
  strict?: boolean;
}

/** Builds the OpenAPI 3.1 document from the registry. */
export function legacyDocument(options: OpenApiOptions = {}): Record<string, unknown> {
  const schemas: Record<string, JsonSchema> = {};
  const named = new Map<z.ZodType, string>([[Bundle, "Bundle"], [ErrorBody, "Error"]]);

  const convert = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
    const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: options.strict ? "throw" : "any" }) as JsonSchema;
    return rest;
  };
  const schemaOf = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
    const name = named.get(schema);
    if (!name) return convert(schema, io);
    const id = io === "input" ? `${name}Input` : name;
    schemas[id] ??= convert(schema, io);
    return { $ref: `#/components/schemas/${id}` };
  };

  const parameters = (op: ApiOperation) => {
    const out: Record<string, unknown>[] = [];
    for (const [where, schema] of [["path", op.params], ["query", op.query]] as const) {
      if (!schema) continue;
      const s = convert(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, prop] of Object.entries(s.properties ?? {})) {
        const { description, ...rest } = prop;
        out.push({
          name,
          in: where,
          required: where === "path" || (s.required ?? []).includes(name),
          ...(description ? { description } : {}),
          schema: rest,
          ...(op.examples?.[name] !== undefined ? { example: op.examples[name] } : {}),
        });
      }
    }
    return out;
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const access =
      op.access === "public"
        ? "公开 · public: no sign-in needed"
        : op.access === "signed-in"
          ? "登录用户 · any signed-in user"
          : `权限 · permission \`${op.access}\`${op.notFor?.length ? ` except ${op.notFor.join(", ")}` : ""}: ${rolesFor(op).map((r) => `${r} (${roleLabel[r]})`).join(", ")}`;
    const description = [op.description, `**${access}**`, op.scope ? `区域 · region check: ${op.scope}` : undefined].filter(Boolean).join("\n\n");
    const success = {
      description: op.success.description,
      content: { [op.success.media ?? json]: { schema: op.success.schema ? schemaOf(op.success.schema, "output") : { type: "string", contentMediaType: op.success.media } } },
    };
    const responses: Record<string, unknown> = { [op.success.status]: success, ...(op.success.alsoStatus ? { [op.success.alsoStatus]: success } : {}) };
    for (const status of errorStatuses(op)) {
      const codes = codesFor(status);
      responses[status] = {
        description: `${errorText[status] ?? "error"}${codes.length ? ` (${codes.join(", ")})` : ""}`,
        content: { [json]: { schema: schemaOf(ErrorBody, "output") } },
      };
    }
    const params = parameters(op);
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: `${op.summary[0]} · ${op.summary[1]}`,
      description,
      ...(params.length ? { parameters: params } : {}),
      ...(op.upload
        ? {
            requestBody: {
              required: true,
              content: {
                "multipart/form-data": {
                  schema: { type: "object", properties: { [op.upload.field]: { type: "string", contentMediaType: "application/octet-stream", description: op.upload.description } }, required: [op.upload.field] },
                },
              },
            },
          }
        : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { [json]: { schema: schemaOf(op.body, "input"), ...(op.bodyExample !== undefined ? { example: op.bodyExample } : {}) } },
            },
          }
        : {}),
      responses,
      ...(op.access === "public" ? { security: [] } : {}),
      "x-permission": op.access,
      ...(op.access !== "public" && op.access !== "signed-in" ? { "x-roles": rolesFor(op) } : {}),
    };
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "民生实事 API",
      version: options.version ?? "0.1.0",
      description:
        "重点民生实事平台接口 · API of the key livelihood projects platform. Sign in with POST /auth/login (session cookie) or send `Authorization: Bearer <token>`. Every error answers `{ error: { code, message, problems } }`.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: API_BASE }],
    tags: Object.entries(tags).map(([name, description]) => ({ name, description })),
    security: [{ session: [] }, { bearer: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "ms_session", description: "set by POST /auth/login (`__Host-ms_session` in production)" },
        bearer: { type: "http", scheme: "bearer", description: "an API token issued by a security administrator (POST /tokens); never for an administrator account" },
      },
    },
  };
}
