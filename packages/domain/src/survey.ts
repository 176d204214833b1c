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

/** What a satisfaction ballot (rule 14) records per project: counts of valid ballots. */
export interface SatisfactionCounts {
  satisfied: number;
  basically_satisfied: number;
  dissatisfied: number;
}

export interface SatisfactionBallotResult extends SatisfactionSummary {
  /** 不满意 more than half of the valid ballots: to be rectified (exactly half is not) */
  flagged: boolean;
}

/** Rule 14 on a deputies' ballot: the rate over valid ballots and the 不满意 > 1/2 flag. */
export function satisfactionBallot(c: SatisfactionCounts): SatisfactionBallotResult {
  const total = c.satisfied + c.basically_satisfied + c.dissatisfied;
  const rate = total === 0 ? null : Rational.percent(Rational.of(c.satisfied + c.basically_satisfied, total));
  return { satisfied: c.satisfied, basically_satisfied: c.basically_satisfied, dissatisfied: c.dissatisfied, total, satisfactionRate: rate, flagged: c.dissatisfied * 2 > total };
}

/** 回头看 (rule 15): the conclusion on one of last year's projects. */
export const LOOKBACK_CONCLUSIONS = ["met", "mostly_met", "not_met"] as const;
export type LookbackConclusion = (typeof LOOKBACK_CONCLUSIONS)[number];
/** 未达到 needs a follow-up (整改措施): without one the conclusion is refused. */
export const needsFollowUp = (c: LookbackConclusion): boolean => c === "not_met";
