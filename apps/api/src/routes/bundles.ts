import { type Bundle, parseBundle } from "@minsheng/domain";
import { appendAudit, exportBundle, importBundle } from "@minsheng/db";
import { Either } from "@minsheng/domain";
import { Hono } from "hono";
import { z } from "zod";
import { requirePermission } from "../auth/middleware.js";
import { acceptsBody } from "../lib/body-limit.js";
import type { AppEnv } from "../lib/context.js";
import { ApiError, forbidden, notFound } from "../lib/errors.js";
import type { RegionDirectory } from "../lib/regions.js";
import { nulProblems, paramsOf } from "../lib/validate.js";

/** A whole year's plan with its figures, as JSON. */
const MAX_BUNDLE_BYTES = 200 * 1024 * 1024;

export const PlanParam = z.object({ planId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be a plan id") });

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

export const bundleRoutes = new Hono<AppEnv>()
  /** Imports a `minsheng.bundle/v1` document in one transaction; an invalid one changes nothing. */
  .post("/", acceptsBody(() => MAX_BUNDLE_BYTES, "the bundle"), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.import");
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      throw new ApiError("ValidationFailed", "body is not valid JSON", [{ path: "$", message: "is not valid JSON" }]);
    }
    const nul = nulProblems(raw);
    if (nul.length > 0) throw new ApiError("ValidationFailed", "invalid input", nul);
    const bundle = Either.getOrThrowWith(parseBundle(raw), (e) => e);
    const { db, regions } = c.get("deps");
    const counts = await db.transaction(async (tx) => {
      const counts = await importBundle(tx, bundle);
      await appendAudit(tx, { actor: p.actor, action: "bundle.import", entity: "plan", entityId: bundle.plans.map((x) => x.id).join(","), after: counts });
      return counts;
    });
    regions.invalidate();
    return c.json({ imported: counts }, 201);
  })
  /** Exports a plan (with the plans it links to) in the same format, as the caller may see it. */
  .get("/:planId", paramsOf(PlanParam), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.export");
    const { planId } = c.req.valid("param");
    const { db, regions } = c.get("deps");
    const bundle = await exportBundle(db, planId);
    if (!bundle) throw notFound(`plan ${planId}`);
    await regions.ready();
    const plan = bundle.plans.find((x) => x.id === planId)!;
    if (p.region !== null && !regions.isWithin(plan.region, p.region) && !regions.isWithin(p.region, plan.region)) throw forbidden(`plan ${planId} does not cover your area`);
    const visible = p.region !== null && !regions.isWithin(plan.region, p.region) ? restrictToArea(bundle, p.region, regions) : bundle;
    c.header("Content-Disposition", `attachment; filename="${planId}.bundle.json"`);
    c.header("Cache-Control", "no-store");
    return c.json(visible);
  });
