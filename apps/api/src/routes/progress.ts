import { summarizePlan } from "@minsheng/bulletin";
import { EvaluateOptions, evaluateModel, Period } from "@minsheng/domain";
import { Either } from "@minsheng/domain";
import { Hono } from "hono";
import { z } from "zod";
import { assertRegion, mayAccessRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { complianceReport, loadDisclosureContent } from "../lib/compliance.js";
import type { AppEnv } from "../lib/context.js";
import { notFound } from "../lib/errors.js";
import { preparedPlans } from "../lib/plan-cache.js";
import { paramsOf, queryOf } from "../lib/validate.js";

export const PlanParam = z.object({ planId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be a plan id") });
export const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
export const ProgressQuery = z.object({ period: Period, region: RegionCode });
export const DisclosureQuery = z.object({ period: Period, region: RegionCode, plan: z.string().min(1).max(64).optional() });

export const planRoutes = new Hono<AppEnv>()
  /** The plans issued within the caller's area or above it (a county's staff see no other county's plan). */
  .get("/", async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    const { db, regions } = c.get("deps");
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT p.id, p.year, p.level, p.region, p.title, p.schedule,
              (SELECT count(*) FROM items i WHERE i.plan = p.id)::int AS items,
              (SELECT count(*) FROM projects pr JOIN items i ON i.id = pr.item WHERE i.plan = p.id)::int AS projects
         FROM plans p ORDER BY p.year DESC, p.level, p.id`,
    );
    await regions.ready();
    const related = (region: string) => mayAccessRegion(p, region, regions) || (p.region !== null && regions.isWithin(p.region, region));
    return c.json({ plans: rows.filter((r) => related(String(r.region))) });
  })
  /**
   * What `evaluateBundle` answers for the plan at a month and region, from verified figures in the
   * database and (rule 6) the content its sites hold; `counts` holds this plan's completed /
   * on_schedule / behind, `summary` the bulletin's sentence for it.
   */
  .get("/:planId/progress", paramsOf(PlanParam), queryOf(ProgressQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    const { planId } = c.req.valid("param");
    const { period, region } = c.req.valid("query");
    const { db, regions } = c.get("deps");
    await regions.ready();
    if (!regions.get(region)) throw notFound(`region ${region}`);
    assertRegion(p, region, regions);
    const { model } = await preparedPlans(db, [planId]);
    const options: EvaluateOptions = { period, region, plan: planId };
    const content = await loadDisclosureContent(db, regions, c.get("deps").now(), period, region, [planId]);
    const evaluation = Either.getOrThrowWith(evaluateModel(model, options, content), (e) => e);
    const summary = summarizePlan({ bundle: model, period, region, plan: planId, evaluation });
    return c.json({ ...evaluation, counts: evaluation.counts[planId] ?? { completed: 0, on_schedule: 0, behind: 0 }, summary });
  });

export const disclosureRoutes = new Hono<AppEnv>()
  /**
   * Rule 6 scores of the region's children (or itself) at the month, with where their records came
   * from: the figures of GET /disclosure/compliance (one computation).
   */
  .get("/scores", queryOf(DisclosureQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    const { period, region, plan } = c.req.valid("query");
    const deps = c.get("deps");
    await deps.regions.ready();
    if (!deps.regions.get(region)) throw notFound(`region ${region}`);
    assertRegion(p, region, deps.regions);
    const report = await complianceReport(deps, period, region, plan);
    return c.json({ period, region, sources: report.sources, scores: report.scores });
  });
