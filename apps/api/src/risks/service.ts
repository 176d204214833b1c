import type { Queryable } from "@minsheng/db";
import { atRisk } from "@minsheng/domain";
import { preparedPlans } from "../lib/plan-cache.js";

/** Early warning (rule 16): the plan's indicator-regions at risk of falling behind, by the domain's `atRisk`. */
export async function risksOf(db: Queryable, planId: string, period: string, region: string) {
  const { model } = await preparedPlans(db, [planId]);
  return atRisk(model, { period, region, plan: planId });
}
