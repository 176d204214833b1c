import { Bundle, DisclosureBand, PlanLevel, Schedule, Status } from "@minsheng/domain";
import { z } from "zod";
import { can, type Permission, roleLabel } from "./auth/roles.js";
import { statusOfError } from "./lib/errors.js";
import { type Access, API_BASE, type ApiOperation, ErrorBody, errorStatuses, type Method, operationsOf, rolesFor } from "./lib/operation.js";
import { bulletinOperations, bulletinTags } from "./openapi-bulletins.js";
import { entries } from "./openapi-entry.js";
import { planEditorOperations } from "./openapi-plan-editor.js";
import { siteOperations, siteTags } from "./openapi-sites.js";
import { HistoryQuery, LogQuery } from "./routes/audit.js";
import { PlanParam as ExportParam } from "./routes/bundles.js";
import { DisclosureQuery, PlanParam, ProgressQuery } from "./routes/progress.js";

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
const Timestamp = z.string().describe("ISO 8601 date-time");


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

const OpenApiDocumentShape = z.looseObject({ openapi: z.literal("3.1.0"), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });

// ---------------------------------------------------------------------------------------------
// The registry.

export type Tag = "meta" | "auth" | "users" | "tokens" | "bundles" | "plans" | "disclosure" | "reports" | "evidence" | "audit" | keyof typeof siteTags | keyof typeof bulletinTags;

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
  ...siteTags,
  ...bulletinTags,
};

type ObjectSchema = z.ZodObject<z.ZodRawShape>;

const json = "application/json";

export const operations: ApiOperation[] = [
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
