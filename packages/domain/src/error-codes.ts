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

  // ── supervision: observers, their filings, letters (rules 11-12) ────────────────────────────
  OBSERVER_USER_UNKNOWN: { status: 400, zh: "用户 {userId} 不存在" },
  OBSERVER_USER_NOT_OBSERVER: { status: 400, zh: "用户 {userId} 不是观察员账号" },
  OBSERVER_USER_TAKEN: { status: 409, zh: "用户 {userId} 已关联观察员 {observerId}" },
  OBSERVER_UNKNOWN_REGION: { status: 400, zh: "行政区划 {region} 不存在" },
  OBSERVER_NOT_REGISTERED: { status: 403, zh: "您的账号尚未登记为民生实事观察员，请联系专班" },
  OBSERVATION_NOT_FOUND: { status: 404, zh: "观察信息 {id} 不存在" },
  OBSERVATION_UNKNOWN_SITE: { status: 400, zh: "项目点位 {site} 不存在" },
  OBSERVATION_ALREADY_TRIAGED: { status: 409, zh: "观察信息 {id} 已分办，不能再修改" },
  OBSERVATION_TRIAGE_INCOMPLETE: { status: 400, zh: "分办为“{action}”时须填写 {field}" },
  OBSERVATION_PHOTO_LIMIT: { status: 409, zh: "每条观察信息最多 {max} 张照片" },
  OBSERVATION_PHOTO_NOT_IMAGE: { status: 415, zh: "照片须为 JPEG、PNG、GIF 或 WebP 图片" },
  OBSERVATION_PHOTO_NOT_FOUND: { status: 404, zh: "照片 {id} 不存在" },
  LETTER_NOT_FOUND: { status: 404, zh: "函件 {id} 不存在" },
  LETTER_NO_ADDRESSEE: { status: 400, zh: "请指定收函的责任单位或地区" },
  LETTER_UNKNOWN_UNIT: { status: 400, zh: "责任单位 {unit} 不存在" },
  LETTER_UNKNOWN_REGION: { status: 400, zh: "行政区划 {region} 不存在" },
  LETTER_UNIT_NOT_IN_REGION: { status: 400, zh: "责任单位 {unit} 不在 {region} 辖区" },
  LETTER_OUTSIDE_AREA: { status: 403, zh: "收函对象 {to} 不在本专班辖区内" },
  LETTER_DUE_PAST: { status: 400, zh: "整改期限 {dueOn} 已过，须不早于今天（{today}）" },
  LETTER_BAD_TRANSITION: { status: 409, zh: "函件当前为“{state}”，不能{action}" },
  LETTER_NOT_ADDRESSEE: { status: 403, zh: "只有收函单位（或地区专班）可以签收、答复此函" },
  LETTER_NOT_ISSUER: { status: 403, zh: "只有发函专班可以办理此函" },
  LETTER_NO_ISSUER_REGION: { status: 403, zh: "发函须由有辖区的专班账号办理" },
  LETTER_SOURCE_UNKNOWN: { status: 400, zh: "函件来源 {source} 不存在或不在本辖区" },
  LETTER_REPLY_NOT_FOUND: { status: 404, zh: "答复 {id} 不存在" },
  LETTER_FILE_NOT_FOUND: { status: 404, zh: "附件 {id} 不存在" },
  LETTER_FILE_TYPE: { status: 415, zh: "附件须为图片、PDF、Word 或 Excel 文件" },
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
