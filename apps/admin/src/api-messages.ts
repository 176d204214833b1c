import { errorText, isErrorCode } from "@minsheng/domain/error-codes";
/**
 * The API's error answers in Chinese, in one place. Every error has its own code in the table
 * `@minsheng/domain/error-codes` (code → status and Chinese text with `{params}`), so an answer
 * (`{ error: { code, message, params, problems: [{ path, message, code?, params? }] } }`) is shown
 * as `errorText(code, params)`, never by reading its English. A code the console does not know
 * (a newer server) falls back to what its HTTP status means, the API's text kept in brackets.
 *
 * Field problems: those of a coded error (`fail(…).at(path)`) carry that error's code, and so do
 * the checks that list many (a monthly figure's, an imported workbook's cells: each its own code);
 * those of a schema carry zod's issue code and its figures (minimum, expected …), said here by code. Only
 * the wordings our own schemas write (a custom message: "must be a month written YYYY-MM") and the
 * bundle's reference checks need their own Chinese (`customText`).
 */

/** What an HTTP status means, for a code the console does not know. */
const statusText: Record<number, string> = {
  400: "输入有误，请按提示修改",
  401: "未登录或登录已过期，请重新登录",
  403: "无权进行此操作（角色权限或辖区不允许）",
  404: "记录不存在或已被删除",
  409: "与当前数据冲突，请刷新后核对",
  413: "文件或内容过大",
  415: "文件类型不支持",
  423: "账户已暂时锁定，请稍后再试",
  429: "操作过于频繁，请稍后再试",
  503: "服务暂时不可用，请稍后重试",
};
const serverError = "服务器内部错误，请稍后重试或联系管理员";

/** Field names of the console's forms and the API's bodies, for messages that are not shown at their field. */
export const fieldText: Record<string, string> = {
  id: "编码", no: "序号", title: "名称", name: "名称", leadUnit: "牵头单位", unit: "计量单位", kind: "类型", aggregation: "汇总方式", linkedTo: "关联指标",
  schedule: "序时进度", points: "节点", month: "月份", fraction: "进度", year: "年度", region: "地区", level: "级别", version: "版本", value: "数值", targets: "目标",
  narrative: "进展情况", fallReason: "下降原因", verifiedValue: "核定值", reason: "原因", action: "操作", contact: "联系方式", location: "地点", answer: "答复内容",
  note: "备注", username: "用户名", password: "密码", displayName: "姓名", role: "角色", expiresInDays: "有效天数", userId: "用户", replyWorkingDays: "答复期限",
  code: "验证码", enrolmentCode: "绑定码", text: "内容", date: "日期", issuer: "发文单位", url: "链接", published: "公开状态", period: "月份", indicator: "指标", plans: "计划",
  sections: "正文", issueNo: "期号", holidays: "节假日", file: "文件", photo: "照片", phone: "手机号码", q: "关键词",
  currentPassword: "当前密码", newPassword: "新密码",
};

/** `$.schedule.points[1].month` → "序时进度 第 2 个节点 月份"; `$` (the request as a whole) → "". */
export function fieldLabel(path: string): string {
  const parts: string[] = [];
  for (const m of path.replace(/^\$\.?/, "").matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) {
      const prev = parts.pop() ?? "";
      parts.push(`第 ${Number(m[2]) + 1} 个${prev.replace(/^.* /, "") || "项"}`);
    } else parts.push(fieldText[m[1]!] ?? m[1]!);
  }
  return parts.join(" ");
}

/** Text that is Chinese already stays as it is; one followed by its English in brackets loses them. */
function chinese(s: string): string | undefined {
  if (!/^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/.test(s)) return undefined;
  const lead = /^(.*?)\s*\(([^()]*)\)$/.exec(s);
  if (lead && /[A-Za-z]{3,} [A-Za-z]{2,}/.test(lead[2]!)) return lead[1];
  return /[A-Za-z]{3,} [A-Za-z]{2,}/.test(s) ? undefined : s;
}

/** The answer's message in Chinese: its code's text, else what its status means with the API's text in brackets. */
export function messageText(code: string, status: number, message: string, params: Readonly<Record<string, unknown>> = {}): string {
  const known = errorText(code, params as Record<string, unknown>);
  if (known) return known;
  // a message the console made itself (a download's failure) is Chinese already
  const own = chinese(message);
  if (own) return own;
  const general = statusText[status] ?? (status >= 500 ? serverError : `请求失败（HTTP ${status}）`);
  return message && message !== `HTTP ${status}` ? `${general}（${message}）` : general;
}

type Params = Readonly<Record<string, unknown>>;
const num = (v: unknown) => (typeof v === "number" ? v.toLocaleString("zh-CN") : String(v));

/** What a value of zod's `expected` asks for. */
const expectedText: Record<string, string> = { int: "请填写整数", number: "请填写数字", bigint: "请填写整数", string: "请填写文字", boolean: "请选择是或否", array: "请填写列表", date: "请填写有效日期" };
/** zod's string formats (`invalid_format`). */
const formatText: Record<string, string> = {
  email: "请填写有效的电子邮箱",
  url: "请填写有效的链接",
  date: "请填写有效日期（YYYY-MM-DD）",
  datetime: "请填写有效的日期时间",
  time: "请填写有效的时间",
  uuid: "格式不正确",
};

/** A schema's problem said by zod's issue code and figures (zod v4 codes); undefined for a code zod does not have. */
export function zodText(code: string, params: Params = {}): string | undefined {
  const { origin, minimum, maximum, inclusive } = params;
  const isNumber = origin === "number" || origin === "int" || origin === "bigint";
  const isCount = origin === "array" || origin === "set" || origin === "map";
  switch (code) {
    case "invalid_type":
      return params.received === "undefined" ? "必填" : (expectedText[String(params.expected)] ?? "格式不正确");
    case "too_small":
      if (origin === "string") return Number(minimum) <= 1 ? "不能为空" : `至少 ${num(minimum)} 个字符`;
      if (isNumber) return inclusive === false ? `须大于 ${num(minimum)}` : `不能小于 ${num(minimum)}`;
      if (isCount) return `至少 ${num(minimum)} 项`;
      if (origin === "date") return "日期过早";
      return "过小或过短";
    case "too_big":
      if (origin === "string") return `最多 ${num(maximum)} 个字符`;
      if (isNumber) return inclusive === false ? `须小于 ${num(maximum)}` : `不能大于 ${num(maximum)}`;
      if (isCount) return `最多 ${num(maximum)} 项`;
      if (origin === "date") return "日期过晚";
      return "过大或过长";
    case "invalid_format":
      return formatText[String(params.format)] ?? "格式不正确";
    case "invalid_value":
      return "请从可选项中选择";
    case "unrecognized_keys":
      return `包含不认识的字段 ${((params.keys as unknown[] | undefined) ?? []).join("、")}`.trim();
    case "not_multiple_of":
      return "数值不符合要求";
    case "invalid_union":
    case "invalid_key":
    case "invalid_element":
      return "格式不正确";
    default:
      return undefined;
  }
}

type Rule = readonly [RegExp, string | ((...groups: string[]) => string)];

/**
 * The wordings our own schemas write (a custom message on a check or a refinement: zod's code alone,
 * "invalid_format" or "custom", would not say what is wanted), and the bundle's reference checks
 * (@minsheng/domain bundle.ts). Everything else is said by its code.
 */
const customText: Rule[] = [
  // formats (regular expressions with their own wording)
  [/^must be a month written YYYY-MM/, "请填写月份（YYYY-MM）"],
  [/^(must be a date( written)? YYYY-MM-DD|is not a calendar date)/, "请填写有效日期（YYYY-MM-DD）"],
  [/^must be an ISO 8601 date-time/, "请填写有效的日期时间，如 2024-10-01T00:00:00Z"],
  [/region code/, "须为 6-12 位地区代码"],
  [/^must be an? (plan|project|report|feedback|content|bulletin|user|token) id$/, (k) => `请填写有效的${{ plan: "计划", project: "项目", report: "填报", feedback: "意见建议", content: "公开内容", bulletin: "通报", user: "用户", token: "令牌" }[k]}编号`],
  [/^must be an entity name/, "请填写记录类型，如 report"],
  [/^must be an action or its prefix/, "请填写操作名称或其前缀，如 auth."],
  [/^must be a ticket number/, "查询编号为 12 位数字和大写字母"],
  [/^must be a site code/, "点位编码为 8 位数字和大写字母"],
  [/^must be an 11-digit mainland mobile number$/, "请填写 11 位手机号码"],
  [/^must be 3-64 letters, digits, '_', '\.', '-'$/, "须为 3-64 位字母、数字或 _ . -"],
  [/^may contain only letters, digits/, "只能包含字母、数字及 - _ . :"],
  [/^must be the 6 digits your authenticator app shows$/, "请填写身份验证器显示的 6 位数字"],
  [/^must be an? (enrolment|recovery) code such as/, (k) => `请输入${k === "enrolment" ? "绑定码" : "恢复码"}，如 ABCDE-12345`],
  [/^must be the challenge/, "登录验证已失效，请重新输入密码"],
  [/^must be the version (you read|of the report you reviewed)/, "缺少版本号，请刷新后重试"],
  [/^(is implausibly large|must not be 0|must be greater than 0)/, (m) => (m === "must not be 0" ? "不能为 0" : m.startsWith("is") ? "数值过大" : "须大于 0")],
  // refinements (the password policy's are custom issues: their figures are in the wording only)
  [/^must be at (least|most) (\d+) characters$/, (w, n) => `${w === "least" ? "至少" : "最多"} ${n} 个字符`],
  [/^must contain letters and digits$/, "须同时包含字母和数字"],
  [/^duplicates rule (\S+)$/, (r) => `与规则 ${r} 重复`],
  [/^must differ from the current password$/, "新密码不能与当前密码相同"],
  [/^send either code or recoveryCode$/, "请填写验证码或恢复码（二选一）"],
  [/^is a month that has not begun yet$/, "该月份尚未开始"],
  [/^months must increase$/, "月份应逐个递增"],
  [/^fractions must not decrease$/, "进度不应低于上一个节点"],
  [/^is a milestone percent: at most 100$/, "节点类指标为百分比，不能超过 100"],
  [/^must say why/, "请说明原因（至少 2 个字）"],
  [/^must name a unit or a region$/, "请选择单位或地区"],
  [/^nothing to change/, "没有需要保存的修改"],
  [/^must not be before (the issue date|from)$/, (w) => (w === "from" ? "不能早于开始日期" : "不能早于发文日期")],
  [/^must not be above the ceiling$/, "不能高于上限"],
  // the bundle's references (a .json file checked as a whole)
  [/^unknown (region|unit|indicator|plan|item|project) "([^"]*)"$/, (k, id) => `${{ region: "地区", unit: "单位", indicator: "指标", plan: "计划", item: "实事", project: "项目" }[k]}“${id}”不存在`],
  [/^duplicates (\w+)\[(\d+)\]/, (_, i) => `与第 ${Number(i) + 1} 项重复`],
  [/^(a region cannot be its own parent|region \S+ is its own ancestor)/, "地区的上级关系形成循环"],
  [/^an indicator cannot be linked to itself$/, "指标不能关联自身"],
  [/^linked indicators form a cycle through (\S+)$/, (id) => `关联指标形成循环（经过 ${id}）`],
  [/^is (outside|not in) the plan's year (\d+)$/, (_, y) => `不在计划年度 ${y} 内`],
];

function custom(message: string, rules: readonly Rule[]): string | undefined {
  for (const [re, to] of rules) {
    const m = re.exec(message);
    if (m) return typeof to === "string" ? to : to(...(m.length > 1 ? m.slice(1) : [m[0]]));
  }
  return undefined;
}

/** How many wordings of our own remain (the test keeps the tables short). */
export const customWordings = { schemas: customText.length };

/** A problem in Chinese, to show at its field: by its error code, its own wording, or zod's code; else the English in brackets. */
export function problemText(problem: { message: string; code?: string; params?: Params }): string {
  const { message, code, params = {} } = problem;
  if (code !== undefined && isErrorCode(code)) return errorText(code, params as Record<string, unknown>)!;
  return chinese(message) ?? custom(message, customText) ?? (code !== undefined ? zodText(code, params) : undefined) ?? `不符合要求（${message}）`;
}
