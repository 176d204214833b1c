import { z } from "zod";
import { Rational } from "./rational.js";

/** completed 已完成全年目标 / on_schedule 按序时推进 / behind 未达序时. */
export const Status = z.enum(["completed", "on_schedule", "behind"]);
export type Status = z.infer<typeof Status>;
// Chinese names: labels.ts.

/**
 * Status of a rate (actual ÷ target, exact) against the schedule fraction: completed at ≥ 1,
 * on schedule at ≥ the fraction (exactly on the line counts as on schedule), else behind.
 */
export function classify(rate: Rational, fraction: Rational): Status {
  if (Rational.gte(rate, Rational.one)) return "completed";
  if (Rational.gte(rate, fraction)) return "on_schedule";
  return "behind";
}

/** Rate of an actual against a target: actual ÷ target, exact. */
export function rate(actual: Rational, target: Rational): Rational {
  return Rational.div(actual, target);
}

/** Rate as the bulletins print it: ×100, half-up to 2 decimals (149.01 ÷ 200 → 74.51). */
export function ratePercent(actual: number, target: number): number {
  return Rational.percent(rate(Rational.fromNumber(actual), Rational.fromNumber(target)));
}

/**
 * Project progress: the mean of its indicators' rates, each capped at 100%; completed only when
 * every indicator is completed (a project can be on schedule while one indicator lags).
 */
export function projectProgress(indicatorRates: readonly Rational[], fraction: Rational): { progress: Rational; status: Status } {
  const allDone = indicatorRates.length > 0 && indicatorRates.every((r) => Rational.gte(r, Rational.one));
  const progress = Rational.mean(indicatorRates.map((r) => Rational.min(r, Rational.one)));
  if (allDone) return { progress, status: "completed" };
  return { progress, status: Rational.gte(progress, fraction) ? "on_schedule" : "behind" };
}
