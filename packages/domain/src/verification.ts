import * as Either from "./either.js";
import { z } from "zod";
import { TransitionNotAllowed } from "./errors.js";
import { Period } from "./period.js";
import { Id } from "./plan.js";
import { Rational } from "./rational.js";

/**
 * A monthly report's life (填报 → 核验): draft → submitted → verified | reduced (核减) | returned (退回).
 * A returned report goes back to its reporter, who edits and submits it again.
 */
export const ReportState = z.enum(["draft", "submitted", "verified", "reduced", "returned"]);
export type ReportState = z.infer<typeof ReportState>;

const Reason = z.string().trim().min(2, "must say why (at least 2 characters)").max(2000, "must be at most 2000 characters");

/** What a reporter enters: the cumulative value and the narrative (进展情况). */
export const ReportDraft = z.object({
  indicator: Id,
  region: z.string().regex(/^\d{6,12}$/, "must be a region code"),
  period: Period,
  value: z.number().min(0, "must not be negative").max(1e12, "is implausibly large"),
  narrative: z.string().trim().max(5000, "must be at most 5000 characters").default(""),
  /** Why the figure is below last month's, when it is. */
  fallReason: z.string().trim().max(2000).optional(),
});
export type ReportDraft = z.infer<typeof ReportDraft>;

export const ReviewAction = z.discriminatedUnion("action", [
  z.object({ action: z.literal("submit") }),
  z.object({ action: z.literal("verify") }),
  z.object({
    action: z.literal("reduce"),
    verifiedValue: z.number().min(0, "must not be negative"),
    reason: Reason,
  }),
  z.object({ action: z.literal("return"), reason: Reason }),
  z.object({ action: z.literal("reopen") }),
]);
export type ReviewAction = z.infer<typeof ReviewAction>;

export interface ReportFigures {
  state: ReportState;
  reportedValue: number;
  verifiedValue: number | null;
  reason: string | null;
}

/**
 * The next state of a report under an action, or why it is not allowed. Reducing needs a value
 * below the reported one (otherwise it is a verification) and a reason.
 */
export function applyReviewAction(report: ReportFigures, act: ReviewAction): Either.Either<ReportFigures, TransitionNotAllowed> {
  const deny = (reason: string) => Either.left(new TransitionNotAllowed({ from: report.state, action: act.action, reason }));
  switch (act.action) {
    case "submit":
      if (report.state !== "draft" && report.state !== "returned") return deny("only a draft or a returned report can be submitted");
      return Either.right({ ...report, state: "submitted", verifiedValue: null, reason: null });
    case "verify":
      if (report.state !== "submitted") return deny("only a submitted report can be verified");
      return Either.right({ ...report, state: "verified", verifiedValue: report.reportedValue, reason: null });
    case "reduce":
      if (report.state !== "submitted") return deny("only a submitted report can be reduced");
      if (!Rational.lt(Rational.fromNumber(act.verifiedValue), Rational.fromNumber(report.reportedValue)))
        return deny(`the verified value must be below the reported value ${report.reportedValue}`);
      return Either.right({ ...report, state: "reduced", verifiedValue: act.verifiedValue, reason: act.reason });
    case "return":
      if (report.state !== "submitted") return deny("only a submitted report can be returned");
      return Either.right({ ...report, state: "returned", verifiedValue: null, reason: act.reason });
    case "reopen":
      // A reviewer may take back a decision; the report waits for review again.
      if (report.state !== "verified" && report.state !== "reduced") return deny("only a verified or reduced report can be reopened");
      return Either.right({ ...report, state: "submitted", verifiedValue: null, reason: null });
  }
}

/** The figure that counts in published numbers: only verified or reduced reports count. */
export const countedValue = (report: ReportFigures): number | null =>
  report.state === "verified" || report.state === "reduced" ? report.verifiedValue : null;

// ---------------------------------------------------------------------------------------------
// The reporter's side of the workflow (月度填报): what may be edited, what a submission needs.

/** The states in which a reporter may (re)write a report, its figure or its evidence: none yet, a draft, or a returned one. */
export const isEditableReportState = (state: ReportState | null): boolean => state === null || state === "draft" || state === "returned";

/** A counted value of an earlier month of the year (the latest before the report's). */
export interface PreviousCounted {
  period: string;
  value: number;
}

/** 环比下降: the cumulative value is below the previous month's counted value (a cumulative figure should not fall). */
export const isFall = (value: number, previous: PreviousCounted | null): previous is PreviousCounted => previous !== null && value < previous.value;

/** The fall of a report, as listings show it: null when the value is not below last month's counted one. */
export const fallOf = (value: number, previous: PreviousCounted | null): { previous: number; previousPeriod: string; value: number } | null =>
  isFall(value, previous) ? { previous: previous.value, previousPeriod: previous.period, value } : null;

/** Why a report may not be submitted, by field of the form; `code` is the error's code (@minsheng/domain/error-codes). */
export type SubmitIssue =
  | { code: "REPORT_NEEDS_NARRATIVE"; path: "$.narrative"; message: string }
  | { code: "REPORT_FALL_NEEDS_REASON"; path: "$.fallReason"; message: string; params: { value: number; previous: number; previousPeriod: string } };

/**
 * What a submission needs: a narrative (进展情况), and a reason (at least 2 characters) when the
 * value is below last month's counted one (环比下降). Empty: it may be submitted.
 */
export function submitIssues(report: { narrative: string; reportedValue: number }, previous: PreviousCounted | null, fallReason: string | null): SubmitIssue[] {
  const issues: SubmitIssue[] = [];
  if (report.narrative.trim().length === 0) issues.push({ code: "REPORT_NEEDS_NARRATIVE", path: "$.narrative", message: "is required to submit: describe the progress (进展情况)" });
  if (isFall(report.reportedValue, previous) && (fallReason ?? "").trim().length < 2)
    issues.push({
      code: "REPORT_FALL_NEEDS_REASON",
      path: "$.fallReason",
      message: `is required: the value ${report.reportedValue} is below ${previous.period}'s counted ${previous.value} (环比下降)`,
      params: { value: report.reportedValue, previous: previous.value, previousPeriod: previous.period },
    });
  return issues;
}

/** The reason a submission carries: the one sent with it, else the one saved with the draft. */
export const submittedFallReason = (sent: string | undefined, saved: string | null): string | null => (sent !== undefined && sent !== "" ? sent : saved);

/** Review actions are the reviewer's; submitting is the reporter's (POST /reports/{id}/submit). */
export const isReviewerAction = <A extends { action: ReviewAction["action"] }>(act: A): act is Exclude<A, { action: "submit" }> => act.action !== "submit";
