import { Period } from "@minsheng/domain";
import { z } from "zod";
import { assertRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { planExists } from "./data.js";
import { risksOf } from "./service.js";

/** 预警 (rule 16): act before a figure falls behind. Mounted under /plans: GET /plans/{planId}/risks. */

const RiskParams = z.object({ planId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be a plan id") });
export const RiskQuery = z.object({ period: Period, region: z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)") });

const Risk = z.object({
  indicator: z.string(),
  project: z.string(),
  region: z.string(),
  target: z.number(),
  value: z.number(),
  needed: z.number().describe("monthly amount still needed to finish by December, half-up to 2 decimals"),
  recent: z.number().describe("monthly amount of the last three months, half-up to 2 decimals"),
  text: z.string().describe("需月均完成 X，近三月月均 Y"),
});

export const getRisksOp = defineOperation({
  tag: "plans", access: "plans.read", method: "get", path: "/{planId}/risks", operationId: "getPlanRisks",
  scope: "the region's subtree",
  summary: ["进度预警", "Indicator-regions at risk of falling behind (rule 16, exact arithmetic)"],
  params: RiskParams, query: RiskQuery, examples: { planId: "hn2024", period: "2024-09", region: "430500" },
  success: { status: 200, description: "at risk: not completed and the monthly amount needed is above the last three months' pace", schema: z.object({ risks: z.array(Risk) }) },
});

export const riskRoutes = router().openapi(getRisksOp, async (c) => {
  const p = requirePermission(c.get("principal"), "plans.read");
  const { planId } = c.req.valid("param");
  const { period, region } = c.req.valid("query");
  const { db, regions } = c.get("deps");
  await regions.ready();
  if (!regions.get(region)) throw fail("SCORECARD_REGION_UNKNOWN", { region }).at("$.query.region");
  assertRegion(p, region, regions);
  if (!(await planExists(db, planId))) throw fail("RISK_PLAN_NOT_FOUND", { plan: planId });
  return c.json({ risks: await risksOf(db, planId, period, region) }, 200);
});
