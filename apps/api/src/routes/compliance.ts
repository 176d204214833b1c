import { appendAudit } from "@minsheng/db";
import { Hono } from "hono";
import { assertRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { complianceReport } from "../lib/compliance.js";
import type { AppEnv } from "../lib/context.js";
import { notFound } from "../lib/errors.js";
import { DISCLOSURE_SETTINGS_KEY, DisclosureSettings, loadDisclosureSettings } from "../lib/settings.js";
import { jsonBody, queryOf } from "../lib/validate.js";
import { DisclosureQuery } from "./progress.js";

/**
 * Rule 6 computed from what the project sites really published (GET /disclosure/compliance), and
 * the checklist it applies (configuration in app_settings). GET /disclosure/scores, from imported
 * records, stays as it is.
 */
export const complianceRoutes = new Hono<AppEnv>()
  /** Per county (child region) score and band, and per non-compliant site what it misses. */
  .get("/compliance", queryOf(DisclosureQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    const { period, region, plan } = c.req.valid("query");
    const deps = c.get("deps");
    await deps.regions.ready();
    if (!deps.regions.get(region)) throw notFound(`region ${region}`);
    assertRegion(p, region, deps.regions);
    return c.json(await complianceReport(deps, period, region, plan));
  })
  /** The checklist in force (the domain's defaults until an admin sets one). */
  .get("/checklist", async (c) => {
    requirePermission(c.get("principal"), "plans.read");
    return c.json(await loadDisclosureSettings(c.get("deps").db));
  })
  /** Sets the checklist: which obligations count, the reply deadline in working days, holidays. */
  .put("/checklist", jsonBody(DisclosureSettings), async (c) => {
    const p = requirePermission(c.get("principal"), "settings.manage");
    const next = c.req.valid("json");
    const { db, now } = c.get("deps");
    await db.transaction(async (tx) => {
      const before = await loadDisclosureSettings(tx);
      const at = now();
      await tx.query(
        `INSERT INTO app_settings (key, value, updated_by, updated_at) VALUES ($1, $2::jsonb, $3, $4)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        [DISCLOSURE_SETTINGS_KEY, JSON.stringify(next), p.actor, at.toISOString()],
      );
      await appendAudit(tx, { actor: p.actor, action: "settings.update", entity: "setting", entityId: DISCLOSURE_SETTINGS_KEY, before, after: next, at });
    });
    return c.json(next);
  });
