import * as Either from "./either.js";
import { z } from "zod";
import { InvalidInput, jsonPath, type Problem } from "./errors.js";
import { Period, periodMonth, periodYear } from "./period.js";
import { Id } from "./plan.js";
import { Rational } from "./rational.js";

/**
 * Unit scoring (rule 8, 大祥区's scheme): every month each responsible unit starts from a base
 * (100) and gains or loses points per occurrence of a rule, is ranked, and a unit in the bottom
 * three two months running gets a warning notice (预警通知) and an interview (约谈).
 * The rules are data so each task force can set its own.
 */
export const ScoringRule = z.object({
  id: Id,
  label: z.string().trim().min(1, "must not be empty").max(200),
  /** points per occurrence: negative deducts (−2 per indicator behind schedule), positive adds */
  points: z.number().refine((v) => v !== 0, "must not be 0"),
  /** at most this many points (in absolute value) from this rule in one month */
  cap: z.number().positive("must be greater than 0").optional(),
});
export type ScoringRule = z.infer<typeof ScoringRule>;

/** A scheme's checks beyond its fields: rule ids once each, the floor not above the ceiling (any scheme of rule 8). */
export function checkScheme(s: { rules: readonly { id: string }[]; floor?: number | undefined; ceiling?: number | undefined }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  s.rules.forEach((r, i) => {
    if (seen.has(r.id)) ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: `duplicates rule ${r.id}` });
    seen.add(r.id);
  });
  if (s.floor !== undefined && s.ceiling !== undefined && s.floor > s.ceiling) ctx.addIssue({ code: "custom", path: ["floor"], message: "must not be above the ceiling" });
}

export const ScoringScheme = z
  .object({
    base: z.number().default(100),
    /** the monthly score never goes below this */
    floor: z.number().optional(),
    /** nor above this */
    ceiling: z.number().optional(),
    rules: z.array(ScoringRule).min(1, "needs at least one rule"),
    warning: z
      .object({
        bottom: z.number().int().min(1).default(3),
        consecutiveMonths: z.number().int().min(1).default(2),
      })
      .default({ bottom: 3, consecutiveMonths: 2 }),
  })
  .superRefine(checkScheme);
export type ScoringScheme = z.infer<typeof ScoringScheme>;

/** How often a rule applied to a unit in the month (e.g. 3 indicators behind schedule). */
export const Occurrence = z.object({
  unit: Id,
  rule: Id,
  count: z.number().int("must be a whole number").min(0, "must not be negative"),
});
export type Occurrence = z.infer<typeof Occurrence>;

export interface ScoreLine {
  rule: string;
  count: number;
  points: number;
}

export interface UnitScore {
  unit: string;
  score: number;
  /** competition ranking: equal scores share a rank, the next rank skips (1, 2, 2, 4) */
  rank: number;
  lines: ScoreLine[];
}

/** A manual adjustment of a unit's month (with a reason, kept by the caller): points added as they are. */
export interface ScoreAdjustment {
  unit: string;
  points: number;
}

/** The line id manual adjustments are shown under. */
export const ADJUSTMENT_LINE = "adjustment";

/**
 * Scores and ranks every unit for one month. Units without occurrences keep the base score.
 * Manual adjustments are added after the rules (one line, `adjustment`), before the floor and ceiling.
 */
export function scoreUnits(
  scheme: ScoringScheme,
  units: readonly string[],
  occurrences: readonly Occurrence[],
  adjustments: readonly ScoreAdjustment[] = [],
): Either.Either<UnitScore[], InvalidInput> {
  const rules = new Map(scheme.rules.map((r) => [r.id, r]));
  const known = new Set(units);
  const problems: Problem[] = [];
  occurrences.forEach((o, i) => {
    if (!rules.has(o.rule)) problems.push({ path: jsonPath(["occurrences", i, "rule"]), message: `unknown rule "${o.rule}"` });
    if (!known.has(o.unit)) problems.push({ path: jsonPath(["occurrences", i, "unit"]), message: `unknown unit "${o.unit}"` });
  });
  adjustments.forEach((a, i) => {
    if (!known.has(a.unit)) problems.push({ path: jsonPath(["adjustments", i, "unit"]), message: `unknown unit "${a.unit}"` });
  });
  if (problems.length > 0) return Either.left(new InvalidInput({ problems }));

  const counts = new Map<string, Map<string, number>>();
  for (const o of occurrences) {
    let m = counts.get(o.unit);
    if (!m) counts.set(o.unit, (m = new Map()));
    m.set(o.rule, (m.get(o.rule) ?? 0) + o.count);
  }
  const floor = scheme.floor === undefined ? undefined : Rational.fromNumber(scheme.floor);
  const ceiling = scheme.ceiling === undefined ? undefined : Rational.fromNumber(scheme.ceiling);
  const scored = units.map((unit) => {
    let total = Rational.fromNumber(scheme.base);
    const lines: ScoreLine[] = [];
    for (const rule of scheme.rules) {
      const count = counts.get(unit)?.get(rule.id) ?? 0;
      if (count === 0) continue;
      let points = Rational.mul(Rational.fromNumber(rule.points), Rational.of(count));
      if (rule.cap !== undefined) {
        const cap = Rational.fromNumber(rule.cap);
        if (Rational.lt(cap, points)) points = cap;
        const negCap = Rational.sub(Rational.zero, cap);
        if (Rational.lt(points, negCap)) points = negCap;
      }
      total = Rational.add(total, points);
      lines.push({ rule: rule.id, count, points: Rational.round(points, 4) });
    }
    const own = adjustments.filter((a) => a.unit === unit);
    if (own.length > 0) {
      const points = Rational.sum(own.map((a) => Rational.fromNumber(a.points)));
      total = Rational.add(total, points);
      lines.push({ rule: ADJUSTMENT_LINE, count: own.length, points: Rational.round(points, 4) });
    }
    if (floor && Rational.lt(total, floor)) total = floor;
    if (ceiling && Rational.lt(ceiling, total)) total = ceiling;
    return { unit, total, lines };
  });
  const ordered = [...scored].sort((a, b) => Rational.compare(b.total, a.total) || a.unit.localeCompare(b.unit));
  return Either.right(
    ordered.map((s, i) => {
      let rank = i + 1;
      // Equal scores share the rank of the first of them.
      for (let j = i - 1; j >= 0 && Rational.compare(ordered[j]!.total, s.total) === 0; j--) rank = j + 1;
      return { unit: s.unit, score: Rational.round(s.total, 4), rank, lines: s.lines };
    }),
  );
}

/** Units in the bottom `n`: fewer than `n` units scored strictly lower (ties at the line are in). */
export function bottomUnits(scores: readonly UnitScore[], n: number): string[] {
  return scores.filter((s) => scores.filter((o) => o.score < s.score).length < n && scores.some((o) => o.score > s.score)).map((s) => s.unit);
}

export interface MonthScores {
  period: Period;
  scores: UnitScore[];
}

export interface ScoringWarning {
  unit: string;
  /** the consecutive months in which the unit was in the bottom group */
  periods: string[];
}

const monthIndex = (p: string) => periodYear(p) * 12 + periodMonth(p);

/**
 * Units in the bottom group in each of the last `consecutiveMonths` months up to `period`
 * (calendar-consecutive; a missing month breaks the run): they get a warning notice and interview.
 */
export function scoringWarnings(scheme: ScoringScheme, months: readonly MonthScores[], period: Period): ScoringWarning[] {
  const { bottom, consecutiveMonths } = scheme.warning;
  const byIndex = new Map(months.map((m) => [monthIndex(m.period), m]));
  const end = monthIndex(period);
  const runs: MonthScores[] = [];
  for (let k = 0; k < consecutiveMonths; k++) {
    const m = byIndex.get(end - k);
    if (!m) return [];
    runs.unshift(m);
  }
  const sets = runs.map((m) => new Set(bottomUnits(m.scores, bottom)));
  const first = sets[0] ?? new Set<string>();
  return [...first]
    .filter((u) => sets.every((s) => s.has(u)))
    .sort()
    .map((unit) => ({ unit, periods: runs.map((r) => r.period) }));
}
