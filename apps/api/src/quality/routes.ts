import { DEFAULT_MAX_GAP_POINTS, Period } from "@minsheng/domain";
import { z } from "zod";
import { assertRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { qualityOf } from "./service.js";

/** 项目质效 (rule 7): reported against verified progress, and the units whose evidence does not match. */

export const QualityQuery = z.object({
  period: Period,
  region: z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)"),
  /** the largest gap allowed, percentage points (10 by default, seed 003) */
  maxGap: z.coerce.number().min(0).max(100).optional(),
});

const Row = z.object({
  indicator: z.string(),
  region: z.string(),
  unit: z.string(),
  reportedRate: z.number(),
  verifiedRate: z.number(),
  gap: z.number(),
  withinLimit: z.boolean(),
  reduced: z.boolean(),
  indicatorName: z.string(),
  regionName: z.string(),
  unitName: z.string(),
});

export const getQualityOp = defineOperation({
  tag: "quality", access: "reports.read", method: "get", path: "/", operationId: "getQuality",
  scope: "the region's subtree; a unit's reporter sees its own unit's rows only",
  summary: ["项目质效", "Reported vs verified progress of the month's reports, and the 质效短板 by unit (rule 7)"],
  query: QualityQuery, examples: { period: "2024-10", region: "430500" },
  success: {
    status: 200,
    description: "one row per reported indicator-region; shortfalls: units with a gap over the limit",
    schema: z.object({
      period: z.string(),
      region: z.string(),
      maxGap: z.number(),
      rows: z.array(Row),
      shortfalls: z.array(z.object({ unit: z.string(), name: z.string(), count: z.number().int(), indicators: z.array(z.string()) })),
    }),
  },
});

export const qualityRoutes = router().openapi(getQualityOp, async (c) => {
  const p = requirePermission(c.get("principal"), "reports.read");
  const { period, region, maxGap } = c.req.valid("query");
  const { db, regions } = c.get("deps");
  await regions.ready();
  if (!regions.get(region)) throw fail("SCORECARD_REGION_UNKNOWN", { region }).at("$.query.region");
  assertRegion(p, region, regions);
  return c.json(await qualityOf(db, regions, period, region, p.unit, maxGap ?? DEFAULT_MAX_GAP_POINTS), 200);
});
