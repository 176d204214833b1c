import { Rational } from "./rational.js";

/**
 * Project quality check (项目质效, rule 7): evidence must support progress. In October the gap
 * between reported progress and verified (accepted) progress must not exceed 10 percentage points.
 */
export interface QualityInput {
  indicator: string;
  region: string;
  target: number;
  reported: number;
  /** verified (accepted) cumulative value; null when nothing is verified yet (counts as 0) */
  verified: number | null;
}

export interface QualityResult extends QualityInput {
  reportedRate: number;
  verifiedRate: number;
  /** reported rate − verified rate, percentage points, half-up to 2 decimals */
  gap: number;
  withinLimit: boolean;
  /** verified below reported: a reduction (核减) */
  reduced: boolean;
}

export const DEFAULT_MAX_GAP_POINTS = 10;

export function checkQuality(rows: readonly QualityInput[], maxGapPoints = DEFAULT_MAX_GAP_POINTS): QualityResult[] {
  const limit = Rational.fromNumber(maxGapPoints);
  return rows.map((row) => {
    const target = Rational.fromNumber(row.target);
    const reported = Rational.div(Rational.fromNumber(row.reported), target);
    const verified = Rational.div(Rational.fromNumber(row.verified ?? 0), target);
    const gapPoints = Rational.mul(Rational.sub(reported, verified), Rational.of(100));
    return {
      ...row,
      reportedRate: Rational.percent(reported),
      verifiedRate: Rational.percent(verified),
      gap: Rational.round(gapPoints, 2),
      withinLimit: !Rational.lt(limit, gapPoints),
      reduced: Rational.lt(verified, reported),
    };
  });
}

/** The 项目质效 短板 list (seed 003): per unit, the indicator-regions whose gap is over the limit. */
export interface QualityShortfall<R> {
  unit: string;
  rows: R[];
}

export function qualityShortfallsByUnit<R extends { unit: string; withinLimit: boolean }>(rows: readonly R[]): QualityShortfall<R>[] {
  const byUnit = new Map<string, R[]>();
  for (const r of rows) if (!r.withinLimit) (byUnit.get(r.unit) ?? byUnit.set(r.unit, []).get(r.unit)!).push(r);
  return [...byUnit.entries()].map(([unit, list]) => ({ unit, rows: list })).sort((a, b) => b.rows.length - a.rows.length || a.unit.localeCompare(b.unit));
}
