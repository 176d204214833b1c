/**
 * The split-down table of one indicator's targets (层层分解) while staff type: the server answers
 * each region's own target and its children's total (GET /indicators/:id/targets, exact); edits
 * not yet saved are folded in here so 自我加压 / 未分解完 show before saving. Pure, no React.
 */

export interface TargetRow {
  region: string;
  name: string;
  level: string;
  parent: string | null;
  depth: number;
  hasChildren: boolean;
  own: number | null;
  childrenTotal: number | null;
  effective: number | null;
  pressure: boolean;
  shortfall: boolean;
  difference: number | null;
  version: number | null;
  editable: boolean;
}

export interface SplitNode extends TargetRow {
  key: string;
  /** an unsaved value typed for this region (undefined: unchanged; null: to be removed) */
  edited: boolean;
  children?: SplitNode[];
}

/** Sums of decimals as typed (≤ 6 decimals) without float drift in what is shown: 0.1 + 0.2 = 0.3. */
const fix = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * The rows as a tree with the edits applied and totals recomputed bottom-up. A listed region whose
 * children are not listed (below the depth asked) keeps the server's total for them.
 */
export function applyEdits(rows: readonly TargetRow[], edits: ReadonlyMap<string, number | null>, aggregation: "sum" | "mean"): SplitNode[] {
  const nodes = new Map<string, SplitNode>();
  for (const r of rows) nodes.set(r.region, { ...r, key: r.region, edited: edits.has(r.region) && edits.get(r.region) !== r.own });
  const roots: SplitNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.parent !== null ? nodes.get(n.parent) : undefined;
    if (parent) (parent.children ??= []).push(n);
    else roots.push(n);
  }
  const settle = (n: SplitNode): number | null => {
    if (edits.has(n.region)) n.own = edits.get(n.region)!;
    if (n.children && n.children.length > 0) {
      const values = n.children.map(settle).filter((v): v is number => v !== null);
      n.childrenTotal = values.length === 0 ? null : fix(aggregation === "mean" ? values.reduce((a, b) => a + b, 0) / values.length : values.reduce((a, b) => a + b, 0));
    }
    n.effective = n.own ?? n.childrenTotal;
    const both = n.own !== null && n.childrenTotal !== null;
    n.difference = both ? fix(n.childrenTotal! - n.own!) : null;
    n.pressure = both && n.difference! > 0;
    n.shortfall = both && n.difference! < 0;
    return n.effective;
  };
  roots.forEach(settle);
  return roots;
}

/** The PUT body for the edits that change something, each with the version read. */
export function changedTargets(rows: readonly TargetRow[], edits: ReadonlyMap<string, number | null>): { region: string; value: number | null; version: number | null }[] {
  const byRegion = new Map(rows.map((r) => [r.region, r]));
  return [...edits]
    .filter(([region, value]) => byRegion.get(region)?.own !== value)
    .map(([region, value]) => ({ region, value, version: byRegion.get(region)?.version ?? null }));
}
