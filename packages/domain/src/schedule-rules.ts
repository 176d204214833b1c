/**
 * What a milestone schedule (序时进度节点) must be, without zod: the console checks it while staff
 * type, and plan.ts's zod schema reports the same problems to the API. test/light-modules.test.ts
 * checks that the two agree.
 */

export interface MilestonePoint {
  month: number;
  fraction: number;
}

export type MilestoneProblem =
  | { problem: "empty" }
  /** month not a whole number 1-12, or fraction outside 0-1 */
  | { problem: "out_of_range"; index: number; field: "month" | "fraction" }
  /** a month not after the previous milestone's */
  | { problem: "month_not_increasing"; index: number; field: "month" }
  /** a share below the previous milestone's */
  | { problem: "fraction_decreasing"; index: number; field: "fraction" };

/** Every problem of a milestone list, in order (none: the schedule is valid). */
export function milestoneProblems(points: readonly MilestonePoint[]): MilestoneProblem[] {
  const out: MilestoneProblem[] = [];
  if (points.length === 0) out.push({ problem: "empty" });
  points.forEach((p, i) => {
    if (!Number.isInteger(p.month) || p.month < 1 || p.month > 12) out.push({ problem: "out_of_range", index: i, field: "month" });
    if (!(p.fraction >= 0 && p.fraction <= 1)) out.push({ problem: "out_of_range", index: i, field: "fraction" });
    const prev = points[i - 1];
    if (prev && p.month <= prev.month) out.push({ problem: "month_not_increasing", index: i, field: "month" });
    if (prev && p.fraction < prev.fraction) out.push({ problem: "fraction_decreasing", index: i, field: "fraction" });
  });
  return out;
}
