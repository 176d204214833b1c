import { z } from "zod";
import { periodMonth } from "./period.js";
import type { Evaluation, IndicatorResult, LaggingIndicatorRegion } from "./evaluate.js";
import { checkScheme, ScoringRule } from "./scoring.js";

/**
 * The monthly unit scorecard (rule 8) as the platform keeps it: every rule names the `source` its
 * occurrences are counted from in the platform's own records, never typed in.
 */
export const SCORE_SOURCES = ["late_report", "lagging", "reduction", "overdue_letter", "missed_disclosure", "late_answer", "early_completion"] as const;
export const ScoreSource = z.enum(SCORE_SOURCES);
export type ScoreSource = z.infer<typeof ScoreSource>;

export const scoreSourceLabel: Record<ScoreSource, string> = {
  late_report: "月度数据迟报或漏报",
  lagging: "指标未达序时进度",
  reduction: "进度核减",
  overdue_letter: "提示函逾期未整改",
  missed_disclosure: "信息公开未达要求",
  late_answer: "群众意见建议未按时答复",
  early_completion: "指标提前完成",
};

export const ScorecardRule = ScoringRule.extend({ source: ScoreSource });
export type ScorecardRule = z.infer<typeof ScorecardRule>;

export const ScorecardScheme = z
  .object({
    base: z.number().min(0).max(1000).default(100),
    floor: z.number().min(-1000).max(1000).optional(),
    ceiling: z.number().min(-1000).max(1000).optional(),
    rules: z.array(ScorecardRule).min(1, "needs at least one rule").max(50),
    warning: z.object({
      bottom: z.number().int().min(1, "must be at least 1").max(100),
      consecutiveMonths: z.number().int().min(1, "must be at least 1").max(12),
    }),
  })
  .superRefine(checkScheme);
export type ScorecardScheme = z.infer<typeof ScorecardScheme>;

/** DESIGN.md rule 8's default scheme (大祥区), used until a region sets its own. */
export const defaultScorecardScheme: ScorecardScheme = {
  base: 100,
  floor: 0,
  rules: [
    { id: "late_report", label: "迟报或漏报月度数据", points: -2, source: "late_report" },
    { id: "lagging", label: "指标未达序时进度", points: -3, source: "lagging" },
    { id: "reduction", label: "进度核减", points: -2, source: "reduction" },
    { id: "overdue_letter", label: "提示函逾期未整改", points: -5, source: "overdue_letter" },
    { id: "missed_disclosure", label: "信息公开未达要求", points: -1, source: "missed_disclosure" },
    { id: "late_answer", label: "意见建议未按时答复", points: -1, source: "late_answer" },
    { id: "early_completion", label: "指标提前完成", points: 2, cap: 10, source: "early_completion" },
  ],
  warning: { bottom: 3, consecutiveMonths: 2 },
};

/** The lagging indicator-regions of rule 5 (an evaluation's `lagging`) whose project the unit leads. */
export function laggingOfUnit(lagging: readonly LaggingIndicatorRegion[], leadUnitOf: (project: string) => string | undefined, unit: string): LaggingIndicatorRegion[] {
  return lagging.filter((l) => leadUnitOf(l.project) === unit);
}

/**
 * Indicators completed ahead of schedule in the month (the bonus of rule 8): completed at the period
 * where asked, not yet completed the month before (so each counts once, in the month it got there),
 * before December (what is done in December is on time, not early). Linked indicators mirror another
 * plan's and are not counted twice.
 */
export function earlyCompletions(now: Evaluation, before: Evaluation | undefined): IndicatorResult[] {
  if (periodMonth(now.period) >= 12) return [];
  const done = new Set((before?.indicators ?? []).filter((i) => i.status === "completed").map((i) => i.indicator));
  return now.indicators.filter((i) => !i.linked && i.status === "completed" && !done.has(i.indicator));
}
