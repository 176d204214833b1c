import { DisclosureBand, Period } from "@minsheng/domain";
import { z } from "zod";
import { requirePermission } from "../auth/middleware.js";
import { loadDisclosureSettings, DisclosureSettings } from "../lib/settings.js";
import { defineOperation, router } from "../lib/operation.js";
import { RegionCode } from "../lib/region-code.js";
import { regionCompliance, setChecklist } from "./service.js";

/**
 * 信息公开 (rule 6): the scores of a region's children (GET /disclosure/scores), the same computed
 * from what the project sites really published with the non-compliant sites (GET
 * /disclosure/compliance, one computation), and the checklist it applies (app_settings).
 */

export const DisclosureQuery = z.object({ period: Period, region: RegionCode, plan: z.string().min(1).max(64).optional() });

const Day = z.string().describe("YYYY-MM-DD (China time)");
const DisclosureSources = z
  .object({ content: z.number().int(), record: z.number().int() })
  .describe("how many obligations were judged from the sites' content and how many from imported records (rule 6)");

const DisclosureScores = z.object({
  period: z.string(),
  region: z.string(),
  sources: DisclosureSources,
  scores: z.array(
    z.object({ region: z.string(), compliant: z.number().int(), total: z.number().int(), score: z.number(), band: DisclosureBand, sources: DisclosureSources, name: z.string(), bandLabel: z.string() }),
  ),
});

const Compliance = z.object({
  period: z.string(),
  region: z.string(),
  plan: z.string().optional(),
  asOf: Day,
  checklist: DisclosureSettings,
  sources: z.object({ content: z.number().int(), record: z.number().int() }),
  scores: z.array(
    z.object({
      region: z.string(),
      name: z.string(),
      compliant: z.number().int(),
      total: z.number().int(),
      score: z.number(),
      band: DisclosureBand,
      bandLabel: z.string(),
      sources: z.object({ content: z.number().int(), record: z.number().int() }).describe("where this region's records came from"),
    }),
  ),
  nonCompliant: z.array(
    z.object({
      code: z.string().nullable(),
      project: z.string(),
      projectTitle: z.string(),
      region: z.string(),
      regionName: z.string(),
      source: z.enum(["content", "record"]),
      compliant: z.boolean(),
      missed: z.array(z.object({ obligation: z.string(), label: z.string() })).nullable().describe("null for an imported record"),
    }),
  ),
});

const disclosure = { tag: "disclosure", access: "plans.read" } as const;

export const disclosureScoresOp = defineOperation({
  ...disclosure, method: "get", path: "/scores", operationId: "disclosureScores",
  summary: ["信息公开得分", "Disclosure scores of a region's children (rule 6)"],
  scope: "`region` must lie within your area",
  query: DisclosureQuery, examples: { period: "2024-09", region: "430500" },
  success: { status: 200, description: "scores, best first", schema: DisclosureScores },
  errors: [404],
});

export const disclosureComplianceOp = defineOperation({
  ...disclosure, method: "get", path: "/compliance", operationId: "disclosureCompliance",
  summary: ["信息公开达标情况", "Rule 6 from the sites' real content: scores per county and what each non-compliant site misses"],
  scope: "`region` must lie within your area",
  description: "A site that published anything by the end of the month is judged on its content with the checklist; one that did not keeps its imported record; in a month without any content the imported records stand (the scores of /disclosure/scores).",
  query: DisclosureQuery, examples: { period: "2024-10", region: "430500" },
  success: { status: 200, description: "scores, best first, and the non-compliant sites", schema: Compliance },
  errors: [404],
});

export const getChecklistOp = defineOperation({
  ...disclosure, method: "get", path: "/checklist", operationId: "getDisclosureChecklist",
  summary: ["信息公开考核清单", "The checklist in force (obligations, reply deadline, calendar)"],
  success: { status: 200, description: "the checklist", schema: DisclosureSettings },
});

export const setChecklistOp = defineOperation({
  tag: "disclosure", method: "put", path: "/checklist", operationId: "setDisclosureChecklist", access: "settings.manage",
  summary: ["设置信息公开考核清单", "Set the checklist (audited)"],
  body: DisclosureSettings, bodyExample: { policyDocument: true, localisedContent: true, monthlyWorkUpdate: true, answeredInTime: true, replyWorkingDays: 5, holidays: ["2024-10-01"] },
  success: { status: 200, description: "the checklist", schema: DisclosureSettings },
});

/** Mounted at /disclosure. */
export const disclosureRoutes = router()
  /** Rule 6 scores of the region's children (or itself) at the month, with where their records came from: the figures of /compliance. */
  .openapi(disclosureScoresOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    const { period, region, plan } = c.req.valid("query");
    const report = await regionCompliance(c.get("deps"), p, period, region, plan);
    return c.json({ period, region, sources: report.sources, scores: report.scores }, 200);
  })
  /** Per county (child region) score and band, and per non-compliant site what it misses. */
  .openapi(disclosureComplianceOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    const { period, region, plan } = c.req.valid("query");
    return c.json(await regionCompliance(c.get("deps"), p, period, region, plan), 200);
  })
  /** The checklist in force (the domain's defaults until an admin sets one). */
  .openapi(getChecklistOp, async (c) => {
    requirePermission(c.get("principal"), "plans.read");
    return c.json(await loadDisclosureSettings(c.get("deps").db), 200);
  })
  .openapi(setChecklistOp, async (c) => {
    const p = requirePermission(c.get("principal"), "settings.manage");
    const next = c.req.valid("json");
    await setChecklist(c.get("deps"), p, next);
    return c.json(next, 200);
  });
