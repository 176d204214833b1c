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
  // ── generic: any route (validation, sign-in, access, limits, the server itself) ────────────────
  VALIDATION_FAILED: { status: 400, zh: "输入有误，请按提示修改" },
  TEXT_HAS_NUL: { status: 400, zh: "包含不允许的控制字符（NUL）" },
  BAD_REQUEST: { status: 400, zh: "请求格式有误，请刷新页面后重试" },
  NOT_SIGNED_IN: { status: 401, zh: "未登录或登录已过期，请重新登录" },
  API_TOKEN_INVALID: { status: 401, zh: "API 令牌无效、已吊销或已过期" },
  API_TOKEN_ACTS_AS_ADMIN: { status: 403, zh: "API 令牌 {token} 代表的用户 {username} 现为管理员，令牌不能代表管理员（系统/安全/审计管理员）" },
  PERMISSION_DENIED: { status: 403, zh: "您的角色无此权限（{permission}）" },
  REGION_OUTSIDE_AREA: { status: 403, zh: "地区 {region} 不在您的辖区内" },
  PROJECT_OF_OTHER_UNIT: { status: 403, zh: "该项目由单位 {leadUnit} 牵头，不是本单位（{unit}）的项目" },
  CSRF_REJECTED: { status: 403, zh: "跨站请求被拒绝，请从本系统页面操作" },
  ROUTE_NOT_FOUND: { status: 404, zh: "接口 {method} {path} 不存在" },
  PAYLOAD_TOO_LARGE: { status: 413, zh: "内容过大（上限 {limit}）" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: "不支持的文件或内容类型" },
  TOO_MANY_REQUESTS: { status: 429, zh: "操作过于频繁，请 {retryAfter} 秒后再试" },
  SIGN_IN_THROTTLED: { status: 429, zh: "登录失败次数过多，请 {minutes} 分钟后再试" },
  DATABASE_UNAVAILABLE: { status: 503, zh: "数据库暂时不可用，请稍后重试" },
  KEY_MISMATCH: { status: 409, zh: "本服务器的密钥与数据不符，请联系系统管理员" },
  IMAGE_DAMAGED: { status: 400, zh: "{type} 图片已损坏，无法去除其中的位置等信息，请重新导出或拍摄后上传" },
  STORED_IMAGE_DAMAGED: { status: 409, zh: "该图片文件已损坏，无法在去除位置信息后提供，请重新上传" },
  INTERNAL: { status: 500, zh: "系统内部错误，请联系系统管理员" },
  // errors of the domain's rules (@minsheng/domain errors.ts), answered by lib/errors.ts
  BUNDLE_INVALID: { status: 400, zh: "数据包校验未通过（{count} 处问题）" },
  UNKNOWN_REGION: { status: 400, zh: "地区 {region} 不存在" },
  REPORT_TRANSITION_NOT_ALLOWED: { status: 409, zh: "该填报当前为“{from}”，不能{action}，请刷新后查看最新状态" },

  // ── tokens ───────────────────────────────────────────────────────────────────────────────────
  TOKEN_USER_UNKNOWN: { status: 400, zh: "用户 {userId} 不存在" },
  TOKEN_FOR_ADMIN: { status: 400, zh: "API 令牌不能代表管理员（系统/安全/审计管理员）" },
  TOKEN_NOT_FOUND: { status: 404, zh: "令牌 {id} 不存在或已吊销" },

  // ── reports ──────────────────────────────────────────────────────────────────────────────────
  REPORT_NOT_FOUND: { status: 404, zh: "填报 {id} 不存在" },
  REPORT_REGION_NOT_FOUND: { status: 404, zh: "地区 {region} 不存在" },
  REPORT_MISSING_STAFF_ONLY: { status: 403, zh: "逾期未报情况仅供专班和核验人员查看" },
  REPORT_DRAFT_INVALID: { status: 400, zh: "填报内容有误，请按提示修改" },
  REPORT_NEEDS_NARRATIVE: { status: 400, zh: "提交核验前请填写进展情况" },
  REPORT_FALL_NEEDS_REASON: { status: 400, zh: "本月累计值 {value} 低于 {previousPeriod} 已核验的 {previous}（环比下降），请填写下降原因" },
  REPORT_NOT_EDITABLE: { status: 409, zh: "该填报当前为“{state}”，只有草稿或已退回的填报可以修改" },
  REPORT_VERSION_STALE: { status: 409, zh: "该填报已被修改（当前版本 {current}，您看到的是 {sent}），请重新载入" },
  REPORT_CREATED_MEANWHILE: { status: 409, zh: "同一指标、地区和月份的填报刚被他人创建，请重新载入" },
  REPORT_CHANGED_MEANWHILE: { status: 409, zh: "该填报刚被他人修改，请重新载入" },
  REPORT_REVIEWED_MEANWHILE: { status: 409, zh: "另一位核验人员已先处理该填报，请重新载入" },
  REPORT_REVIEW_CANNOT_SUBMIT: { status: 400, zh: "核验不能提交填报：提交由填报人操作" },
  REPORT_IMPORTED_NOT_REVIEWABLE: { status: 409, zh: "导入的正式数据已核验，只能通过导入数据包修改" },

  // ── evidence ─────────────────────────────────────────────────────────────────────────────────
  EVIDENCE_NOT_FOUND: { status: 404, zh: "佐证材料不存在" },
  EVIDENCE_FILE_MISSING: { status: 404, zh: "佐证材料的文件已不在存储中，请联系系统管理员" },
  EVIDENCE_REPORT_NOT_EDITABLE: { status: 409, zh: "该填报当前为“{state}”，只有草稿或已退回的填报可以添加或删除佐证材料" },
  EVIDENCE_NOT_MULTIPART: { status: 415, zh: "请以表单（multipart/form-data）的 file 字段上传文件" },
  EVIDENCE_FORM_UNREADABLE: { status: 400, zh: "上传内容无法读取，请重新上传" },
  EVIDENCE_FILE_REQUIRED: { status: 400, zh: "请选择要上传的文件" },
  EVIDENCE_FILE_EMPTY: { status: 400, zh: "文件是空的" },
  EVIDENCE_TYPE_REFUSED: { status: 415, zh: "文件类型不支持：只接受 {accepted}（按文件内容识别，不看文件名）" },
  EVIDENCE_DUPLICATE: { status: 409, zh: "该文件已是此填报的佐证材料" },

  // ── imports ──────────────────────────────────────────────────────────────────────────────────
  IMPORT_REGION_NOT_FOUND: { status: 404, zh: "地区 {region} 不存在" },
  IMPORT_UNIT_NOT_FOUND: { status: 404, zh: "单位 {unit} 不存在" },
  IMPORT_UNIT_NOT_YOURS: { status: 403, zh: "您为单位 {yours} 填报，不能下载单位 {unit} 的模板" },
  IMPORT_NOT_MULTIPART: { status: 415, zh: "请以表单（multipart/form-data）的 file 字段上传填好的模板" },
  IMPORT_FORM_UNREADABLE: { status: 400, zh: "上传内容无法读取，请重新上传" },
  IMPORT_FILE_REQUIRED: { status: 400, zh: "请选择填好的模板文件" },
  IMPORT_FILE_EMPTY: { status: 400, zh: "文件是空的" },
  IMPORT_NOT_XLSX: { status: 415, zh: "文件不是 Excel 工作簿（.xlsx）：按文件内容识别，不看文件名" },
  IMPORT_ZIP_UNREADABLE: { status: 400, zh: "工作簿已损坏，无法读取（不是有效的 .xlsx 文件）" },
  IMPORT_UNPACKS_TOO_LARGE: { status: 413, zh: "工作簿解压后超过 {limit}" },
  IMPORT_PERIOD_INVALID: { status: 400, zh: "月份应写作 YYYY-MM" },
  IMPORT_ROWS_INVALID: { status: 400, zh: "共 {rows} 行，其中 {failing} 行有 {count} 处问题，未导入任何数据" },
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
  // ── bulletins ────────────────────────────────────────────────────────────────────────────────
  BULLETIN_REGION_NOT_FOUND: { status: 404, zh: "地区 {region} 不存在" },
  BULLETIN_PLAN_NOT_FOUND: { status: 404, zh: "计划 {plan} 不存在" },
  BULLETIN_DRAFT_STALE: { status: 409, zh: "通报草稿已被他人修改（现为第 {currentVersion} 版，您看到的是第 {version} 版），请刷新后重试" },
  BULLETIN_DRAFT_SAVED_CONCURRENTLY: { status: 409, zh: "他人同时保存了这份通报草稿，请刷新后重试" },
  BULLETIN_ISSUE_NO_TAKEN: { status: 409, zh: "地区 {region} {year} 年第 {issueNo} 期通报已签发，下一可用期号为第 {nextIssueNo} 期" },
  BULLETIN_NOT_FOUND: { status: 404, zh: "通报 {id} 不存在" },
  BULLETIN_FORMAT_UNKNOWN: { status: 409, zh: "通报 {id} 的存储格式 {format} 无法识别" },

  // ── audit ────────────────────────────────────────────────────────────────────────────────────
  AUDIT_RECORD_OUTSIDE_AREA: { status: 403, zh: "{entity} {id} 不是您辖区内的记录，无权查看其变更历史" },
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
