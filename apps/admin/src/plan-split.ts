import { type SplitNode as DomainSplitNode, splitDown } from "@minsheng/domain/split";
import type { InferResponseType } from "hono/client";
import type { api } from "./api";

/**
 * The split-down table of one indicator's targets (层层分解) while staff type: the server answers
 * each region's own target and its children's total (GET /indicators/:id/targets, exact); edits
 * not yet saved are folded in here so 自我加压 / 未分解完 show before saving. Pure, no React.
 */

/** A region's row as the API answers it (GET /indicators/:id/targets), typed from the route. */
export type TargetRow = InferResponseType<(typeof api.indicators)[":id"]["targets"]["$get"], 200>["rows"][number];

export type SplitNode = TargetRow & {
  key: string;
  /** an unsaved value typed for this region (undefined: unchanged; null: to be removed) */
  edited: boolean;
  children?: SplitNode[];
};

/**
 * The rows as a tree with the edits applied and totals recomputed bottom-up, exactly, by the
 * domain's `splitDown` (the API's own answer after saving). A listed region whose children are not
 * listed (below the depth asked) keeps the server's total for them.
 */
export function applyEdits(rows: readonly TargetRow[], edits: ReadonlyMap<string, number | null>, aggregation: "sum" | "mean"): SplitNode[] {
  const byRegion = new Map(rows.map((r) => [r.region, r]));
  const withListedChildren = new Set(rows.flatMap((r) => (r.parent !== null && byRegion.has(r.parent) ? [r.parent] : [])));
  const regions = rows.map((r) => ({ code: r.region, name: r.name, level: r.level, parent: r.parent }));
  const targets = rows.flatMap((r) => {
    const value = edits.has(r.region) ? edits.get(r.region)! : r.own;
    return value === null ? [] : [{ region: r.region, value }];
  });
  const childrenTotals = new Map(rows.flatMap((r) => (!withListedChildren.has(r.region) && r.childrenTotal !== null ? [[r.region, r.childrenTotal] as const] : [])));
  const toNode = (n: DomainSplitNode): SplitNode => {
    const row = byRegion.get(n.region)!;
    const { children, ...figures } = n;
    return {
      ...row,
      ...figures,
      key: row.region,
      edited: edits.has(row.region) && edits.get(row.region) !== row.own,
      ...(children.length > 0 ? { children: children.map(toNode) } : {}),
    };
  };
  return rows
    .filter((r) => r.parent === null || !byRegion.has(r.parent))
    .map((root) => toNode(splitDown(regions, targets, root.region, { aggregation, childrenTotals })!));
}

/** The PUT body for the edits that change something, each with the version read. */
export function changedTargets(rows: readonly TargetRow[], edits: ReadonlyMap<string, number | null>): { region: string; value: number | null; version: number | null }[] {
  const byRegion = new Map(rows.map((r) => [r.region, r]));
  return [...edits]
    .filter(([region, value]) => byRegion.get(region)?.own !== value)
    .map(([region, value]) => ({ region, value, version: byRegion.get(region)?.version ?? null }));
}
