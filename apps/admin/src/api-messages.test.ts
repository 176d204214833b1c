// The API's error answers in Chinese (api-messages.ts): by wording, else by code; at the field when
// they name one; the API's English kept beside for support.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ApiProblem, errorText, problemsToFields } from "./api";
import { codeText, fieldLabel, messageText, problemText } from "./api-messages";

/** Two English words in a row: what must not reach the console's UI (but for the bracketed original of an unknown message). */
const english = /[A-Za-z]{3,} [A-Za-z]{2,}/;

describe("codes", () => {
  it("has Chinese for every error code the API answers with", () => {
    // the codes are the keys of statusOfError in the API's lib/errors.ts (read as text: the console does not build the server's code)
    const source = readFileSync(new URL("../../api/src/lib/errors.ts", import.meta.url), "utf8");
    const table = source.slice(source.indexOf("statusOfError"), source.indexOf("};", source.indexOf("statusOfError")));
    const codes = [...table.matchAll(/^\s+(\w+): \d{3},$/gm)].map((m) => m[1]!);
    expect(codes).toContain("ValidationFailed");
    expect(codes.length).toBeGreaterThan(10);
    for (const code of [...codes, "BadRequest", "Internal"]) expect(codeText[code], code).toMatch(/[\u4e00-\u9fff]/);
  });

  it("falls back to the code's meaning, then the status's, keeping an unknown English message in brackets", () => {
    expect(messageText("Forbidden", 403, "not allowed for your role or region")).toBe("无权进行此操作（角色权限或辖区不允许）（not allowed for your role or region）");
    expect(messageText("Error", 503, "HTTP 503")).toBe("数据库暂时不可用，请稍后重试");
    expect(messageText("Error", 502, "")).toBe("服务器内部错误，请稍后重试或联系管理员");
  });
});

describe("messages the console meets, in Chinese", () => {
  const answers: [code: string, status: number, message: string, chinese: string][] = [
    ["Conflict", 409, "item sy2025-i01 changed since you read it (version 3, not 2); reload it", "实事 sy2025-i01 已被他人修改（现为第 3 版，您看到的是第 2 版），请刷新后重试"],
    ["Conflict", 409, "the report changed since you read it (version 4, not 3); reload it", "该填报已被他人修改（现为第 4 版，您看到的是第 3 版），请刷新后重试"],
    ["Conflict", 409, "another reviewer acted on this report first; reload it", "数据已被他人修改，请刷新后重试"],
    ["Conflict", 409, "targets changed since you read them: 430523, 430524; reload them", "地区 430523, 430524 的目标已被他人修改，请刷新后重试"],
    ["Conflict", 409, "indicator hn2024-p02-a cannot be deleted: 12 monthly figure(s); indicator(s) linked to it: sy2024-p01-a depend on it", "指标 hn2024-p02-a 不能删除：仍有12 条月度填报、关联到它的指标（sy2024-p01-a）依赖于它"],
    ["Conflict", 409, "username county2 is taken", "用户名 county2 已被使用"],
    ["Conflict", 409, "第 7 期 of 2024 has already been issued for region 430500; use the next number", "地区 430500 2024 年第 7 期已签发，请改用下一期号"],
    ["NotFound", 404, "plan sy2030 not found", "计划 sy2030 不存在或已被删除"],
    ["Forbidden", 403, "plan hn2024 was issued by region 430000; you edit the plans of 430500 only", "计划 hn2024 由地区 430000 下达，您只能修改本地区（430500）下达的计划"],
    ["Forbidden", 403, "region 430000 is outside your area", "地区 430000 不在您的辖区内"],
    ["Forbidden", 403, "your role may not plans.edit", "您的角色无此权限（plans.edit）"],
    ["Unauthenticated", 401, "wrong username or password", "用户名或密码错误"],
    ["ValidationFailed", 400, "the current password is wrong", "当前密码不正确"],
    ["Conflict", 409, "your password was changed meanwhile: sign in again with the new one", "密码已在别处被修改，请用新密码重新登录"],
    ["TooManyRequests", 429, "登录失败次数过多，请 15 分钟后再试 (too many failed sign-ins from this address)", "登录失败次数过多，请 15 分钟后再试"],
    ["ValidationFailed", 400, "administrators need an enrolment code to bind an authenticator", "管理员绑定身份验证器须凭安全管理员提供的绑定码"],
    ["Forbidden", 403, "wrong, used or expired enrolment code: ask a security administrator for a new one", "绑定码错误、已使用或已过期，请向安全管理员索取新的绑定码"],
    ["Forbidden", 403, "you may not issue your own enrolment code: ask another security administrator", "不能为自己生成绑定码，请由另一位安全管理员操作"],
    ["Conflict", 409, "user city is not an administrator: they bind an authenticator without an enrolment code", "用户 city 不是管理员，绑定身份验证器无需绑定码"],
    ["Conflict", 409, "user auditor has two-factor sign-in on already: reset it first", "用户 auditor 已启用两步验证，如需重新绑定请先重置"],
    ["Forbidden", 403, "API token 7 acts as integration, now an administrator (系统/安全/审计管理员): a token never acts as one", "接口令牌 7 代表的用户 integration 现为管理员，令牌不能代表管理员账户，已拒绝"],
    ["ValidationFailed", 400, "invalid input", "输入有误，请按提示修改"],
    ["PayloadTooLarge", 413, "the request body is larger than the limit of 1 MB", "提交的内容过大，上限为 1 MB"],
    ["PayloadTooLarge", 413, "the file is larger than the limit of 20 MB", "文件过大，上限为 20 MB"],
    ["DatabaseUnavailable", 503, "数据库暂时不可用，请稍后重试 (the database connection failed; try again)", "数据库暂时不可用，请稍后重试"],
    ["KeyMismatch", 409, "the phone number was sealed with another key: this server's FEEDBACK_KEY does not open it (every API instance must use the same key)", "该数据是用另一把密钥加密的：本服务器的密钥（FEEDBACK_KEY）打不开它，请联系系统管理员核对各服务器的密钥配置"],
    ["Conflict", 409, "the stored image is damaged and cannot be served without its metadata", "该图片文件已损坏，无法在去除位置信息后提供，请重新上传"],
    ["PayloadTooLarge", 413, "the workbook unpacks to more than 100 MB", "工作簿解压后超过 100 MB，请上传填好的模板本身"],
    ["ValidationFailed", 400, "the workbook's ZIP structure could not be read", "无法读取该工作簿的压缩结构，请确认是完整的 .xlsx 文件"],
    ["ValidationFailed", 400, "the JPEG image is damaged and cannot be cleaned of its metadata", "该 JPEG 图片已损坏，无法读取，请重新导出或拍摄后上传"],
  ];
  it.each(answers)("%s %i: %s", (code, status, message, chinese) => {
    expect(messageText(code, status, message)).toBe(chinese);
  });

  const problems: [message: string, chinese: string][] = [
    ["Invalid input: expected string, received undefined", "必填"],
    ["the workbook could not be read: a number format code is longer than Excel's 255 characters", "工作簿中有超过 255 个字符的数字格式（Excel 不会生成），无法读取，请使用下载的模板"],
    ["the workbook could not be read: the workbook unpacks to more than 100 MB", "工作簿解压后超过 100 MB，请上传填好的模板本身"],
    ["the workbook could not be read: merged cells cover more than 100000 cells", "工作簿中合并单元格超过 100000 个，无法读取，请使用下载的模板"],
    ["is not a readable .xlsx archive", "无法读取该工作簿的压缩结构，请确认是完整的 .xlsx 文件"],
    ["Invalid input: expected number, received string", "请填写数字"],
    ["Too small: expected string to have >=1 characters", "不能为空"],
    ["Too big: expected string to have <=200 characters", "最多 200 个字符"],
    ["must be at least 10 characters", "至少 10 个字符"],
    ["must contain letters and digits", "须同时包含字母和数字"],
    ["is not your current password", "当前密码不正确"],
    ["must differ from the current password", "新密码不能与当前密码相同"],
    ["Too small: expected number to be >=0", "不能小于 0"],
    ['Invalid option: expected one of "quantity"|"milestone"', "请从可选项中选择"],
    ['Unrecognized key: "region"', '包含不认识的字段 "region"'],
    ["must not be empty", "不能为空"],
    ["must be a region code (6-12 digits)", "须为 6-12 位地区代码"],
    ["is already used by item sy2025-i01 in this plan", "已被本计划的实事 sy2025-i01 使用"],
    ["is already used by another indicator", "已被其他指标使用"],
    ['unknown unit "nobody"', "单位“nobody”不存在"],
    ["unit zj belongs to region 430600, outside the plan's area 430500", "单位 zj 属于地区 430600，不在计划辖区（430500）内"],
    ["does not match the region's level (邵阳市 is city)", "与地区级别不符（邵阳市为市级）"],
    ["is outside the plan's area (430500)", "不在计划辖区（430500）内"],
    ["repeats targets[3]", "与第 4 行重复"],
    ["is a milestone percent: at most 100", "节点类指标为百分比，不能超过 100"],
    ["months must increase", "月份应逐个递增"],
    ["is required to submit: describe the progress (进展情况)", "提交前请填写进展情况"],
    ["is required: the value 80 is below 2024-08's counted 85 (环比下降)", "本月数值 80 低于 2024-08 已核定的 85（环比下降），请说明原因"],
    ["must be an indicator of another plan (纳入上级统一调度)", "须为其他计划的指标（纳入上级统一调度）"],
    ["cannot change: the plan already holds monthly figures of its year", "计划已有当年的月度填报，不能修改年度"],
    ["must be an 11-digit mainland mobile number", "请填写 11 位手机号码"],
    ["is required: an administrator binds an authenticator with a one-time enrolment code from a security administrator", "管理员须填写安全管理员提供的绑定码"],
    ["wrong, used or expired", "绑定码错误、已使用或已过期"],
    ["must be an enrolment code such as ABCDE-12345", "请输入绑定码，如 ABCDE-12345"],
    ["请填写不小于 0 的数字（累计值）", "请填写不小于 0 的数字（累计值）"],
    ['is not a number: "十二"', "不是数字：“十二”"],
    ["the 2024-09 report of this indicator and region is already verified; only a draft or a returned report can be replaced", "2024-09 该指标和地区的填报已核验，只有草稿或退回的填报可以替换"],
  ];
  it.each(problems)("problem %s", (message, chinese) => {
    expect(problemText(message)).toBe(chinese);
    expect(problemText(message)).not.toMatch(english);
  });

  it("leads an unknown problem with Chinese, its English kept in brackets", () => {
    expect(problemText("the sheet is upside down")).toBe("不符合要求（the sheet is upside down）");
  });
});

describe("field names", () => {
  it("names fields and rows in Chinese, the request as a whole not at all", () => {
    expect(fieldLabel("$.no")).toBe("序号");
    expect(fieldLabel("$.schedule.points[1].month")).toBe("序时进度 第 2 个节点 月份");
    expect(fieldLabel("$.targets[0].value")).toBe("第 1 个目标 数值");
    expect(fieldLabel("$")).toBe("");
  });
});

describe("ApiProblem and the forms", () => {
  const e = new ApiProblem(400, "ValidationFailed", "invalid input", [
    { path: "$.title", message: "Too small: expected string to have >=1 characters" },
    { path: "$.leadUnit", message: 'unknown unit "nobody"' },
    { path: "$", message: 'Unrecognized key: "region"' },
  ]);

  it("speaks Chinese and keeps the API's English beside it", () => {
    expect(e.message).toBe("输入有误，请按提示修改");
    expect(e.apiMessage).toBe("invalid input");
    expect(e.problems[1]).toEqual({ path: "$.leadUnit", message: "单位“nobody”不存在", apiMessage: 'unknown unit "nobody"' });
    expect(errorText(e)).toBe("输入有误，请按提示修改");
    expect(errorText(new TypeError("Failed to fetch"))).toBe("网络连接失败，请检查网络后重试");
  });

  it("shows each field's message at the field and names the field of the others", () => {
    expect(problemsToFields(e, ["title"])).toEqual({ fields: [{ name: "title", errors: ["不能为空"] }], rest: ["牵头单位：单位“nobody”不存在", '包含不认识的字段 "region"'] });
  });

  it("does not translate twice", () => {
    const again = new ApiProblem(e.status, e.code, e.message, e.problems);
    expect(again.message).toBe(e.message);
    expect(again.problems).toEqual(e.problems);
  });
});
