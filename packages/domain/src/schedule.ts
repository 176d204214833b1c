import type { Schedule } from "./plan.js";
import { Rational } from "./rational.js";

/**
 * Schedule fraction (序时进度) due by the end of `month` (1-12), exact.
 * Linear: month ÷ 12, so 3/4 at September. Milestones: see {@link Schedule}.
 */
export function scheduleFraction(schedule: Schedule, month: number): Rational {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`month must be 1-12, got ${month}`);
  if (schedule === "linear-monthly") return Rational.of(month, 12);
  let prevMonth = 0;
  let prevFraction = Rational.zero;
  for (const point of schedule.points) {
    const fraction = Rational.fromNumber(point.fraction);
    if (month === point.month) return fraction;
    if (month < point.month) {
      if (schedule.interpolation === "step") return prevFraction;
      // prev + (fraction − prev) × (month − prevMonth) ÷ (point.month − prevMonth)
      const share = Rational.of(month - prevMonth, point.month - prevMonth);
      return Rational.add(prevFraction, Rational.mul(Rational.sub(fraction, prevFraction), share));
    }
    prevMonth = point.month;
    prevFraction = fraction;
  }
  return prevFraction;
}
