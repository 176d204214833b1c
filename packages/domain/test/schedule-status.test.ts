// Rule 4 (status against the schedule line) and rule 5's project progress, with the schedule
// fractions of plan-defined milestones. The line itself counts as on schedule, computed exactly.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  classify,
  evaluateBundle,
  projectProgress,
  rate,
  Rational,
  Schedule,
  scheduleFraction,
  type Status,
} from "../src/index.js";

const { fromNumber } = Rational;
const same = (a: Rational, b: Rational): boolean => a.n * b.d === b.n * a.d;
const q = (n: number, d = 1): Rational => ({ n: BigInt(n), d: BigInt(d) });

/** worse statuses have lower rank */
const rank: Record<Status, number> = { behind: 0, on_schedule: 1, completed: 2 };

const statusOf = (actual: number, target: number, month: number, schedule: Schedule = "linear-monthly"): Status =>
  classify(rate(fromNumber(actual), fromNumber(target)), scheduleFraction(schedule, month));

const milestones = (points: { month: number; fraction: number }[], interpolation: "linear" | "step" = "linear"): Schedule =>
  Schedule.parse({ type: "milestones", interpolation, points });

describe("linear schedule (序时进度 = month ÷ 12)", () => {
  it("gives month/12 for every month", () => {
    for (let m = 1; m <= 12; m++) expect(same(scheduleFraction("linear-monthly", m), q(m, 12))).toBe(true);
    expect(same(scheduleFraction("linear-monthly", 9), q(3, 4))).toBe(true);
  });

  it("rejects months outside 1-12", () => {
    for (const m of [0, 13, -1, 6.5, Number.NaN]) expect(() => scheduleFraction("linear-monthly", m)).toThrow(RangeError);
  });
});

describe("on schedule at exactly the line counts, whatever the float error", () => {
  it("75 of 100 at September is on schedule; 74.99 is behind; 100 is completed", () => {
    expect(statusOf(75, 100, 9)).toBe("on_schedule");
    expect(statusOf(74.99, 100, 9)).toBe("behind");
    expect(statusOf(74.999999, 100, 9)).toBe("behind");
    expect(statusOf(100, 100, 9)).toBe("completed");
    expect(statusOf(112.5, 100, 9)).toBe("completed");
    expect(statusOf(99.999999, 100, 12)).toBe("behind");
  });

  it("0.225 of 0.3 at September is exactly 0.75: on schedule", () => {
    expect(statusOf(0.225, 0.3, 9)).toBe("on_schedule");
    expect(statusOf(0.224999, 0.3, 9)).toBe("behind");
    expect(statusOf(0.3, 0.3, 9)).toBe("completed");
  });

  it("0.3 of 0.4 at September: the float quotient is 0.7499999999999999 but the rate is exactly 0.75", () => {
    expect(0.3 / 0.4).toBeLessThan(0.75); // the trap a float comparison falls into
    expect(0.15 / 0.2).toBeLessThan(0.75);
    expect(statusOf(0.3, 0.4, 9)).toBe("on_schedule");
    expect(statusOf(0.15, 0.2, 9)).toBe("on_schedule");
    expect(statusOf(0.299, 0.4, 9)).toBe("behind");
  });

  it("on the line at every month: month/10 of 1.2 is exactly month/12", () => {
    for (let m = 1; m <= 11; m++) {
      expect(statusOf(m / 10, 1.2, m), `month ${m}`).toBe("on_schedule");
      expect(statusOf(m / 10 - 0.001, 1.2, m), `month ${m}`).toBe("behind");
    }
    expect(statusOf(1.2, 1.2, 12)).toBe("completed");
  });

  it("a roll-up whose float sum falls short of the decimal is still on the line (0.01 + 0.059 of 0.092)", () => {
    expect((0.01 + 0.059) / 0.092).toBeLessThan(0.75);
    const result = evaluateBundle(lineBundle, { period: "2024-09", region: "430500" });
    const ind = result.indicators.find((i) => i.indicator === "x-1-a");
    expect(ind).toMatchObject({ target: 0.092, actual: 0.069, rate: 75, due: 75, status: "on_schedule" });
  });

  it("classify is exact at the line for any decimal target", () => {
    // actual = 3/4 × target exactly (both decimals) is on schedule at September; one unit less is behind.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 250_000_000 }), fc.integer({ min: 0, max: 4 }), (t, k) => {
        const scale = 10 ** k;
        const target = (4 * t) / scale; // 4t / 10^k, an exact decimal string
        const actual = (3 * t) / scale;
        expect(statusOf(actual, target, 9)).toBe("on_schedule");
        expect(statusOf((3 * t - 1) / scale, target, 9)).toBe("behind");
      }),
      { numRuns: 500 },
    );
  });
});

describe("status against an independent integer computation", () => {
  it("completed iff A ≥ T, on schedule iff 12A ≥ mT (A, T in hundredths)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 12 }),
        (a, t, m) => {
          const want: Status = a >= t ? "completed" : 12 * a >= m * t ? "on_schedule" : "behind";
          expect(statusOf(a / 100, t / 100, m)).toBe(want);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("milestone schedules", () => {
  it("100% by end of June, linear: 1/6 per month through June and 1 after", () => {
    const s = milestones([{ month: 6, fraction: 1 }]);
    for (let m = 1; m <= 6; m++) expect(same(scheduleFraction(s, m), q(m, 6)), `month ${m}`).toBe(true);
    for (let m = 7; m <= 12; m++) expect(same(scheduleFraction(s, m), Rational.one), `month ${m}`).toBe(true);
    // 50 of 100 in March is exactly on the line; 49 is behind; in July anything short of 100 is behind.
    expect(statusOf(50, 100, 3, s)).toBe("on_schedule");
    expect(statusOf(49.99, 100, 3, s)).toBe("behind");
    expect(statusOf(99.99, 100, 7, s)).toBe("behind");
  });

  it("interpolation defaults to linear", () => {
    const s = Schedule.parse({ type: "milestones", points: [{ month: 6, fraction: 1 }] });
    expect(same(scheduleFraction(s, 3), q(1, 2))).toBe(true);
  });

  it("step interpolation holds the previous milestone's share", () => {
    const s = milestones(
      [
        { month: 3, fraction: 0.2 },
        { month: 6, fraction: 0.5 },
        { month: 12, fraction: 1 },
      ],
      "step",
    );
    const want = [0, 0, 0.2, 0.2, 0.2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1];
    want.forEach((w, i) => expect(same(scheduleFraction(s, i + 1), fromNumber(w)), `month ${i + 1}`).toBe(true));
    // 100% by June, step: nothing due before June.
    const june = milestones([{ month: 6, fraction: 1 }], "step");
    expect(same(scheduleFraction(june, 5), Rational.zero)).toBe(true);
    expect(statusOf(0, 100, 5, june)).toBe("on_schedule");
    expect(same(scheduleFraction(june, 6), Rational.one)).toBe(true);
  });

  it("linear interpolation between several milestones, flat after the last", () => {
    const s = milestones([
      { month: 3, fraction: 0.3 },
      { month: 9, fraction: 0.6 },
      { month: 11, fraction: 0.9 },
    ]);
    // 0 → 0.3 over Jan-Mar; 0.3 → 0.6 over Apr-Sep (0.05 a month); 0.6 → 0.9 over Oct-Nov; then 0.9.
    const want: [number, Rational][] = [
      [1, q(1, 10)],
      [2, q(2, 10)],
      [3, q(3, 10)],
      [4, q(35, 100)],
      [5, q(4, 10)],
      [8, q(55, 100)],
      [9, q(6, 10)],
      [10, q(75, 100)],
      [11, q(9, 10)],
      [12, q(9, 10)],
    ];
    for (const [m, f] of want) expect(same(scheduleFraction(s, m), f), `month ${m}`).toBe(true);
    // With thirds: 0.2 at Feb → 0.3 at May gives 0.2 + 0.1/3 at March, not a rounded float.
    const thirds = milestones([
      { month: 2, fraction: 0.2 },
      { month: 5, fraction: 0.3 },
    ]);
    expect(same(scheduleFraction(thirds, 3), q(7, 30))).toBe(true);
    expect(statusOf(7, 30, 3, thirds)).toBe("on_schedule");
    expect(statusOf(23.333, 100, 3, thirds)).toBe("behind");
  });

  it("the schema rejects decreasing months or fractions, and an empty list", () => {
    const bad = Schedule.safeParse({
      type: "milestones",
      points: [
        { month: 6, fraction: 0.5 },
        { month: 6, fraction: 0.4 },
      ],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["points.1.month", "points.1.fraction"]));
    expect(Schedule.safeParse({ type: "milestones", points: [] }).success).toBe(false);
    expect(Schedule.safeParse({ type: "milestones", points: [{ month: 13, fraction: 1 }] }).success).toBe(false);
    expect(Schedule.safeParse({ type: "milestones", points: [{ month: 6, fraction: 1.5 }] }).success).toBe(false);
    expect(Schedule.safeParse("quarterly").success).toBe(false);
  });

  it("an indicator's own schedule overrides the plan's in an evaluation", () => {
    const result = evaluateBundle(lineBundle, { period: "2024-03", region: "430500" });
    const byId = new Map(result.indicators.map((i) => [i.indicator, i]));
    expect(byId.get("x-1-a")?.due).toBe(25); // plan: linear
    expect(byId.get("x-1-b")?.due).toBe(50); // own: 100% by June → 3/6
    // 0.5 of 1 at March against 50% due: exactly on the line.
    expect(byId.get("x-1-b")?.status).toBe("on_schedule");
  });
});

/** Valid milestone schedules: increasing months, non-decreasing fractions (in hundredths). */
const scheduleArb: fc.Arbitrary<Schedule> = fc.oneof(
  fc.constant<Schedule>("linear-monthly"),
  fc
    .record({
      months: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }),
      fractions: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 5, maxLength: 5 }),
      interpolation: fc.constantFrom("linear" as const, "step" as const),
    })
    .map(({ months, fractions, interpolation }) => {
      const ms = [...months].sort((a, b) => a - b);
      const fs = fractions.slice(0, ms.length).sort((a, b) => a - b);
      return milestones(
        ms.map((month, i) => ({ month, fraction: fs[i]! / 100 })),
        interpolation,
      );
    }),
);

describe("monotonicity", () => {
  it("more actual never gives a worse status", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 12 }),
        scheduleArb,
        (x, y, t, m, s) => {
          const [lo, hi] = x <= y ? [x, y] : [y, x];
          expect(rank[statusOf(hi / 100, t / 100, m, s)]).toBeGreaterThanOrEqual(rank[statusOf(lo / 100, t / 100, m, s)]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a later month never gives a better status for the same actual", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        scheduleArb,
        (a, t, m1, m2, s) => {
          const [early, late] = m1 <= m2 ? [m1, m2] : [m2, m1];
          expect(Rational.gte(scheduleFraction(s, late), scheduleFraction(s, early))).toBe(true);
          expect(rank[statusOf(a / 100, t / 100, late, s)]).toBeLessThanOrEqual(rank[statusOf(a / 100, t / 100, early, s)]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a milestone schedule passes through its points and stays within [0, 1]", () => {
    fc.assert(
      fc.property(scheduleArb, (s) => {
        if (s === "linear-monthly") return;
        for (const p of s.points) expect(same(scheduleFraction(s, p.month), fromNumber(p.fraction))).toBe(true);
        for (let m = 1; m <= 12; m++) {
          const f = scheduleFraction(s, m);
          expect(Rational.gte(f, Rational.zero) && Rational.gte(Rational.one, f)).toBe(true);
        }
      }),
    );
  });
});

describe("projectProgress (rule 5)", () => {
  const sept = q(3, 4);

  it("is completed only when every indicator is", () => {
    expect(projectProgress([q(1), q(3, 2)], sept).status).toBe("completed");
    expect(projectProgress([q(1), q(99, 100)], sept).status).toBe("on_schedule");
    // 150% and 50%: the uncapped mean is 100%, but the project is not complete.
    const p = projectProgress([q(3, 2), q(1, 2)], sept);
    expect(p.status).toBe("on_schedule");
    expect(same(p.progress, q(3, 4))).toBe(true);
  });

  it("caps each rate at 100% before taking the mean", () => {
    const p = projectProgress([q(2), q(0)], sept);
    expect(same(p.progress, q(1, 2))).toBe(true);
    expect(p.status).toBe("behind");
    const done = projectProgress([q(2), q(5, 4)], sept);
    expect(same(done.progress, Rational.one)).toBe(true);
    expect(done.status).toBe("completed");
  });

  it("classifies the capped mean against the line, which counts as on schedule", () => {
    expect(projectProgress([q(1, 2), q(1)], sept).status).toBe("on_schedule"); // 0.75 exactly
    expect(projectProgress([q(1, 2), q(99, 100)], sept).status).toBe("behind"); // 0.745
    expect(projectProgress([fromNumber(0.7), fromNumber(0.8)], sept).status).toBe("on_schedule");
  });

  it("with no indicator is never completed", () => {
    expect(projectProgress([], q(0)).status).not.toBe("completed");
  });

  it("property: completed iff all ≥ 1; progress is the mean of min(rate, 1) (integer check)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 12 }),
        (percents, m) => {
          const { progress, status } = projectProgress(
            percents.map((p) => q(p, 100)),
            q(m, 12),
          );
          const capped = percents.reduce((s, p) => s + Math.min(p, 100), 0); // Σ min(p,100), in percent
          // progress = capped / (100 n)
          expect(same(progress, q(capped, 100 * percents.length))).toBe(true);
          const all = percents.every((p) => p >= 100);
          // capped / (100 n) ≥ m / 12  ⇔  12 capped ≥ 100 n m
          const want: Status = all ? "completed" : 12 * capped >= 100 * percents.length * m ? "on_schedule" : "behind";
          expect(status).toBe(want);
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** City 430500 with two counties; one indicator on the plan's linear schedule, one due by June. */
const lineBundle = {
  format: "minsheng.bundle/v1",
  regions: [
    { code: "430000", name: "湖南省", level: "province", parent: null },
    { code: "430500", name: "邵阳市", level: "city", parent: "430000" },
    { code: "430502", name: "双清区", level: "county", parent: "430500" },
    { code: "430503", name: "大祥区", level: "county", parent: "430500" },
  ],
  units: [{ id: "u", name: "市住建局", region: "430500" }],
  plans: [{ id: "x", year: 2024, level: "city", region: "430500", title: "市定民生实事" }],
  items: [{ id: "x-1", plan: "x", no: 1, title: "实事一" }],
  projects: [{ id: "x-1", item: "x-1", no: 1, title: "项目一", leadUnit: "u" }],
  indicators: [
    { id: "x-1-a", project: "x-1", name: "改造", unit: "万方", kind: "quantity", aggregation: "sum" },
    {
      id: "x-1-b",
      project: "x-1",
      name: "提标补发",
      unit: "万元",
      kind: "quantity",
      aggregation: "sum",
      schedule: { type: "milestones", points: [{ month: 6, fraction: 1 }] },
    },
  ],
  targets: [
    { indicator: "x-1-a", region: "430500", value: 0.092 },
    { indicator: "x-1-a", region: "430502", value: 0.05 },
    { indicator: "x-1-a", region: "430503", value: 0.05 },
    { indicator: "x-1-b", region: "430502", value: 1 },
  ],
  progress: [
    { indicator: "x-1-a", region: "430502", period: "2024-09", value: 0.01 },
    { indicator: "x-1-a", region: "430503", period: "2024-09", value: 0.059 },
    { indicator: "x-1-b", region: "430502", period: "2024-03", value: 0.5 },
  ],
};
