import { appendAudit } from "@minsheng/db";
import { assertRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import { complianceReport } from "../lib/compliance.js";
import type { Deps } from "../lib/context.js";
import { DISCLOSURE_SETTINGS_KEY, type DisclosureSettings, loadDisclosureSettings } from "../lib/settings.js";
import { refusal } from "../plans/service.js";
import { saveChecklist } from "./data.js";

/**
 * Rule 6, the workflow: the report computed from what the project sites really published
 * (lib/compliance.ts, shared with the bulletins and the progress figures), for a region inside
 * the caller's area; the checklist it applies, set in one audited transaction.
 */

/** Rule 6 at a month and region (its children's scores, the non-compliant sites), after the region checks. */
export async function regionCompliance(deps: Deps, p: Principal, period: string, region: string, plan?: string) {
  await deps.regions.ready();
  if (!deps.regions.get(region)) throw refusal("REGION_NOT_FOUND", { region }, `region ${region} not found`);
  assertRegion(p, region, deps.regions);
  return complianceReport(deps, period, region, plan);
}

/** Sets the checklist: which obligations count, the reply deadline in working days, holidays. */
export async function setChecklist(deps: Deps, p: Principal, next: DisclosureSettings): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const before = await loadDisclosureSettings(tx);
    const at = deps.now();
    await saveChecklist(tx, next, p.actor, at);
    await appendAudit(tx, { actor: p.actor, action: "settings.update", entity: "setting", entityId: DISCLOSURE_SETTINGS_KEY, before, after: next, at });
  });
}
