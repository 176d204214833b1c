// 层层分解: the split-down tree staff edit targets with. Figures worked out by hand in comments.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Bundle, evaluateBundle, splitDown, splitNodes, type SplitRegion } from "../src/index.js";
import { fixturePath } from "./fixtures.js";

const regions: SplitRegion[] = [
  { code: "430000", name: "湖南省", level: "province", parent: null },
  { code: "430500", name: "邵阳市", level: "city", parent: "430000" },
  { code: "430501", name: "邵阳市本级", level: "city_self", parent: "430500" },
  { code: "430523", name: "邵阳县", level: "county", parent: "430500" },
  { code: "430524", name: "隆回县", level: "county", parent: "430500" },
  { code: "430600", name: "岳阳市", level: "city", parent: "430000" },
  { code: "430621", name: "岳阳县", level: "county", parent: "430600" },
  { code: "430523101", name: "塘渡口镇", level: "township", parent: "430523" },
];

const byRegion = (root: ReturnType<typeof splitDown>) => new Map(splitNodes(root!).map((n) => [n.region, n]));

describe("splitDown", () => {
  it("keeps a parent's own target apart from its children's sum and marks 自我加压", () => {
    // City own 100; counties 40.1 + 30.2 + 30.3 = 100.6 > 100 → pressure, difference 0.6 exactly (no float drift).
    const tree = splitDown(regions, [
      { region: "430500", value: 100 },
      { region: "430501", value: 40.1 },
      { region: "430523", value: 30.2 },
      { region: "430524", value: 30.3 },
    ], "430500");
    expect(tree).not.toBeNull();
    expect(tree!.own).toBe(100);
    expect(tree!.childrenTotal).toBe(100.6);
    expect(tree!.effective).toBe(100);
    expect(tree!.difference).toBe(0.6);
    expect(tree!.pressure).toBe(true);
    expect(tree!.shortfall).toBe(false);
    expect(tree!.children.map((c) => c.region)).toEqual(["430501", "430523", "430524"]);
  });

  it("is neither pressure nor shortfall when the children's sum equals the own target exactly", () => {
    // 0.1 + 0.2 = 0.3 exactly in rationals (a float sum would be 0.30000000000000004 > 0.3).
    const tree = splitDown(regions, [
      { region: "430500", value: 0.3 },
      { region: "430523", value: 0.1 },
      { region: "430524", value: 0.2 },
    ], "430500")!;
    expect(tree.childrenTotal).toBe(0.3);
    expect(tree.pressure).toBe(false);
    expect(tree.shortfall).toBe(false);
    expect(tree.difference).toBe(0);
  });

  it("flags 未分解完 when children hold less than the own target, and none when no child holds one", () => {
    const partial = splitDown(regions, [{ region: "430500", value: 50 }, { region: "430523", value: 20 }], "430500")!;
    expect(partial.shortfall).toBe(true);
    expect(partial.difference).toBe(-30);
    const alone = splitDown(regions, [{ region: "430500", value: 50 }], "430500")!;
    expect(alone.childrenTotal).toBeNull();
    expect(alone.shortfall).toBe(false);
    expect(alone.difference).toBeNull();
  });

  it("rolls a region without its own target up from below (rule 2), at any depth", () => {
    // 邵阳县 has no own target: its township's 7 counts; the city's effective target is 7 + 5 = 12.
    const tree = splitDown(regions, [{ region: "430523101", value: 7 }, { region: "430524", value: 5 }], "430000")!;
    const n = byRegion(tree);
    expect(n.get("430523")!.own).toBeNull();
    expect(n.get("430523")!.effective).toBe(7);
    expect(n.get("430500")!.childrenTotal).toBe(12);
    expect(n.get("430600")!.effective).toBeNull();
    expect(tree.effective).toBe(12);
  });

  it("combines milestone percents by their mean", () => {
    const tree = splitDown(regions, [{ region: "430523", value: 100 }, { region: "430524", value: 80 }, { region: "430500", value: 100 }], "430500", { aggregation: "mean" })!;
    expect(tree.childrenTotal).toBe(90);
    expect(tree.shortfall).toBe(true);
  });

  it("lists empty regions only when asked and stops listing at the depth, totals still complete", () => {
    const targets = [{ region: "430523101", value: 7 }];
    const all = splitDown(regions, targets, "430000")!;
    expect(splitNodes(all).map((n) => n.region)).toContain("430621");
    const some = splitDown(regions, targets, "430000", { includeEmpty: false })!;
    expect(splitNodes(some).map((n) => n.region)).toEqual(["430000", "430500", "430523", "430523101"]);
    const shallow = splitDown(regions, targets, "430000", { depth: 1 })!;
    expect(splitNodes(shallow).map((n) => n.region)).toEqual(["430000", "430500", "430600"]);
    expect(shallow.effective).toBe(7);
  });

  it("takes the children's totals it is given for regions whose children are not listed (a page listing one level)", () => {
    // the city and its counties only; 邵阳县's township holds 7.000001 (not listed), 隆回县 0.1
    const listed = regions.filter((r) => r.code === "430500" || r.parent === "430500");
    const totals = new Map([["430523", 7.000001], ["430500", 999]]);
    const tree = splitDown(listed, [{ region: "430524", value: 0.1 }, { region: "430500", value: 7.100001 }], "430500", { childrenTotals: totals })!;
    const n = byRegion(tree);
    expect(n.get("430523")).toMatchObject({ own: null, childrenTotal: 7.000001, effective: 7.000001 });
    // 430500's children are listed: its own given total (999) is not used; 7.000001 + 0.1 = 7.100001 exactly
    expect(tree).toMatchObject({ childrenTotal: 7.100001, pressure: false, shortfall: false, difference: 0 });
  });

  it("returns null for an unknown root and survives a cycle in the input", () => {
    expect(splitDown(regions, [], "999999")).toBeNull();
    const cyclic: SplitRegion[] = [
      { code: "100001", name: "a", level: "city", parent: "100002" },
      { code: "100002", name: "b", level: "county", parent: "100001" },
    ];
    const tree = splitDown(cyclic, [{ region: "100002", value: 3 }], "100001")!;
    expect(tree.effective).toBe(3);
  });

  it("agrees with evaluateBundle's targets on seed 003 (every indicator, the city and its counties)", () => {
    const bundle = JSON.parse(readFileSync(fixturePath("shaoyang-2024.bundle.json"), "utf8")) as Bundle;
    let compared = 0;
    for (const region of ["430500", "430523", "430501"]) {
      const evaluation = evaluateBundle(bundle, { period: "2024-09", region });
      for (const ind of bundle.indicators) {
        const nodes = byRegion(splitDown(bundle.regions, bundle.targets.filter((t) => t.indicator === ind.id), "430500", { aggregation: ind.aggregation }));
        for (const r of evaluation.indicators.filter((x) => x.indicator === ind.id)) {
          expect(nodes.get(r.region)?.effective, `${ind.id}@${r.region}`).toBe(r.target);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(60);
  });
});
