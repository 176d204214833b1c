import { regionLevelLabel } from "@minsheng/domain/labels";
/**
 * The API's error answers in Chinese, in one place. The API speaks English to integrators
 * (`{ error: { code, message, problems: [{ path, message }] } }`, apps/api/src/lib/errors.ts); its
 * `code` names the kind of error (NotFound, Conflict …), not each error, so messages are mapped by
 * their wording: the patterns below, most specific first, fall back to the code's text. A message
 * nothing matches keeps its English in brackets after a Chinese lead, so support still sees it.
 */

/** What each error code means to a user (codes of lib/errors.ts statusOfError, plus BadRequest and Internal). */
export const codeText: Record<string, string> = {
  ValidationFailed: "输入有误，请按提示修改",
  InvalidInput: "输入有误，请按提示修改",
  BadRequest: "请求无效，请刷新页面后重试",
  BundleInvalid: "数据包校验未通过",
  UnknownRegion: "地区不存在",
  UnknownPlan: "计划不存在",
  TransitionNotAllowed: "当前状态下不能进行此操作，请刷新后查看最新状态",
  Unauthenticated: "未登录或登录已过期，请重新登录",
  Forbidden: "无权进行此操作（角色权限或辖区不允许）",
  CsrfRejected: "请求被拒绝：请在本系统页面内操作",
  AccountLocked: "连续登录失败次数过多，账户已暂时锁定，请 15 分钟后再试",
  NotFound: "记录不存在或已被删除",
  Conflict: "与当前数据冲突，请刷新后核对",
  PayloadTooLarge: "文件或内容过大",
  UnsupportedMediaType: "文件类型不支持",
  TooManyRequests: "操作过于频繁，请稍后再试",
  DatabaseUnavailable: "数据库暂时不可用，请稍后重试",
  KeyMismatch: "本服务器的密钥打不开该加密数据（各服务器的 FEEDBACK_KEY 不一致），请联系系统管理员",
  Internal: "服务器内部错误，请稍后重试或联系管理员",
};

const statusText: Record<number, string> = { 400: codeText.ValidationFailed!, 401: codeText.Unauthenticated!, 403: codeText.Forbidden!, 404: codeText.NotFound!, 409: codeText.Conflict!, 413: codeText.PayloadTooLarge!, 415: codeText.UnsupportedMediaType!, 423: codeText.AccountLocked!, 429: codeText.TooManyRequests!, 503: codeText.DatabaseUnavailable! };

/** Records as the API names them in messages ("item sy2025-i01 not found"). */
const kindText: Record<string, string> = {
  plan: "计划", item: "实事", project: "项目", indicator: "指标", target: "目标", report: "填报", user: "用户", token: "令牌", site: "点位", content: "公开内容",
  feedback: "意见建议", region: "地区", unit: "单位", evidence: "佐证材料", bulletin: "通报", file: "文件", rule: "规则", ticket: "编号",
};
const kind = (k: string) => kindText[k.toLowerCase()] ?? k;
const levelText: Readonly<Record<string, string>> = regionLevelLabel;

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

type Rule = readonly [RegExp, string | ((...groups: string[]) => string)];

const blockerRules: Rule[] = [
  [/^(\d+) monthly figure\(s\)$/, (n) => `${n} 条月度填报`],
  [/^(\d+) disclosure record\(s\)$/, (n) => `${n} 条信息公开记录`],
  [/^(\d+) published 码上通 item\(s\)$/, (n) => `${n} 条已公开的码上通内容`],
  [/^(\d+) citizens' suggestion\(s\)$/, (n) => `${n} 条群众意见建议`],
  [/^indicator\(s\) linked to it: (.*)$/, (ids) => `关联到它的指标（${ids}）`],
];

/** Whole-answer messages (the `message` of conflicts, refusals, look-ups). */
const messageRules: Rule[] = [
  [/^the (\w+) changed since you read it \(version (\d+), not (\d+)\); reload it$/, (k, now, read) => `该${kind(k)}已被他人修改（现为第 ${now} 版，您看到的是第 ${read} 版），请刷新后重试`],
  [/^(\w+) (\S+) changed since you read it \(version (\d+), not (\d+)\); reload it$/, (k, id, now, read) => `${kind(k)} ${id} 已被他人修改（现为第 ${now} 版，您看到的是第 ${read} 版），请刷新后重试`],
  [/^targets changed since you read them: (.*); reload them$/, (list) => `地区 ${list} 的目标已被他人修改，请刷新后重试`],
  [/(changed since you read (it|them)|; reload (it|them)$)/, "数据已被他人修改，请刷新后重试"],
  [/^username (\S+) is taken$/, (u) => `用户名 ${u} 已被使用`],
  [/^第 (\d+) 期 of (\d+) has already been issued for region (\S+); use the next number$/, (n, y, r) => `地区 ${r} ${y} 年第 ${n} 期已签发，请改用下一期号`],
  [/^(the request body|the file|the workbook|the bundle|the request \(with its photo\)) is larger than the limit of ([\d.]+) (MB|KB|bytes)$/, (what, n, u) =>
    `${{ "the request body": "提交的内容", "the file": "文件", "the workbook": "工作簿", "the bundle": "数据包" }[what] ?? "提交的内容（含照片）"}过大，上限为 ${n} ${u === "bytes" ? "字节" : u}`],
  [/^at most (\d+) files per piece of content$/, (n) => `每条内容最多 ${n} 个附件`],
  [/^this file is already attached/, "该文件已上传过"],
  [/^cannot \w+ feedback that is \w+: /, "只有待审核的意见建议才能审核通过或不予受理，请刷新后查看最新状态"],
  [/^two-factor sign-in is already on$/, "两步验证已启用"],
  [/^start enrolment first/, "请先开始绑定身份验证器"],
  [/^(\w+) (\S+) cannot be deleted: (.*) depend on it$/, (k, id, list) => `${kind(k)} ${id} 不能删除：仍有${list.split("; ").map((b) => translate(b, blockerRules) ?? b).join("、")}依赖于它`],
  [/^(\w+) (\S+) not found$/, (k, id) => `${kind(k)} ${id} 不存在或已被删除`],
  [/^plan (\S+) was issued by region (\S+); you edit the plans of (\S+) only$/, (p, r, own) => `计划 ${p} 由地区 ${r} 下达，您只能修改本地区（${own}）下达的计划`],
  [/^plan (\S+) does not concern your area$/, (p) => `计划 ${p} 与您的辖区无关`],
  [/^you issue plans for region (\S+) only$/, (r) => `您只能为本地区（${r}）下达计划`],
  [/^you may not set the targets of (.*?): staff split targets/, (list) => `您不能设置 ${list} 的目标：只能向本辖区内的地区分解目标`],
  [/^region (\S+) is outside your area$/, (r) => `地区 ${r} 不在您的辖区内`],
  [/^(\w+) (\S+) is not a record of your area$/, (k, id) => `${kind(k)} ${id} 不属于您的辖区`],
  [/^plan (\S+) does not cover your area$/, (p) => `计划 ${p} 不覆盖您的辖区`],
  [/^the project is led by unit (\S+), not yours \((\S+)\)$/, (l, u) => `该项目由单位 ${l} 牵头，不是本单位（${u}）的`],
  [/^you report for unit (\S+), not (\S+)$/, (u) => `您只能为本单位（${u}）填报`],
  [/^your role may not (\S+)$/, (p) => `您的角色无此权限（${p}）`],
  [/^you may not change your own role, area or status/, "不能修改自己的角色、辖区或状态，请由另一位安全管理员操作"],
  [/^you may not reset your own two-factor sign-in/, "不能重置自己的两步验证，请由另一位安全管理员操作"],
  [/^you may not issue your own enrolment code/, "不能为自己生成绑定码，请由另一位安全管理员操作"],
  [/^administrators need an enrolment code/, "管理员绑定身份验证器须凭安全管理员提供的绑定码"],
  [/^wrong, used or expired enrolment code/, "绑定码错误、已使用或已过期，请向安全管理员索取新的绑定码"],
  [/^user (\S+) is not an administrator: they bind an authenticator without an enrolment code$/, (u) => `用户 ${u} 不是管理员，绑定身份验证器无需绑定码`],
  [/^user (\S+) has two-factor sign-in on already: reset it first$/, (u) => `用户 ${u} 已启用两步验证，如需重新绑定请先重置`],
  [/^API token (\d+) acts as (\S+), now an administrator/, (t, u) => `接口令牌 ${t} 代表的用户 ${u} 现为管理员，令牌不能代表管理员账户，已拒绝`],
  [/^only the answering unit/, "只有答复单位（项目牵头单位或点位所在地区的办公室）可查看联系电话"],
  [/^missing reports are for task-force staff and reviewers$/, "逾期未报情况仅供专班和核验人员查看"],
  [/^wrong username or password$/, "用户名或密码错误"],
  [/^the current password is wrong$/, "当前密码不正确"],
  [/^your password was changed meanwhile/, "密码已在别处被修改，请用新密码重新登录"],
  [/^change your password from a signed-in session/, "请登录后在本系统中修改密码（接口令牌不能修改密码）"],
  [/^invalid input$/, codeText.ValidationFailed!],
  [/^(\d+) problem\(s\) in (\d+) of (\d+) row\(s\); nothing was imported$/, (n, bad, all) => `${all} 行中有 ${bad} 行共 ${n} 处问题，未导入任何数据`],
];

/** Field-level messages (`problems[].message`): zod's own wording first, then the API's checks. */
const problemRules: Rule[] = [
  [/^Invalid input: expected \w+, received undefined$/, "必填"],
  [/^Invalid input: expected (int|number), received/, (t) => (t === "int" ? "请填写整数" : "请填写数字")],
  [/^Invalid input: expected string, received/, "请填写文字"],
  [/^Invalid input: expected boolean/, "请选择是或否"],
  [/^Invalid option: expected one of/, "请从可选项中选择"],
  [/^Unrecognized keys?: (.*)$/, (keys) => `包含不认识的字段 ${keys}`],
  [/^Invalid string: must match pattern/, "格式不正确"],
  [/^Too small: expected string to have >=1 characters$/, "不能为空"],
  [/^Too small: expected string to have >=(\d+) characters$/, (n) => `至少 ${n} 个字符`],
  [/^Too big: expected string to have <=(\d+) characters$/, (n) => `最多 ${n} 个字符`],
  [/^Too small: expected number to be >0$/, "须大于 0"],
  [/^Too small: expected number to be >=(\S+)$/, (n) => `不能小于 ${n}`],
  [/^Too big: expected number to be <=(\S+)$/, (n) => `不能大于 ${n}`],
  [/^Too small: expected array to have >=(\d+) items?$/, (n) => `至少 ${n} 项`],
  [/^Too big: expected array to have <=(\d+) items?$/, (n) => `最多 ${n} 项`],
  [/^(Invalid ISO date|is not a calendar date|must be a date)/, "请填写有效日期（YYYY-MM-DD）"],
  [/^Invalid input$/, "格式不正确"],
  [/^(must not be empty|is empty)$/, "不能为空"],
  [/^must be at most (\d+) characters$/, (n) => `最多 ${n} 个字符`],
  [/^must be at least (\d+) characters$/, (n) => `至少 ${n} 个字符`],
  [/^must contain letters and digits$/, "须同时包含字母和数字"],
  [/^is not your current password$/, "当前密码不正确"],
  [/^must differ from the current password$/, "新密码不能与当前密码相同"],
  [/^must not be negative$/, "不能为负数"],
  [/^must be greater than 0$/, "须大于 0"],
  [/^is implausibly large/, "数值过大"],
  [/^must be a month written YYYY-MM$/, "请填写月份（YYYY-MM）"],
  [/^is a month that has not begun yet$/, "该月份尚未开始"],
  [/region code/, "须为 6-12 位地区代码"],
  [/^must be the version (you read|of the report you reviewed)/, "缺少版本号，请刷新后重试"],
  [/^must be an 11-digit mainland mobile number$/, "请填写 11 位手机号码"],
  [/^must be 3-64 letters, digits, '_', '\.', '-'$/, "须为 3-64 位字母、数字或 _ . -"],
  [/^may contain only letters, digits/, "只能包含字母、数字及 - _ . :"],
  [/^is already used by (\w+) (\S+) in this plan$/, (k, id) => `已被本计划的${kind(k)} ${id} 使用`],
  [/^is already used by another (\w+)$/, (k) => `已被其他${kind(k)}使用`],
  [/^unknown (region|unit|indicator|rule|user) "?([^"]*)"?$/, (k, id) => `${kind(k)}“${id}”不存在`],
  [/^unit (\S+) belongs to region (\S+), outside the plan's area (\S+)$/, (u, r, a) => `单位 ${u} 属于地区 ${r}，不在计划辖区（${a}）内`],
  [/^is outside the plan's area \((\S+)\)$/, (a) => `不在计划辖区（${a}）内`],
  [/^is in plan (\S+), outside your area$/, (p) => `属于计划 ${p}，不在您的辖区内`],
  [/^is outside your area/, "不在您的辖区内"],
  [/^must be an indicator of another plan/, "须为其他计划的指标（纳入上级统一调度）"],
  [/^does not match the region's level \((\S+) is (\w+)\)$/, (n, l) => `与地区级别不符（${n}为${levelText[l] ?? l}）`],
  [/^is a milestone percent: at most 100$/, "节点类指标为百分比，不能超过 100"],
  [/^cannot be milestone: some targets are above 100/, "不能改为节点类：已有目标超过 100（节点类为百分比）"],
  [/^repeats targets\[(\d+)\]$/, (i) => `与第 ${Number(i) + 1} 行重复`],
  [/^cannot change: the plan already holds monthly figures of its year$/, "计划已有当年的月度填报，不能修改年度"],
  [/^months must increase$/, "月份应逐个递增"],
  [/^fractions must not decrease$/, "进度不应低于上一个节点"],
  [/^needs at least one (milestone|target|plan|rule)$/, (k) => `至少需要一个${{ milestone: "节点", target: "目标", plan: "计划", rule: "规则" }[k]}`],
  [/^at most (\d+) plans$/, (n) => `最多 ${n} 个计划`],
  [/^at most ([\d,]+) targets at once$/, (n) => `一次最多 ${n} 条目标`],
  [/^is required to submit/, "提交前请填写进展情况"],
  [/^is required: the value (\S+) is below (\S+)'s counted (\S+)/, (v, p, c) => `本月数值 ${v} 低于 ${p} 已核定的 ${c}（环比下降），请说明原因`],
  [/^takes its figures from the linked indicator (\S+); report there$/, (i) => `该指标取自关联指标 ${i}，请在该指标下填报`],
  [/^belongs to a project led by (\S+), not your unit (\S+)$/, (l, u) => `属于 ${l} 牵头的项目，不是本单位（${u}）的`],
  [/^has no target for (\S+) \(itself or below\)$/, (i) => `该地区（含下级）没有指标 ${i} 的目标`],
  [/^is not in the plan's year (\d+)$/, (y) => `不在计划年度 ${y} 内`],
  [/^must say why/, "请说明原因（至少 2 个字）"],
  [/^is required for this role$/, "该角色必须填写"],
  [/^must name a unit or a region$/, "请选择单位或地区"],
  [/^nothing to change/, "没有需要保存的修改"],
  [/NUL character/, "包含不允许的控制字符"],
  [/^must be the 6 digits your authenticator app shows$/, "请填写身份验证器显示的 6 位数字"],
  [/^(wrong code|wrong or already used)$/, "验证码错误或已使用"],
  [/^wrong, used or expired$/, "绑定码错误、已使用或已过期"],
  [/^is required: an administrator binds an authenticator with a one-time enrolment code/, "管理员须填写安全管理员提供的绑定码"],
  [/^must be an enrolment code such as/, "请输入绑定码，如 ABCDE-12345"],
  [/^(must be a file|is required: (a file|the filled template) in the multipart field)/, "请选择文件"],
  [/^(is|body is) not valid JSON$/, "不是有效的 JSON"],
  [/^must not be before the issue date$/, "不能早于发文日期"],
  [/^must not be above the ceiling$/, "不能高于上限"],
  [/^a token may not act as an administrator/, "令牌不能代表管理员账户（系统/安全/审计管理员）"],
  [/^duplicates rule (\S+)$/, (r) => `与规则 ${r} 重复`],
  // the Excel import of monthly figures (cells of the filled template)
  [/^the column "(.*)" is missing$/, (c) => `缺少“${c}”列`],
  [/^the workbook has no sheet named "(.*?)"/, (n) => `工作簿中没有“${n}”工作表，请使用下载的本月模板`],
  [/^no header row/, "找不到表头：前几行应为模板的列标题"],
  [/^more than (\d+) rows/, (n) => `超过 ${n} 行，请分批上传`],
  [/^(the workbook could not be read: )?the workbook unpacks to more than (\d+) MB/, (_, n) => `工作簿解压后超过 ${n} MB，请上传填好的模板本身`],
  [/^the workbook could not be read: a number format code is longer than Excel's (\d+) characters/, (n) => `工作簿中有超过 ${n} 个字符的数字格式（Excel 不会生成），无法读取，请使用下载的模板`],
  [/^the workbook could not be read: merged cells cover more than (\d+) cells/, (n) => `工作簿中合并单元格超过 ${n} 个，无法读取，请使用下载的模板`],
  [/^(the workbook's ZIP structure could not be read|is not a readable \.xlsx archive)/, "无法读取该工作簿的压缩结构，请确认是完整的 .xlsx 文件"],
  [/^the workbook could not be read/, "无法读取该工作簿，请确认是 .xlsx 文件"],
  // photos are cleaned of their metadata (EXIF, GPS) when uploaded
  [/^the (JPEG|PNG|WebP|GIF) image is damaged/, (t) => `该 ${t} 图片已损坏，无法读取，请重新导出或拍摄后上传`],
  [/^the stored image is damaged/, "该图片文件已损坏，无法在去除位置信息后提供，请重新上传"],
  [/sealed with another key/, "该数据是用另一把密钥加密的：本服务器的密钥（FEEDBACK_KEY）打不开它，请联系系统管理员核对各服务器的密钥配置"],
  [/^duplicates row (\d+): the same indicator and region twice$/, (r) => `与第 ${r} 行重复：同一指标和地区出现两次`],
  [/^is not a number: "(.*)"$/, (v) => `不是数字：“${v}”`],
  [/^is empty: fill in this month's cumulative value/, "为空：请填写本月累计值，或清空整行"],
  [/^the (\S+) report of this indicator and region is already (\w+);/, (p, st) => `${p} 该指标和地区的填报已${{ submitted: "提交", verified: "核验", reduced: "核减" }[st] ?? st}，只有草稿或退回的填报可以替换`],
];

function translate(message: string, rules: readonly Rule[]): string | undefined {
  for (const [re, to] of rules) {
    const m = re.exec(message);
    if (m) return typeof to === "string" ? to : to(...m.slice(1));
  }
  return undefined;
}

/** Text that is Chinese already (some API messages are) stays as it is; one followed by its English in brackets loses them. */
function chinese(s: string): string | undefined {
  if (!/^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/.test(s)) return undefined;
  const lead = /^(.*?)\s*\(([^()]*)\)$/.exec(s);
  if (lead && /[A-Za-z]{3,} [A-Za-z]{2,}/.test(lead[2]!)) return lead[1];
  return /[A-Za-z]{3,} [A-Za-z]{2,}/.test(s) ? undefined : s;
}

/** The answer's message in Chinese: its wording when known, else what its code (or status) means, the English kept in brackets. */
export function messageText(code: string, status: number, message: string): string {
  const known = chinese(message) ?? translate(message, messageRules) ?? translate(message, problemRules);
  if (known) return known;
  const general = codeText[code] ?? statusText[status] ?? (status >= 500 ? codeText.Internal! : `请求失败（HTTP ${status}）`);
  return message && message !== `HTTP ${status}` ? `${general}（${message}）` : general;
}

/** A problem's message in Chinese, to show at its field. */
export function problemText(message: string): string {
  return chinese(message) ?? translate(message, problemRules) ?? translate(message, messageRules) ?? `不符合要求（${message}）`;
}
