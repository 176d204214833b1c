import { z } from "zod";
import { Rational } from "./rational.js";

/** 满意度测评 of a project: 满意 / 基本满意 / 不满意. */
export const SatisfactionRating = z.enum(["satisfied", "basically_satisfied", "dissatisfied"]);
export type SatisfactionRating = z.infer<typeof SatisfactionRating>;

export interface SatisfactionSummary {
  satisfied: number;
  basically_satisfied: number;
  dissatisfied: number;
  total: number;
  /** (满意 + 基本满意) ÷ total in percent, 2 decimals; null with no ratings */
  satisfactionRate: number | null;
}

export function summariseSatisfaction(ratings: readonly SatisfactionRating[]): SatisfactionSummary {
  const c = { satisfied: 0, basically_satisfied: 0, dissatisfied: 0 };
  for (const r of ratings) c[r]++;
  const total = ratings.length;
  const rate = total === 0 ? null : Rational.percent(Rational.of(c.satisfied + c.basically_satisfied, total));
  return { ...c, total, satisfactionRate: rate };
}
