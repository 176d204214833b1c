// The reporter's side of the monthly workflow (月度填报): editable states, the fall (环比下降), what a submission needs.
import { Either } from "../src/index.js";
import { describe, expect, it } from "vitest";
import { applyReviewAction, fallOf, isEditableReportState, isFall, isReviewerAction, ReportState, submitIssues, submittedFallReason } from "../src/index.js";

describe("isEditableReportState", () => {
  it("a reporter writes a new report, a draft or a returned one; nothing under or after review", () => {
    expect(ReportState.options.filter((s) => isEditableReportState(s))).toEqual(["draft", "returned"]);
    expect(isEditableReportState(null)).toBe(true);
  });
  it("agrees with the workflow: exactly the states that can be submitted", () => {
    for (const state of ReportState.options) {
      const submitted = applyReviewAction({ state, reportedValue: 1, verifiedValue: null, reason: null }, { action: "submit" });
      expect(Either.isRight(submitted), state).toBe(isEditableReportState(state));
    }
  });
});

describe("the fall (环比下降)", () => {
  const previous = { period: "2024-09", value: 164 };
  it("is a value below last month's counted one; equal or above, or no counted month, is none", () => {
    expect(isFall(150, previous)).toBe(true);
    expect(isFall(164, previous)).toBe(false);
    expect(isFall(200, previous)).toBe(false);
    expect(isFall(0, null)).toBe(false);
    expect(fallOf(150, previous)).toEqual({ previous: 164, previousPeriod: "2024-09", value: 150 });
    expect(fallOf(164, previous)).toBeNull();
  });
});

describe("submitIssues", () => {
  const previous = { period: "2024-09", value: 164 };
  it("needs a narrative", () => {
    expect(submitIssues({ narrative: "  ", reportedValue: 200 }, previous, null)).toMatchObject([{ code: "REPORT_NEEDS_NARRATIVE", path: "$.narrative" }]);
    expect(submitIssues({ narrative: "进展", reportedValue: 200 }, previous, null)).toEqual([]);
  });
  it("needs a reason of at least 2 characters for a fall, with the figures as parameters", () => {
    const [issue] = submitIssues({ narrative: "进展", reportedValue: 150 }, previous, " 少 ");
    expect(issue).toMatchObject({ code: "REPORT_FALL_NEEDS_REASON", path: "$.fallReason", params: { value: 150, previous: 164, previousPeriod: "2024-09" } });
    expect(issue!.message).toContain("below 2024-09's counted 164");
    expect(submitIssues({ narrative: "进展", reportedValue: 150 }, previous, "统计口径调整")).toEqual([]);
    expect(submitIssues({ narrative: "进展", reportedValue: 150 }, null, null)).toEqual([]);
  });
  it("lists both at once, the narrative first", () => {
    expect(submitIssues({ narrative: "", reportedValue: 1 }, previous, null).map((i) => i.code)).toEqual(["REPORT_NEEDS_NARRATIVE", "REPORT_FALL_NEEDS_REASON"]);
  });
});

describe("the submission's reason and the reviewer's actions", () => {
  it("a reason sent with the submission replaces the saved one; an empty one keeps it", () => {
    expect(submittedFallReason("新原因", "旧原因")).toBe("新原因");
    expect(submittedFallReason("", "旧原因")).toBe("旧原因");
    expect(submittedFallReason(undefined, null)).toBeNull();
  });
  it("submitting is not a reviewer's action", () => {
    expect((["submit", "verify", "reduce", "return", "reopen"] as const).filter((action) => isReviewerAction({ action }))).toEqual(["verify", "reduce", "return", "reopen"]);
  });
});
