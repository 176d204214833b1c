// The split-down table while typing: edits folded in, totals and 自我加压 / 未分解完 recomputed.
import { describe, expect, it } from "vitest";
import { splitDown } from "@minsheng/domain/split";
import { applyEdits, changedTargets, type SplitNode, type TargetRow } from "./plan-split";

const row = (region: string, parent: string | null, own: number | null, extra: Partial<TargetRow> = {}): TargetRow => ({
  region, name: region, level: "county", parent, depth: parent ? 1 : 0, hasChildren: false, own, childrenTotal: null, effective: own,
  pressure: false, shortfall: false, difference: null, version: own === null ? null : 1, editable: true, ...extra,
});
// 邵阳市 own 100; 邵阳县 60; 隆回县 has no own target but 7 below it (not listed: deeper than asked)
const rows = [row("430500", null, 100, { hasChildren: true }), row("430523", "430500", 60), row("430524", "430500", null, { childrenTotal: 7, effective: 7 })];
const flat = (nodes: SplitNode[]): SplitNode[] => nodes.flatMap((n) => [n, ...flat(n.children ?? [])]);
const get = (nodes: SplitNode[], region: string) => flat(nodes).find((n) => n.region === region)!;

describe("applyEdits", () => {
  it("nests rows by parent and totals the children, keeping totals the server gave for unlisted regions", () => {
    const tree = applyEdits(rows, new Map(), "sum");
    expect(tree.map((n) => n.region)).toEqual(["430500"]);
    expect(tree[0]!.children!.map((n) => n.region)).toEqual(["430523", "430524"]);
    expect(get(tree, "430500")).toMatchObject({ childrenTotal: 67, effective: 100, shortfall: true, pressure: false, difference: -33 });
    expect(get(tree, "430524")).toMatchObject({ own: null, childrenTotal: 7, effective: 7 });
  });

  it("marks 自我加压 as soon as the typed values give the children more than the own target, without float drift", () => {
    const tree = applyEdits(rows, new Map([["430523", 92.9], ["430524", 0.1]]), "sum");
    // 92.9 + 0.1 = 93 exactly, still short of 100; with 7.2 instead it is 100.1, over it
    expect(get(tree, "430500")).toMatchObject({ childrenTotal: 93, shortfall: true });
    const more = applyEdits(rows, new Map([["430523", 92.9], ["430524", 7.2]]), "sum");
    expect(get(more, "430500")).toMatchObject({ childrenTotal: 100.1, pressure: true, difference: 0.1 });
    expect(get(more, "430523").edited).toBe(true);
    expect(get(more, "430500").edited).toBe(false);
  });

  it("removing the own target falls back to the children's (rule 2); milestones take the mean", () => {
    const tree = applyEdits(rows, new Map([["430500", null]]), "sum");
    expect(get(tree, "430500")).toMatchObject({ own: null, effective: 67, pressure: false, shortfall: false, difference: null });
    const mean = applyEdits(rows, new Map(), "mean");
    expect(get(mean, "430500").childrenTotal).toBe(33.5);
  });
});

describe("applyEdits is the domain's split, exact", () => {
  it("takes the mean of milestone percents exactly, as the server will after saving (floats give 50.000001)", () => {
    // (50.000001 + 50.000002) ÷ 2 = 50.0000015, half-up at 6 decimals 50.000002; in floats
    // (a + b) / 2 is 50.00000149999999…, which Math.round(x * 1e6) / 1e6 turns into 50.000001
    const tree = applyEdits(rows, new Map([["430523", 50.000001], ["430524", 50.000002], ["430500", 50.000002]]), "mean");
    expect(get(tree, "430500")).toMatchObject({ childrenTotal: 50.000002, effective: 50.000002, shortfall: true, pressure: false, difference: -0.000001 });
  });

  it("agrees with splitDown over the whole tree the rows describe", () => {
    const edits = new Map<string, number | null>([["430523", 0.1], ["430524", 0.2]]);
    const tree = applyEdits(rows, edits, "sum");
    const domain = splitDown(
      rows.map((r) => ({ code: r.region, name: r.name, level: r.level, parent: r.parent })),
      [{ region: "430500", value: 100 }, { region: "430523", value: 0.1 }, { region: "430524", value: 0.2 }],
      "430500",
    )!;
    expect(get(tree, "430500")).toMatchObject({ childrenTotal: domain.childrenTotal, difference: domain.difference, shortfall: domain.shortfall });
    expect(get(tree, "430500").childrenTotal).toBe(0.3);
  });
});

describe("changedTargets", () => {
  it("sends only real changes, each with the version that was read", () => {
    expect(changedTargets(rows, new Map<string, number | null>([["430523", 60], ["430524", 5], ["430500", null]]))).toEqual([
      { region: "430524", value: 5, version: null },
      { region: "430500", value: null, version: 1 },
    ]);
  });
});
