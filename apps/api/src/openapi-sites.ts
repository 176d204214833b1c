import { DisclosureBand } from "@minsheng/domain";
import { z } from "zod";
import { DisclosureSettings } from "./lib/settings.js";
import type { ApiOperation } from "./openapi.js";
import { entries } from "./openapi-entry.js";
import { DisclosureQuery } from "./routes/progress.js";

/**
 * The OpenAPI entries of 码上通's rule 6 from real content (GET/PUT /disclosure/…), kept beside the
 * registry in openapi.ts, which lists them. Sites, content, feedback and the public side declare
 * their operations beside their handlers (sites/, feedback/, public/).
 */

export const siteTags = {
  sites: "码上通项目点位 · Project sites, QR codes and site signs",
  content: "公开内容 · Published content of a site (policy documents, localised content, work updates)",
  feedback: "意见建议办理 · Citizens' feedback: inbox, moderation, answers",
  public: "码上通公众端 · The public side (no sign-in)",
} as const;

const Day = z.string().describe("YYYY-MM-DD (China time)");

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
export const siteOperations: ApiOperation[] = [
  // disclosure from content
  ...entries({ tag: "disclosure" }, [
    {
      key: "GET /disclosure/compliance", operationId: "disclosureCompliance", access: "plans.read",
      summary: ["信息公开达标情况", "Rule 6 from the sites' real content: scores per county and what each non-compliant site misses"],
      scope: "`region` must lie within your area",
      description: "A site that published anything by the end of the month is judged on its content with the checklist; one that did not keeps its imported record; in a month without any content the imported records stand (the scores of /disclosure/scores).",
      query: DisclosureQuery, examples: { period: "2024-10", region: "430500" },
      success: { status: 200, description: "scores, best first, and the non-compliant sites", schema: Compliance },
      errors: [404],
    },
    {
      key: "GET /disclosure/checklist", operationId: "getDisclosureChecklist", access: "plans.read",
      summary: ["信息公开考核清单", "The checklist in force (obligations, reply deadline, calendar)"],
      success: { status: 200, description: "the checklist", schema: DisclosureSettings },
    },
    {
      key: "PUT /disclosure/checklist", operationId: "setDisclosureChecklist", access: "settings.manage",
      summary: ["设置信息公开考核清单", "Set the checklist (audited)"],
      body: DisclosureSettings, bodyExample: { policyDocument: true, localisedContent: true, monthlyWorkUpdate: true, answeredInTime: true, replyWorkingDays: 5, holidays: ["2024-10-01"] },
      success: { status: 200, description: "the checklist", schema: DisclosureSettings },
    },
  ]),
];
