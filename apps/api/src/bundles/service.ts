import type { Bundle } from "@minsheng/domain";
import { appendAudit, exportBundle, importBundle } from "@minsheng/db";
import type { Principal } from "../auth/principal.js";
import type { Deps } from "../lib/context.js";
import type { RegionDirectory } from "../lib/regions.js";
import { refusal } from "../plans/service.js";

/**
 * Plan bundles (minsheng.bundle/v1), the workflow: an import in one transaction, audited, then the
 * region cache dropped (a bundle may bring regions); an export as the caller may see it. The SQL
 * is @minsheng/db's importBundle / exportBundle.
 */

/** Imports a parsed bundle in one transaction; an invalid one never gets here. */
export async function importAudited(deps: Deps, p: Principal, bundle: Bundle) {
  const counts = await deps.db.transaction(async (tx) => {
    const counts = await importBundle(tx, bundle);
    await appendAudit(tx, { actor: p.actor, action: "bundle.import", entity: "plan", entityId: bundle.plans.map((x) => x.id).join(","), after: counts });
    return counts;
  });
  deps.regions.invalidate();
  return counts;
}

/** A plan as a user may see it: all of it for admins and staff above the plan; else their area only. */
function restrictToArea(bundle: Bundle, area: string | null, regions: RegionDirectory): Bundle {
  if (area === null) return bundle;
  const inArea = (code: string) => regions.isWithin(code, area);
  const keptRegions = new Set<string>();
  for (const r of bundle.regions) if (inArea(r.code) || regions.isWithin(area, r.code)) keptRegions.add(r.code);
  return {
    ...bundle,
    regions: bundle.regions.filter((r) => keptRegions.has(r.code)),
    units: bundle.units.filter((u) => keptRegions.has(u.region)),
    plans: bundle.plans.filter((p) => keptRegions.has(p.region)),
    targets: bundle.targets.filter((t) => inArea(t.region)),
    progress: bundle.progress.filter((p) => inArea(p.region)),
    disclosure: bundle.disclosure.filter((d) => inArea(d.region)),
  };
}

/** Exports a plan (with the plans it links to), as the caller may see it. */
export async function exportVisible(deps: Deps, p: Principal, planId: string): Promise<Bundle> {
  const { db, regions } = deps;
  const bundle = await exportBundle(db, planId);
  if (!bundle) throw refusal("PLAN_NOT_FOUND", { id: planId }, `plan ${planId} not found`);
  await regions.ready();
  const plan = bundle.plans.find((x) => x.id === planId)!;
  if (p.region !== null && !regions.isWithin(plan.region, p.region) && !regions.isWithin(p.region, plan.region))
    throw refusal("PLAN_OUTSIDE_AREA", { id: planId }, `plan ${planId} does not cover your area`);
  return p.region !== null && !regions.isWithin(plan.region, p.region) ? restrictToArea(bundle, p.region, regions) : bundle;
}
