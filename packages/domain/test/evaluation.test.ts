// Rules 7, 8 and 16: the unit scorecard (ties, adjustments, warnings), the quality shortfalls and the
// early warning, checked against independent integer-fraction models over random inputs.
import fc from "fast-check";
import { Either } from "../src/index.js";
import { describe, expect, it } from "vitest";
import {
  atRisk,
  type Bundle,
  checkQuality,
  defaultScorecardScheme,
  earlyCompletions,
  evaluateBundle,
  parseBundle,
  PreparedBundle,
  qualityShortfallsByUnit,
  riskText,
  ScorecardScheme,
  scoreUnits,
  scoringWarnings,
} from "../src/index.js";

const ok = <A, E>(e: Either.Either<A, E>): A => Either.getOrThrowWith(e, (x) => new Error(String(x)));

describe("rule 8: scoring", () => {
  const scheme = defaultScorecardScheme;
  const units = ["u1", "u2", "u3", "u4", "u5", "u6"];
  const occurrence = fc.record({ unit: fc.constantFrom(...units), rule: fc.constantFrom(...scheme.rules.map((r) => r.id)), count: fc.integer({ min: 0, max: 6 }) });
  const adjustment = fc.record({ unit: fc.constantFrom(...units), points: fc.integer({ min: -2000, max: 2000 }).filter((x) => x !== 0).map((x) => x / 100) });

  it("ranks by score, equal scores sharing the rank (1 + the number scored strictly higher)", () => {
    fc.assert(
      fc.property(fc.array(occurrence, { maxLength: 20 }), fc.array(adjustment, { maxLength: 4 }), (occ, adj) => {
        const scores = ok(scoreUnits(scheme, units, occ, adj));
        expect(scores.map((s) => s.unit).sort()).toEqual([...units].sort());
        for (const s of scores) {
          expect(s.rank).toBe(1 + scores.filter((o) => o.score > s.score).length);
          for (const o of scores) if (o.score === s.score) expect(o.rank).toBe(s.rank);
        }
      }),
    );
  });

  it("adds points per occurrence (capped), then adjustments, then the floor; integer model in hundredths", () => {
    fc.assert(
      fc.property(fc.array(occurrence, { maxLength: 20 }), fc.array(adjustment, { maxLength: 4 }), (occ, adj) => {
        const scores = ok(scoreUnits(scheme, units, occ, adj));
        for (const u of units) {
          let total = scheme.base * 100;
          for (const rule of scheme.rules) {
            const count = occ.filter((o) => o.unit === u && o.rule === rule.id).reduce((s, o) => s + o.count, 0);
            let pts = rule.points * 100 * count;
            if (rule.cap !== undefined) pts = Math.max(-rule.cap * 100, Math.min(rule.cap * 100, pts));
            total += pts;
          }
          total += adj.filter((a) => a.unit === u).reduce((s, a) => s + Math.round(a.points * 100), 0);
          total = Math.max(total, (scheme.floor ?? -Infinity) * 100);
          expect(scores.find((s) => s.unit === u)!.score).toBe(total / 100);
        }
      }),
    );
  });

  it("shows adjustments as one line and refuses an unknown unit", () => {
    const scores = ok(scoreUnits(scheme, ["a", "b"], [], [{ unit: "a", points: 1.5 }, { unit: "a", points: -4 }]));
    expect(scores[1]).toEqual({ unit: "a", score: 97.5, rank: 2, lines: [{ rule: "adjustment", count: 2, points: -2.5 }] });
    expect(Either.isLeft(scoreUnits(scheme, ["a"], [], [{ unit: "zz", points: 1 }]))).toBe(true);
  });

  it("warns the units in the bottom group for the consecutive months (大祥区: bottom 3, 2 months)", () => {
    const month = (period: string, totals: Record<string, number>) => ({
      period,
      scores: ok(scoreUnits({ ...scheme, floor: undefined }, Object.keys(totals), [], Object.entries(totals).map(([unit, points]) => ({ unit, points })))),
    });
    const jul = month("2024-07", { u1: -10, u2: -8, u3: -6, u4: -4, u5: 1 });
    const aug = month("2024-08", { u1: -10, u2: -1, u3: -6, u4: -8, u5: 1 });
    expect(scoringWarnings(scheme, [jul, aug], "2024-08")).toEqual([
      { unit: "u1", periods: ["2024-07", "2024-08"] },
      { unit: "u3", periods: ["2024-07", "2024-08"] },
    ]);
    // a missing month breaks the run
    expect(scoringWarnings(scheme, [jul, aug], "2024-09")).toEqual([]);
  });

  it("takes DESIGN.md's default scheme and refuses duplicate rules", () => {
    expect(ScorecardScheme.parse(defaultScorecardScheme)).toEqual(defaultScorecardScheme);
    const dup = ScorecardScheme.safeParse({ ...defaultScorecardScheme, rules: [defaultScorecardScheme.rules[0], defaultScorecardScheme.rules[0]] });
    expect(dup.success).toBe(false);
    expect(dup.error!.issues[0]!.path).toEqual(["rules", 1, "id"]);
    expect(ScorecardScheme.safeParse({ ...defaultScorecardScheme, rules: [{ id: "x", label: "x", points: -1, source: "typed_in" }] }).success).toBe(false);
  });
});

describe("rule 7: quality shortfalls", () => {
  it("lists by unit the rows over the limit, most first", () => {
    const rows = checkQuality([
      { indicator: "a", region: "r1", target: 100, reported: 80, verified: 60 },
      { indicator: "b", region: "r1", target: 100, reported: 80, verified: 75 },
      { indicator: "c", region: "r2", target: 200, reported: 150, verified: 129 },
    ]).map((r, i) => ({ ...r, unit: ["edu", "edu", "mz"][i]! }));
    expect(rows.map((r) => [r.gap, r.withinLimit])).toEqual([[20, false], [5, true], [10.5, false]]);
    expect(qualityShortfallsByUnit(rows).map((s) => [s.unit, s.rows.map((r) => r.indicator)])).toEqual([["edu", ["a"]], ["mz", ["c"]]]);
  });
});

// ------------------------------------------------------------------------------------------------
// Rule 16 against a model: a city with counties holding the targets of one quantity indicator (sum)
// and one milestone (mean), monthly cumulative figures.

interface Frac {
  n: bigint;
  d: bigint;
}
const F = (n: bigint, d = 1n): Frac => ({ n, d });
const sub = (a: Frac, b: Frac): Frac => ({ n: a.n * b.d - b.n * a.d, d: a.d * b.d });
const div = (a: Frac, k: bigint): Frac => ({ n: a.n, d: a.d * k });
const gt = (a: Frac, b: Frac) => a.n * b.d > b.n * a.d;
function half(a: Frac): number {
  const neg = a.n < 0n !== a.d < 0n;
  const n = a.n < 0n ? -a.n : a.n;
  const d = a.d < 0n ? -a.d : a.d;
  let q = (n * 100n) / d;
  if (2n * ((n * 100n) % d) >= d) q += 1n;
  const v = Number(q) / 100;
  return neg && v !== 0 ? -v : v;
}

const counties = ["430521", "430522", "430523"];
const arbPlan = fc.record({
  targets: fc.tuple(...counties.map(() => fc.integer({ min: 1, max: 5000 }))),
  // increments per month (hundredths), some months unreported
  steps: fc.tuple(...counties.map(() => fc.array(fc.option(fc.integer({ min: 0, max: 900 }), { nil: null }), { minLength: 11, maxLength: 11 }))),
  milestones: fc.tuple(...counties.map(() => fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 11, maxLength: 11 }))),
  month: fc.integer({ min: 1, max: 12 }),
});

function makeBundle(x: { targets: number[]; steps: (number | null)[][]; milestones: number[][] }): Bundle {
  const progress: Bundle["progress"] = [];
  counties.forEach((c, i) => {
    let q = 0;
    let m = 0;
    for (let month = 1; month <= 11; month++) {
      const step = x.steps[i]![month - 1];
      const period = `2024-${String(month).padStart(2, "0")}`;
      if (step !== null && step !== undefined) {
        q += step;
        progress.push({ indicator: "q", region: c, period, value: q / 100 });
      }
      m = Math.min(100, m + x.milestones[i]![month - 1]! * 3);
      progress.push({ indicator: "m", region: c, period, value: m });
    }
  });
  return ok(
    parseBundle({
      format: "minsheng.bundle/v1",
      regions: [{ code: "430500", name: "市", level: "city", parent: null }, ...counties.map((c) => ({ code: c, name: c, level: "county", parent: "430500" }))],
      units: [{ id: "u", name: "单位", region: "430500" }],
      plans: [{ id: "p", year: 2024, level: "city", region: "430500", title: "计划", schedule: "linear-monthly" }],
      items: [{ id: "i", plan: "p", no: 1, title: "实事" }],
      projects: [{ id: "pr", item: "i", no: 1, title: "项目", leadUnit: "u" }],
      indicators: [
        { id: "q", project: "pr", name: "数量", unit: "个", kind: "quantity", aggregation: "sum" },
        { id: "m", project: "pr", name: "形象进度", unit: "%", kind: "milestone", aggregation: "mean" },
      ],
      targets: counties.flatMap((c, i) => [
        { indicator: "q", region: c, value: x.targets[i]! },
        { indicator: "m", region: c, value: 100 },
      ]),
      progress,
    }),
  ) as Bundle;
}

describe("rule 16: at risk", () => {
  it("agrees with the textbook formulas on exact fractions", () => {
    fc.assert(
      fc.property(arbPlan, (x) => {
        const bundle = makeBundle(x);
        const period = `2024-${String(x.month).padStart(2, "0")}`;
        const got = atRisk(new PreparedBundle(bundle), { period, region: "430500" });
        if (x.month === 12) {
          expect(got).toEqual([]);
          return;
        }
        // the model: latest figure at or before a month (hundredths), sums for q, means for m
        const at = (ind: string, region: string, month: number): Frac => {
          if (month < 1) return F(0n);
          const rows = bundle.progress.filter((p) => p.indicator === ind && p.region === region && Number(p.period.slice(5)) <= month);
          const last = rows.sort((a, b) => a.period.localeCompare(b.period)).at(-1);
          return last ? F(BigInt(Math.round(last.value * 100)), 100n) : F(0n);
        };
        const add = (a: Frac, b: Frac): Frac => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
        const expected: { indicator: string; region: string; needed: number; recent: number }[] = [];
        for (const ind of ["q", "m"]) {
          const regionsInOrder = ["430500", ...counties];
          for (const region of regionsInOrder) {
            const value = (month: number): Frac => {
              if (region !== "430500") return at(ind, region, month);
              const s = counties.map((c) => at(ind, c, month)).reduce(add, F(0n));
              return ind === "m" ? div(s, 3n) : s;
            };
            const target = ind === "m" ? F(100n) : region === "430500" ? F(BigInt(x.targets.reduce((s, t) => s + t, 0))) : F(BigInt(x.targets[counties.indexOf(region)]!));
            const v = value(x.month);
            if (!gt(target, v)) continue;
            const needed = div(sub(target, v), BigInt(12 - x.month));
            const recent = div(sub(v, value(x.month - 3)), 3n);
            if (gt(needed, recent)) expected.push({ indicator: ind, region, needed: half(needed), recent: half(recent) });
          }
        }
        expect(got.map((r) => ({ indicator: r.indicator, region: r.region, needed: r.needed, recent: r.recent }))).toEqual(expected);
        for (const r of got) expect(r.text).toBe(riskText(r.needed, r.recent));
      }),
      { numRuns: 150 },
    );
  });

  it("says it in words, half-up to 2 decimals", () => {
    expect(riskText(12.5, 3)).toBe("需月均完成 12.50，近三月月均 3.00");
  });
});

describe("rule 8: early completion", () => {
  it("counts an indicator once, in the month it is completed, never in December", () => {
    const bundle = makeBundle({ targets: [1, 1, 1], steps: counties.map(() => [50, 50, 50, 0, 0, 0, 0, 0, 0, 0, 0]), milestones: counties.map(() => Array(11).fill(0)) });
    const ev = (period: string) => evaluateBundle(bundle, { period, region: "430500" });
    expect(earlyCompletions(ev("2024-02"), ev("2024-01")).map((i) => i.indicator)).toEqual(["q"]);
    expect(earlyCompletions(ev("2024-03"), ev("2024-02"))).toEqual([]);
    expect(earlyCompletions(ev("2024-12"), ev("2024-11"))).toEqual([]);
  });
});
