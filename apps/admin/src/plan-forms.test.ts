// Plan management form helpers: schedules in words and their checks, suggested ids, API problems at their field.
import { describe, expect, it } from "vitest";
import { ApiProblem } from "./api";
import { circled, problemsForForm, scheduleProblems, scheduleText, suggestId } from "./plan-forms";

describe("schedules", () => {
  it("says a schedule as the bulletins do", () => {
    expect(scheduleText("linear-monthly")).toBe("按月均衡（月份 ÷ 12）");
    expect(scheduleText(null)).toBe("跟随计划");
    expect(scheduleText({ type: "milestones", interpolation: "step", points: [{ month: 6, fraction: 0.5 }, { month: 12, fraction: 1 }] })).toBe("节点：6月底 50%，12月底 100%（节点间不增长）");
  });

  it("finds what the domain would refuse: months not increasing, shares falling, out of range, none", () => {
    expect(scheduleProblems({ type: "milestones", points: [{ month: 6, fraction: 0.5 }, { month: 12, fraction: 1 }] })).toEqual([]);
    expect(scheduleProblems({ type: "milestones", points: [{ month: 9, fraction: 0.8 }, { month: 6, fraction: 0.5 }, { month: 13, fraction: 1.2 }] })).toEqual([
      "第 2 个节点：月份应晚于上一个节点",
      "第 2 个节点：进度不应低于上一个节点",
      "第 3 个节点：月份应为 1-12",
      "第 3 个节点：进度应为 0-100%",
    ]);
    expect(scheduleProblems({ type: "milestones", points: [] })).toEqual(["至少需要一个节点"]);
  });
});

describe("ids and numbers", () => {
  it("numbers projects as the bulletins do", () => {
    expect([1, 17, 20, 21, 24, 36, 50, 51].map(circled)).toEqual(["①", "⑰", "⑳", "㉑", "㉔", "㊱", "㊿", "(51)"]);
  });

  it("suggests the plan's id pattern, avoiding ids in use", () => {
    expect(suggestId("item", "sy2025", 3, new Set())).toBe("sy2025-i03");
    expect(suggestId("project", "sy2025", 12, new Set())).toBe("sy2025-p12");
    expect(suggestId("indicator", "sy2025-p12", 0, new Set(["sy2025-p12-a"]))).toBe("sy2025-p12-b");
  });
});

describe("problemsForForm", () => {
  it("puts each problem at the field its path names, nested paths included, and keeps the others apart", () => {
    // as the API answers (the first problem's code, every problem with its own)
    const e = new ApiProblem(400, "ITEM_NO_TAKEN", "invalid input", [
      { path: "$.no", message: "is already used by item sy2025-i01 in this plan", code: "ITEM_NO_TAKEN", params: { no: 1, other: "sy2025-i01" } },
      { path: "$.schedule.points[1].month", message: "months must increase", code: "custom", params: {} },
      { path: "$", message: 'Unrecognized key: "region"', code: "unrecognized_keys", params: { keys: ["region"] } },
    ], { no: 1, other: "sy2025-i01" });
    // in Chinese (the API's English is kept on the problem, see api-messages.test.ts)
    expect(problemsForForm(e, ["id", "no", "title", "schedule"])).toEqual({
      fields: [
        { name: "no", errors: ["序号 1 已被本计划的实事 sy2025-i01 使用"] },
        { name: "schedule", errors: ["第 2 个节点 月份：月份应逐个递增"] },
      ],
      rest: ["包含不认识的字段 region"],
    });
  });

  it("explains a version conflict, and any other error by its message", () => {
    expect(problemsForForm(new ApiProblem(409, "ITEM_VERSION_STALE", "item sy2025-i01 changed since you read it", [], { id: "sy2025-i01", current: 3, sent: 2 }), ["title"]).rest[0]).toBe(
      "实事 sy2025-i01 已被他人修改（当前版本 3，您读取的是 2），请刷新后重试",
    );
    expect(problemsForForm(new Error("network down"), ["title"])).toEqual({ fields: [], rest: ["network down"] });
  });
});
