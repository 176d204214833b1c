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

  // ── congress: candidates, the deputies' vote, the satisfaction ballot, the look-back (rules 13-15) ──
  CANDIDATE_NOT_FOUND: { status: 404, zh: "候选项目 {id} 不存在" },
  CANDIDATE_TICKET_NOT_FOUND: { status: 404, zh: "查询码 {ticket} 不存在" },
  CANDIDATE_STATE: { status: 409, zh: "该项目当前为“{state}”，不能{action}" },
  CANDIDATE_DUPLICATE_TEXT: { status: 409, zh: "24 小时内已有相同内容的项目建议" },
  CANDIDATE_UNKNOWN_REGION: { status: 400, zh: "行政区划 {region} 不存在" },
  CANDIDATE_UNKNOWN_UNIT: { status: 400, zh: "牵头单位 {unit} 不存在或不在本辖区" },
  CANDIDATE_REASON_REQUIRED: { status: 400, zh: "{decision}须写明理由，提出人可凭查询码查看" },
  CANDIDATE_MERGE_MISMATCH: { status: 400, zh: "只能合并同一年度、同一地区的项目（{into}）" },
  VOTE_NOT_FOUND: { status: 404, zh: "票决 {id} 不存在" },
  VOTE_PRESENT_OVER_ENTITLED: { status: 400, zh: "出席代表 {present} 人多于应到代表 {entitled} 人" },
  VOTE_TOO_FEW_CANDIDATES: { status: 400, zh: "候选项目 {candidates} 个，须多于应选 {seats} 个（差额票决）" },
  VOTE_CANDIDATE_NOT_ADOPTED: { status: 400, zh: "项目 {id} 不是本地区本年度已采纳的候选项目" },
  VOTE_CANDIDATE_REPEATED: { status: 400, zh: "候选项目 {id} 重复列出" },
  VOTE_COUNTS_OVER_PRESENT: { status: 400, zh: "项目 {candidate} 的赞成、反对、弃权合计 {total} 票，多于出席代表 {present} 人" },
  VOTE_COUNTS_INCOMPLETE: { status: 400, zh: "须为每个候选项目各录入一次票数（{candidate}）" },
  VOTE_FROZEN: { status: 409, zh: "票决结果已公布并冻结，不能再更改" },
  VOTE_METHOD_MIXED: { status: 409, zh: "本次票决已按“{method}”计票，不能混用" },
  VOTE_DEPUTY_VOTED: { status: 409, zh: "您已在本次票决中投票，每位代表只能投一次" },
  VOTE_BALLOTS_FULL: { status: 409, zh: "已投票 {cast} 人，达到出席代表人数" },
  VOTE_NOT_PUBLISHED: { status: 409, zh: "票决结果公布（冻结）后才能纳入计划" },
  VOTE_NOT_TALLIED: { status: 409, zh: "尚未计票，不能公布结果" },
  VOTE_ALREADY_IN_PLAN: { status: 409, zh: "当选项目已纳入计划 {plan}" },
  VOTE_NO_PLAN_LEVEL: { status: 400, zh: "{region} 不是可编制年度计划的行政区划（省、市、县）" },
  VOTE_NO_LEAD_UNIT: { status: 400, zh: "当选项目 {candidate} 在初选时未确定牵头单位" },
  SATISFACTION_NOT_FOUND: { status: 404, zh: "满意度测评 {id} 不存在" },
  SATISFACTION_UNKNOWN_PROJECT: { status: 400, zh: "项目 {project} 不存在或不在本地区 {year} 年计划内" },
  SATISFACTION_COUNTS_INCOMPLETE: { status: 400, zh: "须为每个测评项目各录入一次票数（{project}）" },
  SATISFACTION_METHOD_MIXED: { status: 409, zh: "本次测评已按“{method}”计票，不能混用" },
  SATISFACTION_DEPUTY_VOTED: { status: 409, zh: "您已参加本次测评，每位代表只能测评一次" },
  SATISFACTION_FROZEN: { status: 409, zh: "测评结果已公布并冻结，不能再更改" },
  LOOKBACK_NOT_FOUND: { status: 404, zh: "回头看记录 {id} 不存在" },
  LOOKBACK_EXISTS: { status: 409, zh: "项目 {project} 已有回头看记录 {id}" },
  LOOKBACK_UNKNOWN_PROJECT: { status: 400, zh: "项目 {project} 不存在" },
  LOOKBACK_FOLLOW_UP_REQUIRED: { status: 400, zh: "结论为“未达到”时须写明后续整改措施" },
  LOOKBACK_QUESTION_NOT_FOUND: { status: 404, zh: "代表提问 {id} 不存在" },
  LOOKBACK_CONCLUDED: { status: 409, zh: "回头看已作出结论，不能再更改" },
  FOLLOWUP_NOT_VOTED: { status: 400, zh: "项目 {project} 不是人大代表票决的项目" },
  FOLLOWUP_QUESTION_NOT_FOUND: { status: 404, zh: "代表提问 {id} 不存在" },
  FOLLOWUP_ANSWERED: { status: 409, zh: "该问题已答复" },
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
