import type { Aggregation } from "./plan.js";
import { Rational } from "./rational.js";

/**
 * 层层分解: how an indicator's targets are split down a region tree. Rule 2 takes a region's own
 * target where it has one, else its children's; counties may be given more than the city's own
 * target in total (自我加压), or not yet all of it (未分解完). Staff editing targets see both
 * figures side by side, so the tree keeps them apart.
 */

export interface SplitRegion {
  code: string;
  name: string;
  level: string;
  parent: string | null;
}

export interface SplitTarget {
  region: string;
  value: number;
}

export interface SplitNode {
  region: string;
  name: string;
  level: string;
  /** the region's own assigned target, null when it has none */
  own: number | null;
  /** the children's targets combined (sum, or mean for milestone percents); null when none below holds one */
  childrenTotal: number | null;
  /** what rule 2 uses for this region: own where assigned, else the children's */
  effective: number | null;
  /** 自我加压: the children were given more than the own target */
  pressure: boolean;
  /** 未分解完: the children hold targets, but less than the own target */
  shortfall: boolean;
  /** childrenTotal − own when both exist (6 decimals) */
  difference: number | null;
  children: SplitNode[];
}

export interface SplitOptions {
  /** how children's targets combine (the indicator's aggregation); default sum */
  aggregation?: Aggregation;
  /** levels below the root to list (the totals always cover the whole subtree); default all */
  depth?: number;
  /** list regions without any target in their subtree too (so one can be given one); default true */
  includeEmpty?: boolean;
  /**
   * The children's total of a region whose children are not among `regions` (a page listing the
   * tree to some depth only, as the console's target editor): taken as given for such a region.
   */
  childrenTotals?: ReadonlyMap<string, number>;
}

const figure = (r: Rational) => Rational.round(r, 6);

/**
 * The split-down tree of one indicator below `root`, with exact totals. Returns null when the root
 * is not among `regions`. Children are listed in region-code order.
 */
export function splitDown(regions: readonly SplitRegion[], targets: readonly SplitTarget[], root: string, options: SplitOptions = {}): SplitNode | null {
  const { aggregation = "sum", depth = Number.POSITIVE_INFINITY, includeEmpty = true, childrenTotals } = options;
  const byCode = new Map(regions.map((r) => [r.code, r]));
  if (!byCode.has(root)) return null;
  const kids = new Map<string, string[]>();
  for (const r of regions) if (r.parent !== null && r.parent !== r.code) (kids.get(r.parent) ?? kids.set(r.parent, []).get(r.parent)!).push(r.code);
  for (const list of kids.values()) list.sort();
  const own = new Map(targets.map((t) => [t.region, Rational.fromNumber(t.value)]));

  // Effective targets of the whole subtree, bottom-up; `seen` guards against a cycle in the input.
  const seen = new Set<string>();
  const build = (code: string, level: number): { node: SplitNode; effective: Rational | null } => {
    seen.add(code);
    const built = (kids.get(code) ?? []).filter((c) => !seen.has(c)).map((c) => build(c, level + 1));
    const contributing = built.map((b) => b.effective).filter((v): v is Rational => v !== null);
    const given = kids.has(code) ? undefined : childrenTotals?.get(code);
    const total =
      contributing.length === 0 ? (given === undefined ? null : Rational.fromNumber(given)) : aggregation === "mean" ? Rational.mean(contributing) : Rational.sum(contributing);
    const mine = own.get(code) ?? null;
    const effective = mine ?? total;
    const cmp = mine !== null && total !== null ? Rational.compare(total, mine) : 0;
    const region = byCode.get(code)!;
    const listed = level < depth ? built.filter((b) => includeEmpty || b.effective !== null).map((b) => b.node) : [];
    return {
      effective,
      node: {
        region: code,
        name: region.name,
        level: region.level,
        own: mine === null ? null : figure(mine),
        childrenTotal: total === null ? null : figure(total),
        effective: effective === null ? null : figure(effective),
        pressure: cmp > 0,
        shortfall: cmp < 0,
        difference: mine !== null && total !== null ? figure(Rational.sub(total, mine)) : null,
        children: listed,
      },
    };
  };
  return build(root, 0).node;
}

/** Every node of a split-down tree, depth first (root first). */
export function splitNodes(node: SplitNode): SplitNode[] {
  return [node, ...node.children.flatMap(splitNodes)];
}
