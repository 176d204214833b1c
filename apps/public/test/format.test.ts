import { describe, expect, it } from "vitest";
import { ApiProblem } from "../src/api";
import {
  amount,
  barGeometry,
  checkFeedback,
  cnDate,
  feedbackError,
  fileSize,
  normaliseCode,
  pct,
  problemsByField,
  processingText,
  ratingError,
  safeHref,
  SITE_CODE,
  TICKET,
  waitText,
} from "../src/format";

/** A File as the browser's file input gives it (Node 20 has File). */
const file = (bytes: number, type: string) => new File([new Uint8Array(bytes)], "photo", { type });

describe("figures", () => {
  it("shows percents to at most 2 decimals, keeps over 100%, and a dash when there is no figure", () => {
    expect(pct(94.44)).toBe("94.44%");
    expect(pct(75)).toBe("75%");
    expect(pct(45.555)).toBe("45.56%");
    expect(pct(112.5)).toBe("112.5%");
    expect(pct(-2.345)).toBe("-2.35%");
    expect(pct(1e-7)).toBe("0%");
    expect(pct(null)).toBe("—");
    expect(pct(Number.NaN)).toBe("—");
  });

  it("shows amounts with their unit and milestones as percent", () => {
    expect(amount(3450, "个")).toBe("3,450 个");
    expect(amount(467.0361, "公里")).toBe("467.036 公里");
    expect(amount(94.44, "%")).toBe("94.44%");
    expect(amount(null, "个")).toBe("—");
  });

  it("writes dates the Chinese way", () => {
    expect(cnDate("2024-09")).toBe("2024年9月");
    expect(cnDate("2024-10-08")).toBe("2024年10月8日");
    expect(cnDate("2024-10-08T02:00:00Z")).toBe("2024年10月8日");
    // published at 02:00 in Hunan (18:00 UTC the day before): the day in China
    expect(cnDate("2024-10-07T18:00:00.000Z")).toBe("2024年10月8日");
    expect(cnDate(null)).toBe("");
  });

  it("places the schedule marker and caps the bar at its width", () => {
    expect(barGeometry(45.56, 75)).toEqual({ fill: 45.56, marker: 75, over: false });
    expect(barGeometry(112.5, 75)).toEqual({ fill: 100, marker: 75, over: true });
    expect(barGeometry(null, null)).toEqual({ fill: 0, marker: null, over: false });
  });

  it("sums up how suggestions were handled (the API's rate is a fraction)", () => {
    expect(processingText({ suggestionsReceived: 0, suggestionsAnswered: 0, processingRate: 1 })).toBe("暂未收到意见建议");
    expect(processingText({ suggestionsReceived: 3, suggestionsAnswered: 2, processingRate: 2 / 3 })).toBe("收到 3 条，已答复 2 条，处理率 66.67%");
  });

  it("sizes files", () => {
    expect(fileSize(900)).toBe("900 B");
    expect(fileSize(1536)).toBe("1.5 KB");
    expect(fileSize(2.5 * 1024 * 1024)).toBe("2.5 MB");
  });
});

describe("links from published content", () => {
  it("keeps http(s) and our own paths, drops script and data URLs and protocol-relative ones", () => {
    expect(safeHref("https://www.hunan.gov.cn/a.html")).toBe("https://www.hunan.gov.cn/a.html");
    expect(safeHref("/api/v1/public/files/1")).toBe("/api/v1/public/files/1");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref(" JavaScript:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,<script>alert(1)</script>")).toBeNull();
    expect(safeHref("//evil.example/x")).toBeNull();
    expect(safeHref("")).toBeNull();
    expect(safeHref(null)).toBeNull();
  });
});

describe("codes and tickets", () => {
  it("reads what people type: case, spaces, dashes, O for 0 and I/L for 1", () => {
    expect(normaliseCode("bhms-xdk5")).toBe("BHMSXDK5");
    expect(normaliseCode(" 0a1b 2c3d 4e5f ")).toBe("0A1B2C3D4E5F");
    expect(normaliseCode("oOiIlL")).toBe("001111");
    expect(SITE_CODE.test(normaliseCode("bhmsxdk5"))).toBe(true);
    expect(TICKET.test(normaliseCode("0a1b-2c3d-4e5f"))).toBe(true);
    expect(TICKET.test("0A1B2C3D4E5U")).toBe(false); // U is not a Crockford digit
    expect(TICKET.test("SHORT")).toBe(false);
  });
});

describe("the suggestion form's checks (the same as the server's)", () => {
  it("wants 5 to 2000 characters of text after trimming", () => {
    expect(checkFeedback({ text: "  短短  ", phone: "", photo: null })).toEqual({ text: "请至少填写 5 个字" });
    expect(checkFeedback({ text: "长".repeat(2001), phone: "", photo: null })).toEqual({ text: "内容不能超过 2000 个字" });
    expect(checkFeedback({ text: "长".repeat(2000), phone: "", photo: null })).toEqual({});
  });

  it("takes an empty phone or a mainland mobile number, with spaces or dashes", () => {
    const text = "希望增加周末托管服务";
    expect(checkFeedback({ text, phone: "", photo: null })).toEqual({});
    expect(checkFeedback({ text, phone: "138 1234-5678", photo: null })).toEqual({});
    expect(checkFeedback({ text, phone: "12345", photo: null }).phone).toBe("请填写 11 位中国大陆手机号码，或留空");
    expect(checkFeedback({ text, phone: "12812345678", photo: null }).phone).toBeDefined();
  });

  it("takes JPEG, PNG, GIF or WebP photos up to 5 MB", () => {
    const text = "工地围挡倒塌，存在安全隐患";
    expect(checkFeedback({ text, phone: "", photo: file(1000, "image/png") })).toEqual({});
    expect(checkFeedback({ text, phone: "", photo: file(1000, "application/pdf") }).photo).toBe("照片须为 JPEG、PNG、GIF 或 WebP 图片");
    expect(checkFeedback({ text, phone: "", photo: file(6 * 1024 * 1024, "image/jpeg") }).photo).toBe("照片太大，请选择 5 MB 以内的照片");
  });

  it("puts the server's problems at their fields, in Chinese", () => {
    expect(
      problemsByField([
        { path: "$.text", message: "must be at most 2000 characters" },
        { path: "$.phone", message: "must be a mainland mobile number" },
        { path: "$.kind", message: "Invalid option" },
        { path: "$", message: "the multipart body could not be read" },
      ]),
    ).toEqual({ text: "内容不能超过 2000 个字", phone: "请填写 11 位中国大陆手机号码，或留空", kind: "请选择类型", form: "the multipart body could not be read" });
    expect(problemsByField([{ path: "$.text", message: "must be at least 5 characters" }])).toEqual({ text: "请至少填写 5 个字" });
    expect(problemsByField([{ path: "$.photo", message: "the JPEG image is damaged and cannot be cleaned of its metadata" }])).toEqual({ photo: "照片已损坏，无法读取，请重新拍摄或选择其他照片" });
  });

  it("explains each refusal: duplicates (never with a ticket), rate limits with the wait", () => {
    expect(feedbackError(new ApiProblem(409, "Conflict", "dup"))).toBe("相同内容已在 24 小时内提交过，请勿重复提交；可凭提交时获得的工单号查询答复");
    expect(feedbackError(new ApiProblem(429, "TooManyRequests", "slow down", [], {}, 120))).toBe("提交太频繁了，请 2 分钟后再试");
    expect(feedbackError(new ApiProblem(429, "TooManyRequests", "slow down", [], {}, 30))).toBe("提交太频繁了，请 30 秒后再试");
    expect(feedbackError(new ApiProblem(404, "NotFound", "site"))).toBe("未找到该项目，请重新扫码");
    expect(feedbackError(new ApiProblem(413, "PayloadTooLarge", "big"))).toContain("5 MB");
    expect(feedbackError(new ApiProblem(0, "Network", "网络连接失败，请检查网络后重试"))).toBe("网络连接失败，请检查网络后重试");
    expect(feedbackError(new Error("boom"))).toBe("提交失败，请稍后重试");
    expect(ratingError(new ApiProblem(409, "Conflict", "again"))).toBe("您今天已经评价过该项目，感谢参与");
    expect(waitText(61)).toBe("2 分钟");
  });
});
