import { type Bundle, PreparedBundle } from "@minsheng/domain";
import { exportBundle, type Queryable } from "@minsheng/db";
import { CodedError } from "./errors.js";

/**
 * Prepared plans (exported with their linked plans, merged and indexed for evaluation), cached until
 * the database's data version moves. The version is bumped by triggers on every write to plans or
 * figures, from any process, so one cheap read per request keeps the cache honest. The progress
 * figures and the bulletins both read plans through here.
 */

const MAX_PLAN_SETS = 32;

type Keyed<T> = { rows: T[]; key: (row: T) => string };

/** One bundle holding several exported ones, each record once (plans share regions, units, linked plans). */
export function mergeBundles(bundles: readonly Bundle[]): Bundle {
  const [first, ...rest] = bundles;
  if (!first) throw new Error("mergeBundles needs at least one bundle");
  if (rest.length === 0) return first;
  const merge = <T>({ rows, key }: Keyed<T>, more: (b: Bundle) => T[]): T[] => {
    const seen = new Set(rows.map(key));
    const out = [...rows];
    for (const b of rest)
      for (const r of more(b)) {
        const k = key(r);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(r);
        }
      }
    return out;
  };
  const regions = merge({ rows: first.regions, key: (r) => r.code }, (b) => b.regions);
  // Parents before children, as the format asks: order by depth, stable within a depth.
  const parent = new Map(regions.map((r) => [r.code, r.parent]));
  const depth = (code: string): number => {
    let d = 0;
    for (let c = parent.get(code); c; c = parent.get(c)) d++;
    return d;
  };
  const depths = new Map(regions.map((r) => [r.code, depth(r.code)]));
  return {
    format: first.format,
    regions: regions.map((r, i) => ({ r, i })).sort((a, b) => depths.get(a.r.code)! - depths.get(b.r.code)! || a.i - b.i).map((x) => x.r),
    units: merge({ rows: first.units, key: (u) => u.id }, (b) => b.units),
    plans: merge({ rows: first.plans, key: (p) => p.id }, (b) => b.plans),
    items: merge({ rows: first.items, key: (i) => i.id }, (b) => b.items),
    projects: merge({ rows: first.projects, key: (p) => p.id }, (b) => b.projects),
    indicators: merge({ rows: first.indicators, key: (i) => i.id }, (b) => b.indicators),
    targets: merge({ rows: first.targets, key: (t) => `${t.indicator}|${t.region}` }, (b) => b.targets),
    progress: merge({ rows: first.progress, key: (p) => `${p.indicator}|${p.region}|${p.period}` }, (b) => b.progress),
    disclosure: merge({ rows: first.disclosure, key: (d) => `${d.project}|${d.region}|${d.period}` }, (b) => b.disclosure),
  };
}

/** Prepared bundles of plan sets, per database, until its data version moves. */
const caches = new WeakMap<Queryable, Map<string, { version: string; model: Promise<PreparedBundle> }>>();

/** The data version now (bumped by triggers on every write to plans and figures). */
export async function dataVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ version: string }>("SELECT version::text AS version FROM data_version");
  return rows[0]?.version ?? "0";
}

/** Exports the plans: each plan's closure once (a city plan's export already holds the province plan it links to). */
async function exportPlans(db: Queryable, plans: readonly string[]): Promise<PreparedBundle> {
  const bundles: Bundle[] = [];
  const covered = new Set<string>();
  // Later plans (市定) link to earlier ones (省定): export them first so their closure covers the rest.
  for (const plan of [...plans].reverse()) {
    if (covered.has(plan)) continue;
    const b = await exportBundle(db, plan);
    if (!b) throw new CodedError("PLAN_NOT_FOUND", { id: plan }, `plan ${plan} not found`);
    b.plans.forEach((x) => covered.add(x.id));
    bundles.push(b);
  }
  return new PreparedBundle(mergeBundles(bundles));
}

/**
 * The plans as one prepared bundle from the database; 404 for an unknown plan. Concurrent
 * requests for the same plans and data version share one export (a .docx and an .xlsx at once).
 */
export async function preparedPlans(db: Queryable, plans: readonly string[]): Promise<{ model: PreparedBundle; version: string }> {
  const version = await dataVersion(db);
  const key = plans.join(",");
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && hit.version === version) return { model: await hit.model, version };
  const model = exportPlans(db, plans);
  if (cache.size >= MAX_PLAN_SETS) cache.delete(cache.keys().next().value!);
  cache.set(key, { version, model });
  // A failed export is not kept.
  model.catch(() => cache.get(key)?.model === model && cache.delete(key));
  return { model: await model, version };
}
