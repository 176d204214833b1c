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

  // ── sites ────────────────────────────────────────────────────────────────────────────────────
  SITE_REGION_NOT_FOUND: { status: 404, zh: "地区 {region} 不存在" },
  SITE_NOT_FOUND: { status: 404, zh: "项目点位 {code} 不存在" },
  SITE_PROJECT_NOT_FOUND: { status: 404, zh: "项目 {project} 不存在" },
  SITE_NOT_IN_REGION: { status: 404, zh: "项目 {project} 在地区 {region} 没有点位（该地区及下级没有此项目的目标）" },
  SITE_VERSION_STALE: { status: 409, zh: "点位信息已被他人修改（当前版本 {current}，您读取的是 {version}），请刷新后重试" },

  // ── content ──────────────────────────────────────────────────────────────────────────────────
  CONTENT_NOT_FOUND: { status: 404, zh: "公开内容 {id} 不存在" },
  CONTENT_VERSION_STALE: { status: 409, zh: "公开内容已被他人修改（当前版本 {current}，您读取的是 {version}），请刷新后重试" },
  CONTENT_FIELD_NOT_OF_KIND: { status: 400, zh: "{kind}没有字段 {field}" },
  CONTENT_PHOTOS_ONLY: { status: 415, zh: "此处只能上传照片（JPEG、PNG、GIF、WebP）" },
  CONTENT_FILE_TYPE_REFUSED: { status: 415, zh: "文件类型不被接受（可接受：{accepted}）" },
  CONTENT_FILE_DUPLICATE: { status: 409, zh: "该文件已上传过" },
  CONTENT_FILES_FULL: { status: 409, zh: "每条内容最多 {max} 个附件" },
  CONTENT_UPLOAD_NOT_MULTIPART: { status: 415, zh: "请以 multipart/form-data 上传文件（字段 {field}）" },
  CONTENT_UPLOAD_UNREADABLE: { status: 400, zh: "无法读取上传的内容" },
  CONTENT_FILE_MISSING: { status: 400, zh: "请选择要上传的文件（字段 {field}）" },
  CONTENT_FILE_EMPTY: { status: 400, zh: "上传的文件是空的" },
  CONTENT_FILE_TOO_LARGE: { status: 413, zh: "文件过大（上限 {limit} KB）" },

  // ── feedback ─────────────────────────────────────────────────────────────────────────────────
  FEEDBACK_NOT_FOUND: { status: 404, zh: "意见建议 {id} 不存在" },
  FEEDBACK_VERSION_STALE: { status: 409, zh: "意见建议已被他人处理（当前版本 {current}，您读取的是 {version}），请刷新后重试" },
  FEEDBACK_NOT_PENDING: { status: 409, zh: "只有待审核的意见建议可以审核（当前状态：{state}）" },
  FEEDBACK_AWAITS_MODERATION: { status: 409, zh: "该意见建议尚未审核，请先审核通过再答复" },
  FEEDBACK_ALREADY_ANSWERED: { status: 409, zh: "该意见建议已答复" },
  FEEDBACK_REJECTED_NOT_ANSWERED: { status: 409, zh: "已驳回的意见建议不予答复" },
  FEEDBACK_PHONE_NOT_YOURS: { status: 403, zh: "只有答复单位（项目牵头单位或点位所在地区）可以查看联系电话" },
  FEEDBACK_NO_PHONE: { status: 404, zh: "该意见建议没有留联系电话" },
  FEEDBACK_NO_PHOTO: { status: 404, zh: "该意见建议没有照片" },
  FEEDBACK_PHOTO_FILE_MISSING: { status: 404, zh: "照片文件不存在" },

  // ── public ───────────────────────────────────────────────────────────────────────────────────
  PUBLIC_BODY_UNREADABLE: { status: 400, zh: "无法读取提交的内容" },
  PUBLIC_BODY_NOT_OBJECT: { status: 400, zh: "提交的内容格式有误" },
  PUBLIC_BODY_TYPE: { status: 415, zh: "请以 JSON 提交，附照片时以 multipart/form-data 提交" },
  PUBLIC_PHOTO_NOT_FILE: { status: 400, zh: "照片必须是文件" },
  PUBLIC_PHOTO_NEEDS_MULTIPART: { status: 400, zh: "附照片请以 multipart/form-data 提交" },
  PUBLIC_PHOTO_TOO_LARGE: { status: 413, zh: "照片过大（上限 {limit} MB）" },
  PUBLIC_PHOTO_TYPE: { status: 415, zh: "照片须为 JPEG、PNG、GIF 或 WebP 图片" },
  PUBLIC_FEEDBACK_DUPLICATE: { status: 409, zh: "24 小时内已对该项目提交过相同内容" },
  PUBLIC_ALREADY_RATED: { status: 409, zh: "您今天已评价过该项目" },
  PUBLIC_TICKET_NOT_FOUND: { status: 404, zh: "查询编号不存在" },
  PUBLIC_FILE_NOT_FOUND: { status: 404, zh: "文件不存在" },
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
