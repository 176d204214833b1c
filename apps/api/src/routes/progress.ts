import { BUNDLE_FORMAT, type Bundle, disclosureScores, EvaluateOptions, evaluateModel, Period, PreparedBundle } from "@minsheng/domain";
import * as Either from "effect/Either";
import { Hono } from "hono";
import { z } from "zod";
import { assertRegion, mayAccessRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
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
   * database; `counts` holds this plan's completed / on_schedule / behind.
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
    const evaluation = Either.getOrThrowWith(evaluateModel(model, options), (e) => e);
    return c.json({ ...evaluation, counts: evaluation.counts[planId] ?? { completed: 0, on_schedule: 0, behind: 0 } });
  });

export const disclosureRoutes = new Hono<AppEnv>()
  /** Rule 6 scores of the region's children (or itself) at the month: [{region, compliant, total, score, band}]. */
  .get("/scores", queryOf(DisclosureQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    const { period, region, plan } = c.req.valid("query");
    const { db, regions } = c.get("deps");
    await regions.ready();
    if (!regions.get(region)) throw notFound(`region ${region}`);
    assertRegion(p, region, regions);
    const [rs, plans, items, projects, records] = await Promise.all([
      db.query<Bundle["regions"][number]>("SELECT code, name, level, parent FROM regions"),
      db.query<Record<string, unknown>>("SELECT id, year, level, region, title, schedule FROM plans"),
      db.query<{ id: string; plan: string; no: number; title: string }>("SELECT id, plan, no, title FROM items"),
      db.query<{ id: string; item: string; no: number; title: string; lead_unit: string }>("SELECT id, item, no, title, lead_unit FROM projects"),
      db.query<{ project: string; region: string; period: string; compliant: boolean }>(
        "SELECT project, region, period, compliant FROM disclosure_records WHERE period <= $1 AND period >= $2",
        [period, `${period.slice(0, 4)}-01`],
      ),
    ]);
    const bundle = {
      format: BUNDLE_FORMAT,
      regions: rs.rows,
      units: [],
      plans: plans.rows as unknown as Bundle["plans"],
      items: items.rows,
      projects: projects.rows.map((x) => ({ id: x.id, item: x.item, no: x.no, title: x.title, leadUnit: x.lead_unit })),
      indicators: [],
      targets: [],
      progress: [],
      disclosure: records.rows,
    } satisfies Bundle;
    return c.json({ period, region, scores: disclosureScores(new PreparedBundle(bundle), period, region, plan) });
  });
