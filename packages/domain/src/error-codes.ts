/**
 * 错误代码表 · The one table of the platform's errors: each error has its own code, the HTTP status
 * it answers with, and its Chinese text, whose `{name}` placeholders are the error's parameters
 * (typed: `ErrorParams<"REPORT_NOT_EDITABLE">` is `{ state: string | number }`). The API answers
 * `{ error: { code, message, params, problems } }` (message: English detail for integrators); the
 * console shows `errorText(code, params)`. Light subpath `@minsheng/domain/error-codes`: no zod,
 * no Effect, so the web apps can import it.
 *
 * Sections are by feature; add a code in its feature's section, never reuse one for another error.
 */
export const errorCodes = {
  // ── generic: any route ────────────────────────────────────────────────────────────────────────
  VALIDATION_FAILED: { status: 400, zh: "输入有误，请按提示修改" },
  BAD_REQUEST: { status: 400, zh: "请求格式有误" },
  NOT_SIGNED_IN: { status: 401, zh: "未登录或登录已过期，请重新登录" },
  FORBIDDEN: { status: 403, zh: "无权限：您的角色或辖区不允许此操作" },
  CSRF_REJECTED: { status: 403, zh: "跨站请求被拒绝，请从本系统页面操作" },
  ROUTE_NOT_FOUND: { status: 404, zh: "接口不存在" },
  PAYLOAD_TOO_LARGE: { status: 413, zh: "内容过大（上限 {limit}）" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: "不支持的文件或内容类型" },
  TOO_MANY_REQUESTS: { status: 429, zh: "操作过于频繁，请 {retryAfter} 秒后再试" },
  DATABASE_UNAVAILABLE: { status: 503, zh: "数据库暂时不可用，请稍后重试" },
  KEY_MISMATCH: { status: 409, zh: "本服务器的密钥与数据不符，请联系系统管理员" },
  INTERNAL: { status: 500, zh: "系统内部错误，请联系系统管理员" },

  // ── tokens ───────────────────────────────────────────────────────────────────────────────────
  TOKEN_USER_UNKNOWN: { status: 400, zh: "用户 {userId} 不存在" },
  TOKEN_FOR_ADMIN: { status: 400, zh: "API 令牌不能代表管理员（系统/安全/审计管理员）" },
  TOKEN_NOT_FOUND: { status: 404, zh: "令牌 {id} 不存在或已吊销" },

  // ── plans: 计划管理 (plans, items, projects, indicators, targets) and progress ─────────────────
  PLAN_NOT_FOUND: { status: 404, zh: "计划 {id} 不存在" },
  ITEM_NOT_FOUND: { status: 404, zh: "实事 {id} 不存在" },
  PROJECT_NOT_FOUND: { status: 404, zh: "项目 {id} 不存在" },
  INDICATOR_NOT_FOUND: { status: 404, zh: "指标 {id} 不存在" },
  REGION_NOT_FOUND: { status: 404, zh: "地区 {region} 不存在" },
  PLAN_OUTSIDE_AREA: { status: 403, zh: "计划 {id} 不涉及您的辖区" },
  PLAN_ISSUED_ELSEWHERE: { status: 403, zh: "计划 {id} 由地区 {region} 下达，您只能修改本地区（{own}）下达的计划" },
  PLAN_REGION_NOT_OWN: { status: 403, zh: "您只能为本地区（{own}）下达计划" },
  PLAN_VERSION_STALE: { status: 409, zh: "计划 {id} 已被他人修改（当前版本 {current}，您读取的是 {sent}），请刷新后重试" },
  ITEM_VERSION_STALE: { status: 409, zh: "实事 {id} 已被他人修改（当前版本 {current}，您读取的是 {sent}），请刷新后重试" },
  PROJECT_VERSION_STALE: { status: 409, zh: "项目 {id} 已被他人修改（当前版本 {current}，您读取的是 {sent}），请刷新后重试" },
  INDICATOR_VERSION_STALE: { status: 409, zh: "指标 {id} 已被他人修改（当前版本 {current}，您读取的是 {sent}），请刷新后重试" },
  PLAN_ID_TAKEN: { status: 400, zh: "编码 {id} 已被其他计划使用" },
  ITEM_ID_TAKEN: { status: 400, zh: "编码 {id} 已被其他实事使用" },
  PROJECT_ID_TAKEN: { status: 400, zh: "编码 {id} 已被其他项目使用" },
  INDICATOR_ID_TAKEN: { status: 400, zh: "编码 {id} 已被其他指标使用" },
  ITEM_NO_TAKEN: { status: 400, zh: "序号 {no} 已被本计划的实事 {other} 使用" },
  PROJECT_NO_TAKEN: { status: 400, zh: "序号 {no} 已被本计划的项目 {other} 使用" },
  PLAN_REGION_UNKNOWN: { status: 400, zh: "地区 {region} 不存在" },
  PLAN_LEVEL_MISMATCH: { status: 400, zh: "计划级别与地区级别不符（{name}为 {level} 级）" },
  PLAN_YEAR_HAS_FIGURES: { status: 400, zh: "计划已有当年的月度数据，不能修改年度" },
  LEAD_UNIT_UNKNOWN: { status: 400, zh: "牵头单位 {unit} 不存在" },
  LEAD_UNIT_OUTSIDE_PLAN: { status: 400, zh: "牵头单位 {unit} 属于地区 {region}，不在计划范围（{planRegion}）内" },
  INDICATOR_LINK_UNKNOWN: { status: 400, zh: "关联指标 {linkedTo} 不存在" },
  INDICATOR_LINK_SAME_PLAN: { status: 400, zh: "关联指标须是其他计划的指标（纳入上级统一调度）" },
  INDICATOR_LINK_OUTSIDE_AREA: { status: 400, zh: "关联指标所在的计划 {plan} 不在您的辖区内" },
  INDICATOR_LINK_SELF: { status: 400, zh: "指标不能关联自身" },
  INDICATOR_LINK_CYCLE: { status: 400, zh: "关联指标形成循环（经过 {id}）" },
  INDICATOR_MILESTONE_TARGETS: { status: 400, zh: "部分目标值超过 100，不能改为节点类（百分比）指标" },
  ITEM_IN_USE: { status: 409, zh: "实事 {id} 不能删除：仍有月度数据、公开记录、码上通内容、群众建议或关联指标依赖它" },
  PROJECT_IN_USE: { status: 409, zh: "项目 {id} 不能删除：仍有月度数据、公开记录、码上通内容、群众建议或关联指标依赖它" },
  INDICATOR_IN_USE: { status: 409, zh: "指标 {id} 不能删除：仍有月度数据或其他指标关联它" },
  TARGET_REGION_REPEATED: { status: 400, zh: "地区 {region} 与第 {first} 行重复" },
  TARGET_REGION_UNKNOWN: { status: 400, zh: "地区 {region} 不存在" },
  TARGET_REGION_OUTSIDE_PLAN: { status: 400, zh: "地区 {region} 不在计划范围（{planRegion}）内" },
  TARGET_MILESTONE_OVER_100: { status: 400, zh: "节点类指标的目标是百分比，不能超过 100" },
  TARGET_ROOT_OUTSIDE_PLAN: { status: 400, zh: "地区 {region} 不在计划范围（{planRegion}）内" },
  TARGET_ROOT_OUTSIDE_AREA: { status: 403, zh: "地区 {region} 不在您的辖区内" },
  TARGETS_NOT_YOURS: { status: 403, zh: "您不能设置 {regions} 的目标任务：只能向本辖区内的地区分解目标" },
  TARGETS_VERSION_STALE: { status: 409, zh: "{regions} 的目标任务已被他人修改，请刷新后重试" },

  // ── bundles: 计划数据包 (minsheng.bundle/v1) ─────────────────────────────────────────────────────
  BUNDLE_NOT_JSON: { status: 400, zh: "数据包不是有效的 JSON 文件" },
} as const satisfies Record<string, { status: number; zh: string }>;

export type ErrorCode = keyof typeof errorCodes;

type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

/** The parameters an error's text needs, from its `{name}` placeholders. */
export type ErrorParams<C extends ErrorCode> = { [K in Placeholders<(typeof errorCodes)[C]["zh"]>]: string | number };

export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === "string" && Object.hasOwn(errorCodes, code);

/** The Chinese text of an error, its placeholders filled; an unknown code gives null. */
export function errorText(code: string, params: Record<string, unknown> = {}): string | null {
  if (!isErrorCode(code)) return null;
  return errorCodes[code].zh.replace(/\{(\w+)\}/g, (m, name: string) => (params[name] === undefined || params[name] === null ? m : String(params[name])));
}
