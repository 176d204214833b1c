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

  // ── auth: sign-in, second factor, one's own password ─────────────────────────────────────────
  AUTH_WRONG_PASSWORD: { status: 401, zh: "用户名或密码错误" },
  AUTH_ACCOUNT_LOCKED: { status: 423, zh: "连续登录失败次数过多，账户已锁定，请在 {minutes} 分钟后重试" },
  AUTH_CHALLENGE_EXPIRED: { status: 401, zh: "登录验证已过期，请重新输入密码" },
  AUTH_SIGN_IN_AGAIN: { status: 401, zh: "登录已失效，请重新输入用户名和密码" },
  AUTH_CHALLENGE_NEEDS_ENROLMENT: { status: 403, zh: "请先绑定身份验证器，再输入动态验证码" },
  AUTH_CHALLENGE_NOT_FOR_ENROLMENT: { status: 403, zh: "此次登录验证用于输入动态验证码，不能用于绑定身份验证器" },
  AUTH_SECOND_FACTOR_WRONG: { status: 401, zh: "验证码错误或已使用" },
  AUTH_ENROL_NEEDS_SESSION: { status: 403, zh: "请登录后在本系统页面中绑定身份验证器，API 令牌不能绑定" },
  AUTH_ENROLMENT_CODE_REQUIRED: { status: 400, zh: "管理员绑定身份验证器须凭安全管理员提供的绑定码" },
  AUTH_ENROLMENT_CODE_INVALID: { status: 403, zh: "绑定码错误、已使用或已过期，请向安全管理员索取新的绑定码" },
  AUTH_TOTP_ALREADY_ON: { status: 409, zh: "两步验证已启用；如需更换设备请联系安全管理员重置" },
  AUTH_ENROLMENT_NOT_STARTED: { status: 409, zh: "请先开始绑定身份验证器（获取密钥和二维码）" },
  AUTH_TOTP_CONFIRM_WRONG: { status: 401, zh: "验证码错误，请核对手机时间后重试" },
  AUTH_PASSWORD_CHANGE_NEEDS_SESSION: { status: 403, zh: "请登录后在本系统页面中修改密码，API 令牌不能修改密码" },
  AUTH_CURRENT_PASSWORD_WRONG: { status: 400, zh: "当前密码不正确" },
  AUTH_PASSWORD_CHANGED_MEANWHILE: { status: 409, zh: "密码已在别处被修改，请用新密码重新登录" },

  // ── users: accounts, roles and areas, two-factor resets (security administrator) ──────────────
  USER_REGION_REQUIRED: { status: 400, zh: "该角色须指定所属地区" },
  USER_REGION_UNKNOWN: { status: 400, zh: "地区 {region} 不存在" },
  USER_UNIT_UNKNOWN: { status: 400, zh: "单位 {unit} 不存在" },
  USER_USERNAME_TAKEN: { status: 409, zh: "用户名 {username} 已被使用" },
  USER_NOT_FOUND: { status: 404, zh: "用户 {id} 不存在" },
  USER_SELF_CHANGE: { status: 403, zh: "不能修改自己的角色、辖区或状态，请由另一位安全管理员操作" },
  USER_SELF_TOTP_RESET: { status: 403, zh: "不能重置自己的两步验证，请由另一位安全管理员操作" },
  USER_SELF_ENROLMENT_CODE: { status: 403, zh: "不能为自己生成绑定码，请由另一位安全管理员操作" },
  USER_NOT_ADMIN: { status: 409, zh: "用户 {username} 不是管理员，绑定身份验证器无需绑定码" },
  USER_TOTP_ALREADY_ON: { status: 409, zh: "用户 {username} 已启用两步验证，如需重新绑定请先重置" },
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
