// The API's error answers in Chinese (api-messages.ts): by their code and parameters (the table
// @minsheng/domain/error-codes), field problems by their error code or zod's issue code; the API's
// English kept beside for support.
import { readdirSync, readFileSync } from "node:fs";
import { errorCodes, errorText, isErrorCode } from "@minsheng/domain/error-codes";
import { describe, expect, it } from "vitest";
import { ApiProblem, errorText as shownText, problemsToFields } from "./api";
import { customWordings, fieldLabel, messageText, problemText, zodText } from "./api-messages";

/** Two English words in a row: what must not reach the console's UI (but for the bracketed original of an unknown message). */
const english = /[A-Za-z]{3,} [A-Za-z]{2,}/;
const cjk = /[\u4e00-\u9fff]/;
const placeholders = (zh: string) => [...zh.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!);

/** The keys of an object literal's source (`{ id, current: Number(x.version) }` → id, current); null when it spreads. */
function literalKeys(source: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let part = "";
  for (const ch of source.slice(1, -1)) {
    if ("([{".includes(ch)) depth++;
    if (")]}".includes(ch)) depth--;
    if (ch === "," && depth === 0) {
      parts.push(part);
      part = "";
    } else part += ch;
  }
  parts.push(part);
  const keys: string[] = [];
  for (const p of parts.map((x) => x.trim()).filter(Boolean)) {
    if (p.startsWith("...")) return null;
    const key = /^["']?(\w+)["']?\s*(:|$)/.exec(p)?.[1];
    if (key) keys.push(key);
  }
  return keys;
}

/** Every place the API's source raises a coded error: `fail("X"`, `failWith("X"`, `new CodedError("X"` (and plans' `refusal("X"`, a listed problem's `coded("X"`), with its params literal when it has one. */
function throwSites() {
  const root = new URL("../../api/src/", import.meta.url);
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  const sites: { file: string; code: string; keys: string[] | null }[] = [];
  for (const file of files) {
    const source = readFileSync(new URL(file, root), "utf8");
    // the code, then: `)` (no parameters), a `{ … }` literal (its keys), or anything else (a variable: not checked)
    for (const m of source.matchAll(/\b(?:fail|failWith|new CodedError|refusal|coded)(?:<[^>]*>)?\(\s*"(\w+)"\s*(\)|,\s*(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})\s*[,)])?/g))
      sites.push({ file, code: m[1]!, keys: m[2] === ")" ? [] : m[3] ? literalKeys(m[3]) : null });
  }
  return sites;
}

describe("codes", () => {
  const sites = throwSites();

  it("finds the API's throw sites (the scan works)", () => {
    expect(sites.length).toBeGreaterThan(150);
    for (const code of ["REPORT_NOT_EDITABLE", "PERMISSION_DENIED", "REGION_OUTSIDE_AREA", "VALIDATION_FAILED", "TOO_MANY_REQUESTS", "ROUTE_NOT_FOUND", "INTERNAL", "BUNDLE_INVALID"])
      expect(sites.map((s) => s.code), code).toContain(code);
  });

  it("has Chinese text for every code the API can answer with: the table's and every one it throws", () => {
    const codes = new Set([...Object.keys(errorCodes), ...sites.map((s) => s.code)]);
    for (const code of codes) {
      expect(isErrorCode(code), `${code} is thrown but not in the table`).toBe(true);
      expect(errorText(code), code).toMatch(cjk);
    }
  });

  it("names each placeholder as a parameter, and every throw site that spells its parameters out gives them all", () => {
    for (const [code, { zh }] of Object.entries(errorCodes)) for (const name of placeholders(zh)) expect(name, `${code}: {${name}}`).toMatch(/^[A-Za-z_]\w*$/);
    const missing = sites.flatMap(({ file, code, keys }) =>
      keys === null || !isErrorCode(code) ? [] : placeholders(errorCodes[code].zh).filter((name) => !keys.includes(name)).map((name) => `${file}: ${code} without {${name}}`),
    );
    expect(missing).toEqual([]);
  });

  it("falls back to the status's meaning for a code it does not know, keeping the API's text in brackets", () => {
    expect(messageText("SOMETHING_NEW", 403, "not allowed")).toBe("无权进行此操作（角色权限或辖区不允许）（not allowed）");
    expect(messageText("Error", 503, "HTTP 503")).toBe("服务暂时不可用，请稍后重试");
    expect(messageText("Error", 502, "")).toBe("服务器内部错误，请稍后重试或联系管理员");
    expect(messageText("Error", 418, "teapot")).toBe("请求失败（HTTP 418）（teapot）");
    // a message the console made itself is Chinese already
    expect(messageText("Error", 500, "下载失败（HTTP 500）")).toBe("下载失败（HTTP 500）");
  });
});

describe("answers the console meets, in Chinese by code and parameters", () => {
  // as the API answers them (apps/api: the code, the English detail, the params)
  const answers: [code: string, status: number, message: string, params: Record<string, unknown>, chinese: string][] = [
    ["REPORT_NOT_EDITABLE", 409, "the report is submitted: only a draft or a returned report can be changed", { state: "已提交" }, "该填报当前为“已提交”，只有草稿或已退回的填报可以修改"],
    ["ITEM_VERSION_STALE", 409, "item sy2025-i01 changed since you read it (version 3, not 2); reload it", { id: "sy2025-i01", current: 3, sent: 2 }, "实事 sy2025-i01 已被他人修改（当前版本 3，您读取的是 2），请刷新后重试"],
    ["REGION_OUTSIDE_AREA", 403, "region 430000 is outside your area", { region: "430000" }, "地区 430000 不在您的辖区内"],
    ["PERMISSION_DENIED", 403, "your role may not plans.edit", { permission: "plans.edit" }, "您的角色无此权限（plans.edit）"],
    ["SIGN_IN_THROTTLED", 429, "too many failed sign-ins from this address", { minutes: 15 }, "登录失败次数过多，请 15 分钟后再试"],
    ["PAYLOAD_TOO_LARGE", 413, "the request body is larger than the limit of 1 MB", { limit: "1 MB" }, "内容过大（上限 1 MB）"],
    ["REPORT_TRANSITION_NOT_ALLOWED", 409, "cannot verify a report that is draft: submit it first", { from: "草稿", action: "核验通过" }, "该填报当前为“草稿”，不能核验通过，请刷新后查看最新状态"],
    ["BUNDLE_INVALID", 400, "invalid bundle (2 problems):", { count: 2 }, "数据包校验未通过（2 处问题）"],
    ["NOT_SIGNED_IN", 401, "sign in first", {}, "未登录或登录已过期，请重新登录"],
    ["USER_USERNAME_TAKEN", 409, "username county2 is taken", { username: "county2" }, "用户名 county2 已被使用"],
  ];
  it.each(answers)("%s %i", (code, status, message, params, chinese) => {
    expect(messageText(code, status, message, params)).toBe(chinese);
    expect(new ApiProblem(status, code, message, [], params).message).toBe(chinese);
  });
});

describe("field problems", () => {
  // zod's issue codes and figures, as apps/api/src/lib/validate.ts problemsOf sends them
  const zod: [code: string, params: Record<string, unknown>, chinese: string][] = [
    ["invalid_type", { expected: "string", received: "undefined" }, "必填"],
    ["invalid_type", { expected: "number", received: "string" }, "请填写数字"],
    ["invalid_type", { expected: "int", received: "number" }, "请填写整数"],
    ["too_small", { origin: "string", minimum: 1, inclusive: true }, "不能为空"],
    ["too_small", { origin: "string", minimum: 10, inclusive: true }, "至少 10 个字符"],
    ["too_big", { origin: "string", maximum: 200, inclusive: true }, "最多 200 个字符"],
    ["too_small", { origin: "number", minimum: 0, inclusive: true }, "不能小于 0"],
    ["too_small", { origin: "number", minimum: 0, inclusive: false }, "须大于 0"],
    ["too_big", { origin: "number", maximum: 1_000_000_000_000, inclusive: true }, "不能大于 1,000,000,000,000"],
    ["too_small", { origin: "array", minimum: 1, inclusive: true }, "至少 1 项"],
    ["too_big", { origin: "array", maximum: 8, inclusive: true }, "最多 8 项"],
    ["invalid_value", { values: ["quantity", "milestone"] }, "请从可选项中选择"],
    ["unrecognized_keys", { keys: ["region", "note"] }, "包含不认识的字段 region、note"],
    ["invalid_format", { format: "regex" }, "格式不正确"],
    ["invalid_format", { format: "url" }, "请填写有效的链接"],
  ];
  it.each(zod)("zod %s %j", (code, params, chinese) => {
    expect(zodText(code, params)).toBe(chinese);
    // zod's own English is not read: any wording gives the same
    expect(problemText({ message: "whatever zod said", code, params })).toBe(chinese);
  });

  it("says a coded error's problem by its code, whatever its English", () => {
    expect(problemText({ message: "is not a readable .xlsx archive", code: "IMPORT_ZIP_UNREADABLE", params: {} })).toBe(errorText("IMPORT_ZIP_UNREADABLE"));
    expect(problemText({ message: 'unknown unit "nobody"', code: "LEAD_UNIT_UNKNOWN", params: { unit: "nobody" } })).toBe("牵头单位 nobody 不存在");
    expect(problemText({ message: "repeats targets[3]", code: "TARGET_REGION_REPEATED", params: { region: "430524", first: 4 } })).toBe("地区 430524 与第 4 行重复");
    expect(problemText({ message: "must not contain the NUL character (\\u0000)", code: "TEXT_HAS_NUL" })).toBe("包含不允许的控制字符（NUL）");
  });

  // the wordings our own schemas write (custom messages on checks and refinements), before zod's code
  const own: [message: string, code: string, chinese: string][] = [
    ["must be a month written YYYY-MM, e.g. 2024-09", "invalid_format", "请填写月份（YYYY-MM）"],
    ["must be a region code (6-12 digits)", "invalid_format", "须为 6-12 位地区代码"],
    ["must be an 11-digit mainland mobile number", "invalid_format", "请填写 11 位手机号码"],
    ["must differ from the current password", "custom", "新密码不能与当前密码相同"],
    ["must be at least 10 characters", "custom", "至少 10 个字符"],
    ["months must increase", "custom", "月份应逐个递增"],
    ["must be an enrolment code such as ABCDE-12345", "invalid_format", "请输入绑定码，如 ABCDE-12345"],
  ];
  it.each(own)("own wording %s", (message, code, chinese) => {
    expect(problemText({ message, code, params: {} })).toBe(chinese);
  });

  // the checks that list many problems (a monthly figure's, an imported workbook's cells): each its own code
  const listed: [problem: { message: string; code: string; params: Record<string, unknown> }, chinese: string][] = [
    [{ message: "is required: the value 80 is below 2024-08's counted 85 (环比下降)", code: "REPORT_FALL_NEEDS_REASON", params: { value: 80, previous: 85, previousPeriod: "2024-08" } }, "本月累计值 80 低于 2024-08 已核验的 85（环比下降），请填写下降原因"],
    [{ message: "takes its figures from the linked indicator hn2024-p03-a; report there", code: "REPORT_INDICATOR_LINKED", params: { linkedTo: "hn2024-p03-a" } }, "该指标取自关联指标 hn2024-p03-a，请在该指标下填报"],
    [{ message: "is a month that has not begun yet", code: "REPORT_PERIOD_NOT_BEGUN", params: { period: "2030-01" } }, "2030-01 尚未开始"],
    [{ message: 'is not a number: "十二"', code: "IMPORT_VALUE_NOT_NUMBER", params: { text: "十二" } }, "不是数字：“十二”"],
    [{ message: "duplicates row 7: the same indicator and region twice", code: "IMPORT_ROW_DUPLICATE", params: { first: 7 } }, "与第 7 行重复：同一指标和地区出现两次"],
    [
      { message: "the 2024-09 report of this indicator and region is already verified; only a draft or a returned report can be replaced", code: "IMPORT_REPORT_NOT_REPLACEABLE", params: { period: "2024-09", state: "已核验" } },
      "2024-09 该指标和地区的填报为“已核验”，只有草稿或已退回的填报可以替换",
    ],
    [{ message: "the workbook could not be read: merged cells cover more than 100000 cells", code: "IMPORT_WORKBOOK_MERGED_TOO_MANY", params: { max: 100000 } }, "工作簿中合并单元格超过 100000 个，无法读取，请使用下载的模板"],
  ];
  it.each(listed)("listed problem %j", (problem, chinese) => {
    expect(problemText(problem)).toBe(chinese);
    expect(problemText(problem)).not.toMatch(english);
  });

  it("reads no English of a problem with a code: a reworded message says the same", () => {
    expect(problemText({ message: "something else entirely", code: "IMPORT_COLUMN_MISSING", params: { column: "进展情况" } })).toBe("缺少“进展情况”列");
    // a message the console's own checks wrote is Chinese already
    expect(problemText({ message: "请填写不小于 0 的数字（累计值）" })).toBe("请填写不小于 0 的数字（累计值）");
  });

  it("leads an unknown problem with Chinese, its English kept in brackets", () => {
    expect(problemText({ message: "the sheet is upside down", code: "custom" })).toBe("不符合要求（the sheet is upside down）");
  });

  it("keeps the tables of our own wordings short: everything else is said by code", () => {
    expect(Object.keys(customWordings)).toEqual(["schemas"]);
    expect(customWordings.schemas).toBeLessThanOrEqual(40);
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
  // a schema's 400 as the API answers it
  const e = ApiProblem.of(400, {
    error: {
      code: "VALIDATION_FAILED",
      message: "invalid input",
      params: {},
      problems: [
        { path: "$.title", message: "Too small: expected string to have >=1 characters", code: "too_small", params: { origin: "string", minimum: 1, inclusive: true } },
        { path: "$.leadUnit", message: 'unknown unit "nobody"', code: "LEAD_UNIT_UNKNOWN", params: { unit: "nobody" } },
        { path: "$", message: 'Unrecognized key: "region"', code: "unrecognized_keys", params: { keys: ["region"] } },
      ],
    },
  });

  it("speaks Chinese and keeps the API's English beside it", () => {
    expect(e.message).toBe("输入有误，请按提示修改");
    expect(e.apiMessage).toBe("invalid input");
    expect(e.problems[1]).toEqual({ path: "$.leadUnit", message: "牵头单位 nobody 不存在", code: "LEAD_UNIT_UNKNOWN", params: { unit: "nobody" }, apiMessage: 'unknown unit "nobody"' });
    expect(shownText(e)).toBe("输入有误，请按提示修改");
    expect(shownText(new TypeError("Failed to fetch"))).toBe("网络连接失败，请检查网络后重试");
  });

  it("reads an answer without a body by its status", () => {
    expect(ApiProblem.of(404, null)).toMatchObject({ code: "Error", message: "记录不存在或已被删除", problems: [] });
  });

  it("shows each field's message at the field and names the field of the others", () => {
    expect(problemsToFields(e, ["title"])).toEqual({ fields: [{ name: "title", errors: ["不能为空"] }], rest: ["牵头单位：牵头单位 nobody 不存在", "包含不认识的字段 region"] });
  });

  it("does not translate twice", () => {
    const again = new ApiProblem(e.status, e.code, e.message, e.problems, e.params);
    expect(again.message).toBe(e.message);
    expect(again.problems).toEqual(e.problems);
  });
});
