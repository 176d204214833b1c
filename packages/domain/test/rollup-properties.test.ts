// Rules 2, 3, 5 and 6 as properties over random region trees (province → cities → counties, some
// cities with 市本级), checked against an independent model computed here with exact integer
// fractions (BigInt), never with the code under test.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateBundle, type Evaluation, type IndicatorResult, type Status } from "../src/index.js";

// ------------------------------------------------------------------------------------------------
// Exact fractions for the model (the textbook formulas; denominators stay small here).

interface Frac {
  n: bigint;
  d: bigint;
}
const F = (n: number | bigint, d: number | bigint = 1n): Frac => ({ n: BigInt(n), d: BigInt(d) });
const fadd = (a: Frac, b: Frac): Frac => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
const fsum = (xs: readonly Frac[]): Frac => xs.reduce(fadd, F(0));
const fmean = (xs: readonly Frac[]): Frac => {
  const s = fsum(xs);
  return { n: s.n, d: s.d * BigInt(xs.length) };
};
/** a ≥ b */
const fgte = (a: Frac, b: Frac): boolean => a.n * b.d >= b.n * a.d;
const fnum = (a: Frac): number => Number(a.n) / Number(a.d);
/** Half-up rounding of a non-negative fraction to `digits` decimals, by quotient and remainder. */
function roundHalfUp(a: Frac, digits: number): number {
  const scale = 10n ** BigInt(digits);
  const num = a.n * scale;
  let q = num / a.d;
  if (2n * (num % a.d) >= a.d) q += 1n;
  return Number(q) / Number(scale);
}
const percent = (a: Frac, digits = 2): number => roundHalfUp({ n: a.n * 100n, d: a.d }, digits);
const rank: Record<Status, number> = { behind: 0, on_schedule: 1, completed: 2 };

// ------------------------------------------------------------------------------------------------
// Random plans.

type Series = { month: number; value: number }[];

interface RegionData {
  /** S (quantity, sum): own target in hundredths, cumulative reports in hundredths */
  sTarget: number | undefined;
  sProgress: Series;
  /** M (milestone percent, mean): own target and reports in hundredths of a percent */
  mTarget: number | undefined;
  mProgress: Series;
  /** L (city plan, linked to S): own target in hundredths, no reports of its own */
  lTarget: number | undefined;
  disclosure: { project: "hp1" | "cp1"; month: number; compliant: boolean }[];
}

interface Node {
  code: string;
  name: string;
  level: "province" | "city" | "city_self" | "county";
  parent: string | null;
  data: RegionData;
  children: Node[];
}

const series = (max: number): fc.Arbitrary<Series> =>
  fc.uniqueArray(fc.record({ month: fc.integer({ min: 1, max: 12 }), value: fc.integer({ min: 0, max }) }), {
    selector: (r) => r.month,
    maxLength: 3,
  });

/** Leaves hold targets most of the time, parents now and then (自我加压: a different own target). */
const regionData = (targetFreq: number): fc.Arbitrary<RegionData> =>
  fc.record({
    sTarget: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined, freq: targetFreq }),
    sProgress: series(150_000),
    mTarget: fc.option(fc.constantFrom(10_000, 8_000, 5_000), { nil: undefined, freq: targetFreq }),
    mProgress: series(10_000),
    lTarget: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined, freq: 2 }),
    disclosure: fc.uniqueArray(
      fc.record({
        project: fc.constantFrom("hp1" as const, "cp1" as const),
        month: fc.integer({ min: 1, max: 12 }),
        compliant: fc.boolean(),
      }),
      { selector: (d) => `${d.project}@${d.month}`, maxLength: 3 },
    ),
  });

const leafData = regionData(5); // a target with probability 4/5
const parentData = regionData(2); // an own target with probability 1/2

const treeArb: fc.Arbitrary<Node> = fc
  .record({
    province: parentData,
    cities: fc.array(
      fc.record({
        data: parentData,
        self: fc.option(leafData, { nil: undefined }),
        counties: fc.array(leafData, { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ province, cities }) => ({
    code: "430000",
    name: "湖南省",
    level: "province" as const,
    parent: null,
    data: province,
    children: cities.map((c, i) => {
      const cityCode = `43${String(i + 1).padStart(2, "0")}00`;
      const prefix = cityCode.slice(0, 4);
      const kids: Node[] = c.counties.map((d, j) => ({
        code: `${prefix}${String(j + 2).padStart(2, "0")}`,
        name: `县${i + 1}-${j + 1}`,
        level: "county" as const,
        parent: cityCode,
        data: d,
        children: [],
      }));
      if (c.self) kids.unshift({ code: `${prefix}01`, name: `市${i + 1}本级`, level: "city_self", parent: cityCode, data: c.self, children: [] });
      return { code: cityCode, name: `市${i + 1}`, level: "city" as const, parent: "430000", data: c.data, children: kids };
    }),
  }));

const allNodes = (n: Node): Node[] => [n, ...n.children.flatMap(allNodes)];

const YEAR = 2024;
const period = (month: number) => `${YEAR}-${String(month).padStart(2, "0")}`;
const hundredths = (v: number) => v / 100;

function toBundle(tree: Node): unknown {
  const nodes = allNodes(tree);
  const targets: unknown[] = [];
  const progress: unknown[] = [];
  const disclosure: unknown[] = [];
  for (const n of nodes) {
    const d = n.data;
    if (d.sTarget !== undefined) targets.push({ indicator: "S", region: n.code, value: hundredths(d.sTarget) });
    if (d.mTarget !== undefined) targets.push({ indicator: "M", region: n.code, value: hundredths(d.mTarget) });
    if (d.lTarget !== undefined) targets.push({ indicator: "L", region: n.code, value: hundredths(d.lTarget) });
    for (const p of d.sProgress) progress.push({ indicator: "S", region: n.code, period: period(p.month), value: hundredths(p.value) });
    for (const p of d.mProgress) progress.push({ indicator: "M", region: n.code, period: period(p.month), value: hundredths(p.value) });
    for (const x of d.disclosure) disclosure.push({ project: x.project, region: n.code, period: period(x.month), compliant: x.compliant });
  }
  return {
    format: "minsheng.bundle/v1",
    regions: nodes.map((n) => ({ code: n.code, name: n.name, level: n.level, parent: n.parent })),
    units: [{ id: "u", name: "牵头单位", region: "430000" }],
    plans: [
      { id: "hp", year: YEAR, level: "province", region: "430000", title: "省定" },
      { id: "cp", year: YEAR, level: "city", region: "430100", title: "市定" },
    ],
    items: [
      { id: "hp-1", plan: "hp", no: 1, title: "省定实事" },
      { id: "cp-1", plan: "cp", no: 1, title: "市定实事" },
    ],
    projects: [
      { id: "hp1", item: "hp-1", no: 1, title: "省定项目", leadUnit: "u" },
      { id: "cp1", item: "cp-1", no: 1, title: "市定项目", leadUnit: "u" },
    ],
    indicators: [
      { id: "S", project: "hp1", name: "数量", unit: "户", kind: "quantity", aggregation: "sum" },
      { id: "M", project: "hp1", name: "形象进度", unit: "%", kind: "milestone", aggregation: "mean" },
      { id: "L", project: "cp1", name: "纳入省定统一调度", unit: "户", kind: "quantity", aggregation: "sum", linkedTo: "S" },
    ],
    targets,
    progress,
    disclosure,
  };
}

// ------------------------------------------------------------------------------------------------
// The independent model of rules 2-3.

type Ind = "S" | "M" | "L";
const ownTarget = (n: Node, ind: Ind) => (ind === "S" ? n.data.sTarget : ind === "M" ? n.data.mTarget : n.data.lTarget);
const reports = (n: Node, ind: "S" | "M") => (ind === "S" ? n.data.sProgress : n.data.mProgress);
const aggregate = (ind: Ind, xs: Frac[]) => (ind === "M" ? fmean(xs) : fsum(xs));

const hasTargetBelow = (n: Node, ind: Ind): boolean => ownTarget(n, ind) !== undefined || n.children.some((c) => hasTargetBelow(c, ind));
const contributing = (n: Node, ind: Ind) => n.children.filter((c) => hasTargetBelow(c, ind));

/** Own target, else the aggregate of the contributing children's (hundredths → Frac). */
function modelTarget(n: Node, ind: Ind): Frac | null {
  const own = ownTarget(n, ind);
  if (own !== undefined) return F(own, 100);
  const kids = contributing(n, ind)
    .map((c) => modelTarget(c, ind))
    .filter((t): t is Frac => t !== null);
  return kids.length > 0 ? aggregate(ind, kids) : null;
}

/** Latest report at or before the month, else 0, where no child holds a target; else aggregate. */
function modelActual(n: Node, ind: Ind, month: number): Frac {
  if (ind === "L") return modelActual(n, "S", month);
  const kids = contributing(n, ind);
  if (kids.length > 0) return aggregate(ind, kids.map((c) => modelActual(c, ind, month)));
  const latest = reports(n, ind)
    .filter((r) => r.month <= month)
    .sort((a, b) => b.month - a.month)[0];
  return F(latest?.value ?? 0, 100);
}

function modelStatus(actual: Frac, target: Frac, month: number): Status {
  if (fgte(actual, target)) return "completed";
  // actual / target ≥ month / 12  ⇔  12 · actual ≥ month · target
  if (fgte({ n: 12n * actual.n, d: actual.d }, { n: BigInt(month) * target.n, d: target.d })) return "on_schedule";
  return "behind";
}

const find = (e: Evaluation, ind: Ind): IndicatorResult | undefined => e.indicators.find((i) => i.indicator === ind);

// ------------------------------------------------------------------------------------------------

const monthArb = fc.integer({ min: 1, max: 12 });

describe("roll-up (rules 2-3) against an independent model", () => {
  it("targets, actuals, rates and statuses at every region of random trees", () => {
    fc.assert(
      fc.property(treeArb, monthArb, (tree, month) => {
        const bundle = toBundle(tree);
        for (const node of allNodes(tree)) {
          const e = evaluateBundle(bundle, { period: period(month), region: node.code });
          for (const ind of ["S", "M", "L"] as const) {
            const got = find(e, ind);
            // Rule 5: evaluated exactly where the subtree holds a target.
            expect(got !== undefined, `${ind} at ${node.code}`).toBe(hasTargetBelow(node, ind));
            if (!got) continue;
            const target = modelTarget(node, ind)!;
            const actual = modelActual(node, ind, month);
            expect(got.target).toBe(roundHalfUp(target, 6));
            expect(got.actual).toBe(roundHalfUp(actual, 6));
            expect(got.rate).toBe(percent({ n: actual.n * target.d, d: actual.d * target.n }));
            expect(got.status, `${ind} at ${node.code}`).toBe(modelStatus(actual, target, month));
            expect(got.due).toBe(percent(F(month, 12)));
            expect(got.linked).toBe(ind === "L");
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("a parent's actual is the sum (S) or mean (M) of its contributing children's actuals", () => {
    fc.assert(
      fc.property(treeArb, monthArb, (tree, month) => {
        const bundle = toBundle(tree);
        const actualAt = (code: string, ind: Ind) => find(evaluateBundle(bundle, { period: period(month), region: code }), ind)?.actual;
        for (const node of allNodes(tree)) {
          for (const ind of ["S", "M"] as const) {
            const kids = contributing(node, ind);
            if (kids.length === 0) continue;
            const childActuals = kids.map((k) => actualAt(k.code, ind)!);
            const parent = actualAt(node.code, ind)!;
            // Children's figures are printed to 6 decimals; compare in hundredths for sums.
            if (ind === "S") expect(Math.round(parent * 100)).toBe(childActuals.reduce((s, a) => s + Math.round(a * 100), 0));
            else expect(parent).toBeCloseTo(childActuals.reduce((s, a) => s + a, 0) / childActuals.length, 5);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it("a parent with its own target uses it, not its children's sum (自我加压)", () => {
    fc.assert(
      fc.property(treeArb, monthArb, (tree, month) => {
        const bundle = toBundle(tree);
        for (const node of allNodes(tree)) {
          const own = node.data.sTarget;
          if (own === undefined) continue;
          const got = find(evaluateBundle(bundle, { period: period(month), region: node.code }), "S");
          expect(got?.target).toBe(hundredths(own));
        }
      }),
      { numRuns: 100 },
    );
  });

  it("the linked indicator takes the source's actual and keeps its own target", () => {
    fc.assert(
      fc.property(treeArb, monthArb, (tree, month) => {
        const bundle = toBundle(tree);
        for (const node of allNodes(tree)) {
          const e = evaluateBundle(bundle, { period: period(month), region: node.code });
          const l = find(e, "L");
          if (!l) continue;
          const s = find(e, "S");
          const sourceActual = fnum(modelActual(node, "S", month));
          expect(l.actual).toBeCloseTo(sourceActual, 6);
          if (s) expect(l.actual).toBe(s.actual);
          expect(l.target).toBe(roundHalfUp(modelTarget(node, "L")!, 6));
          if (node.data.lTarget !== undefined) expect(l.target).toBe(hundredths(node.data.lTarget));
          // A linked indicator is never listed as lagging or falling: its regions are the source's.
          expect(e.lagging.some((x) => x.indicator === "L")).toBe(false);
          expect(e.falls.some((x) => x.indicator === "L")).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("lists exactly the lagging indicator-regions below the one asked about, also of an indicator behind as a whole (rule 5)", () => {
    fc.assert(
      fc.property(treeArb, monthArb, (tree, month) => {
        const bundle = toBundle(tree);
        for (const node of allNodes(tree)) {
          const e = evaluateBundle(bundle, { period: period(month), region: node.code });
          for (const ind of ["S", "M"] as const) {
            const here = find(e, ind);
            const got = e.lagging
              .filter((l) => l.indicator === ind)
              .map((l) => l.region)
              .sort();
            if (!here) {
              expect(got).toEqual([]);
              continue;
            }
            const want = allNodes(node)
              .slice(1)
              .filter((d) => {
                const t = modelTarget(d, ind);
                return t !== null && modelStatus(modelActual(d, ind, month), t, month) === "behind";
              })
              .map((d) => d.code)
              .sort();
            expect(got).toEqual(want);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it("flags every month-on-month fall in the subtree", () => {
    fc.assert(
      fc.property(treeArb, fc.integer({ min: 2, max: 12 }), (tree, month) => {
        const bundle = toBundle(tree);
        const e = evaluateBundle(bundle, { period: period(month), region: tree.code });
        for (const ind of ["S", "M"] as const) {
          if (!hasTargetBelow(tree, ind)) continue;
          const want = allNodes(tree)
            .filter((n) => hasTargetBelow(n, ind))
            .filter((n) => !fgte(modelActual(n, ind, month), modelActual(n, ind, month - 1)))
            .map((n) => n.code)
            .sort();
          const got = e.falls
            .filter((f) => f.indicator === ind)
            .map((f) => f.region)
            .sort();
          expect(got).toEqual(want);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("disclosure scores (rule 6) on random trees", () => {
  it("are within [0, 6], equal half-up(6c/t, 4) and count each site's latest record", () => {
    fc.assert(
      fc.property(treeArb, monthArb, (tree, month) => {
        const bundle = toBundle(tree);
        for (const asked of allNodes(tree)) {
          const e = evaluateBundle(bundle, { period: period(month), region: asked.code });
          // Group: the asked region itself, or the child of it whose subtree holds the site.
          const want = new Map<string, { compliant: number; total: number }>();
          const tally = (group: string, n: Node) => {
            for (const project of ["hp1", "cp1"] as const) {
              const latest = n.data.disclosure
                .filter((d) => d.project === project && d.month <= month)
                .sort((a, b) => b.month - a.month)[0];
              if (!latest) continue;
              const t = want.get(group) ?? { compliant: 0, total: 0 };
              t.total++;
              if (latest.compliant) t.compliant++;
              want.set(group, t);
            }
          };
          tally(asked.code, asked);
          for (const child of asked.children) for (const n of allNodes(child)) tally(child.code, n);

          expect(e.disclosure.map((d) => d.region).sort()).toEqual([...want.keys()].sort());
          for (const d of e.disclosure) {
            const w = want.get(d.region)!;
            expect([d.compliant, d.total]).toEqual([w.compliant, w.total]);
            expect(d.score).toBe(roundHalfUp(F(6 * w.compliant, w.total), 4));
            expect(d.score).toBeGreaterThanOrEqual(0);
            expect(d.score).toBeLessThanOrEqual(6);
            const band = w.compliant === w.total ? "good" : 5 * w.compliant >= 4 * w.total ? "fair" : "poor";
            expect(d.band).toBe(band);
          }
          const scores = e.disclosure.map((d) => d.score);
          expect(scores).toEqual([...scores].sort((a, b) => b - a));
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("monotonicity of roll-ups", () => {
  /** Raises the latest report at or before `month` of one leaf, or adds one at `month`. */
  function raise(tree: Node, leafIndex: number, ind: "S" | "M", month: number, delta: number): Node {
    const leaves = allNodes(tree).filter((n) => n.children.length === 0);
    const leaf = leaves[leafIndex % leaves.length]!;
    const clone = (n: Node): Node => {
      if (n.code !== leaf.code) return { ...n, children: n.children.map(clone) };
      const key = ind === "S" ? "sProgress" : "mProgress";
      const list = n.data[key].map((r) => ({ ...r }));
      const latest = list.filter((r) => r.month <= month).sort((a, b) => b.month - a.month)[0];
      if (latest) latest.value += delta;
      else list.push({ month, value: delta });
      return { ...n, data: { ...n.data, [key]: list } };
    };
    return clone(tree);
  }

  it("raising any leaf's actual never lowers an actual or worsens a status anywhere", () => {
    fc.assert(
      fc.property(
        treeArb,
        monthArb,
        fc.nat(),
        fc.constantFrom("S" as const, "M" as const),
        fc.integer({ min: 1, max: 50_000 }),
        (tree, month, leafIndex, ind, delta) => {
          const before = toBundle(tree);
          const after = toBundle(raise(tree, leafIndex, ind, month, delta));
          for (const node of allNodes(tree)) {
            const opts = { period: period(month), region: node.code };
            const e0 = evaluateBundle(before, opts);
            const e1 = evaluateBundle(after, opts);
            for (const i of e0.indicators) {
              const j = e1.indicators.find((x) => x.indicator === i.indicator)!;
              expect(j.actual).toBeGreaterThanOrEqual(i.actual);
              expect(rank[j.status], `${i.indicator} at ${node.code}`).toBeGreaterThanOrEqual(rank[i.status]);
            }
            for (const p of e0.projects) {
              const q = e1.projects.find((x) => x.project === p.project)!;
              expect(q.progress).toBeGreaterThanOrEqual(p.progress);
              expect(rank[q.status]).toBeGreaterThanOrEqual(rank[p.status]);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("roll-up examples", () => {
  const regions = [
    { code: "430000", name: "湖南省", level: "province", parent: null },
    { code: "430500", name: "邵阳市", level: "city", parent: "430000" },
    { code: "430501", name: "邵阳市本级", level: "city_self", parent: "430500" },
    { code: "430502", name: "双清区", level: "county", parent: "430500" },
    { code: "430503", name: "大祥区", level: "county", parent: "430500" },
  ];
  const skeleton = {
    format: "minsheng.bundle/v1",
    regions,
    units: [{ id: "u", name: "市民政局", region: "430500" }],
    plans: [
      { id: "hp", year: 2024, level: "province", region: "430000", title: "省定" },
      { id: "cp", year: 2024, level: "city", region: "430500", title: "市定" },
    ],
    items: [
      { id: "hp-1", plan: "hp", no: 1, title: "省定实事" },
      { id: "cp-1", plan: "cp", no: 1, title: "市定实事" },
    ],
    projects: [
      { id: "hp1", item: "hp-1", no: 1, title: "适老化改造", leadUnit: "u" },
      { id: "cp1", item: "cp-1", no: 1, title: "适老化改造(市)", leadUnit: "u" },
    ],
    indicators: [
      { id: "S", project: "hp1", name: "改造户数", unit: "户", kind: "quantity", aggregation: "sum" },
      { id: "L", project: "cp1", name: "改造户数", unit: "户", kind: "quantity", aggregation: "sum", linkedTo: "S" },
    ],
  };

  it("自我加压: counties given 60 + 70 against the city's 100; the city's rate uses 100", () => {
    const bundle = {
      ...skeleton,
      targets: [
        { indicator: "S", region: "430500", value: 100 },
        { indicator: "S", region: "430502", value: 60 },
        { indicator: "S", region: "430503", value: 70 },
        { indicator: "L", region: "430500", value: 80 },
      ],
      progress: [
        { indicator: "S", region: "430502", period: "2024-06", value: 40 },
        { indicator: "S", region: "430502", period: "2024-09", value: 45 },
        { indicator: "S", region: "430503", period: "2024-08", value: 46 },
        // The city's own report is ignored: its counties hold the targets.
        { indicator: "S", region: "430500", period: "2024-09", value: 1 },
        // 市本级 holds no target: its figure does not count.
        { indicator: "S", region: "430501", period: "2024-09", value: 500 },
      ],
    };
    const e = evaluateBundle(bundle, { period: "2024-09", region: "430500" });
    const s = e.indicators.find((i) => i.indicator === "S")!;
    expect(s).toMatchObject({ target: 100, actual: 91, rate: 91, status: "on_schedule" });
    // Linked: 91 of its own 80 → 113.75%, completed.
    expect(e.indicators.find((i) => i.indicator === "L")).toMatchObject({ target: 80, actual: 91, rate: 113.75, status: "completed", linked: true });
    // 双清区 45/60 = 75% on the line; 大祥区 46/70 = 65.71% lags.
    expect(e.lagging).toEqual([{ indicator: "S", project: "hp1", region: "430503", rate: 65.71, due: 75 }]);
    // At the province: no own targets, so the city's 100 and 80; both hold a target below.
    const p = evaluateBundle(bundle, { period: "2024-09", region: "430000" });
    expect(p.indicators.map((i) => [i.indicator, i.target, i.actual])).toEqual([
      ["S", 100, 91],
      ["L", 80, 91],
    ]);
    // At a county only S holds a target: L is not evaluated there.
    const county = evaluateBundle(bundle, { period: "2024-09", region: "430502" });
    expect(county.indicators.map((i) => [i.indicator, i.target, i.actual, i.rate])).toEqual([["S", 60, 45, 75]]);
    // In May nothing is reported yet: 0.
    const may = evaluateBundle(bundle, { period: "2024-05", region: "430500" });
    expect(may.indicators.find((i) => i.indicator === "S")).toMatchObject({ actual: 0, status: "behind" });
  });

  it("a city with its own target and no county targets reports its own figure", () => {
    const bundle = {
      ...skeleton,
      targets: [{ indicator: "S", region: "430500", value: 200 }],
      progress: [
        { indicator: "S", region: "430500", period: "2024-09", value: 150 },
        { indicator: "S", region: "430502", period: "2024-09", value: 7 },
      ],
    };
    const e = evaluateBundle(bundle, { period: "2024-09", region: "430500" });
    expect(e.indicators).toEqual([expect.objectContaining({ indicator: "S", target: 200, actual: 150, rate: 75, status: "on_schedule" })]);
    // A county without a target in its subtree is not evaluated.
    expect(evaluateBundle(bundle, { period: "2024-09", region: "430502" }).indicators).toEqual([]);
  });

  it("figures of an earlier year do not count: a 2024 plan read in 2025 starts from 0", () => {
    const bundle = {
      ...skeleton,
      targets: [{ indicator: "S", region: "430502", value: 100 }],
      progress: [{ indicator: "S", region: "430502", period: "2024-12", value: 100 }],
    };
    const dec = evaluateBundle(bundle, { period: "2024-12", region: "430500" });
    expect(dec.indicators.find((i) => i.indicator === "S")).toMatchObject({ actual: 100, status: "completed" });
    const next = evaluateBundle(bundle, { period: "2025-03", region: "430500" });
    expect(next.indicators.find((i) => i.indicator === "S")).toMatchObject({ actual: 0, status: "behind" });
  });

  it("mean aggregation: a milestone indicator averages its children, not the leaves", () => {
    const bundle = {
      ...skeleton,
      regions: [...regions, { code: "430600", name: "岳阳市", level: "city", parent: "430000" }],
      indicators: [{ id: "M", project: "hp1", name: "形象进度", unit: "%", kind: "milestone", aggregation: "mean" }],
      targets: [
        { indicator: "M", region: "430501", value: 100 },
        { indicator: "M", region: "430502", value: 100 },
        { indicator: "M", region: "430503", value: 100 },
        { indicator: "M", region: "430600", value: 100 },
      ],
      progress: [
        { indicator: "M", region: "430501", period: "2024-09", value: 90 },
        { indicator: "M", region: "430502", period: "2024-09", value: 60 },
        { indicator: "M", region: "430503", period: "2024-09", value: 30 },
        { indicator: "M", region: "430600", period: "2024-09", value: 100 },
      ],
    };
    const city = evaluateBundle(bundle, { period: "2024-09", region: "430500" });
    expect(city.indicators[0]).toMatchObject({ target: 100, actual: 60, rate: 60, status: "behind" });
    // Province: mean of the cities (60 and 100) = 80, not the mean of the four leaves (70).
    const province = evaluateBundle(bundle, { period: "2024-09", region: "430000" });
    expect(province.indicators[0]).toMatchObject({ target: 100, actual: 80, rate: 80, status: "on_schedule" });
  });
});
