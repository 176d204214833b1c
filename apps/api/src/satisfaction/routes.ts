import { PlanYear, PlanYearParam, SatisfactionRating } from "@minsheng/domain";
import { z } from "zod";
import { mayAccessRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { listSurveys } from "./data.js";
import { createSurvey, enterCounts, publishSurvey, rate, readSurvey } from "./service.js";

/** 满意度测评 (rule 14): the deputies' year-end ballot per project; citizens' ratings stay apart (码上通). */

const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
const Day = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "must be a date YYYY-MM-DD");
const Count = z.number().int().min(0).max(100_000);
const ProjectId = z.string().min(1).max(64);
export const SurveyIdParam = z.object({ id: z.coerce.number().int().positive("must be a satisfaction ballot id") });

export const NewSurvey = z.object({ region: RegionCode, year: PlanYear, date: Day, projects: z.array(ProjectId).min(1).max(200) });
export const SurveyCounts = z.object({
  counts: z.array(z.object({ project: ProjectId, satisfied: Count, basically_satisfied: Count, dissatisfied: Count })).min(1).max(200),
});
export const SurveyBallot = z.object({ ratings: z.array(z.object({ project: ProjectId, rating: SatisfactionRating })).min(1).max(200) });
export const SurveyListQuery = z.object({ region: RegionCode, year: PlanYearParam.optional() });

export const RatedProjectView = z.object({
  project: z.string(),
  title: z.string(),
  leadUnit: z.object({ id: z.string(), name: z.string() }),
  satisfied: z.number().int(),
  basically_satisfied: z.number().int(),
  dissatisfied: z.number().int(),
  total: z.number().int().describe("valid ballots"),
  satisfactionRate: z.number().nullable().describe("(满意 + 基本满意) ÷ valid ballots, percent, half-up to 2 decimals"),
  flagged: z.boolean().describe("不满意 more than half of the valid ballots: to be rectified"),
});
export const SurveyView = z.object({
  id: z.number().int(),
  year: z.number().int(),
  region: z.object({ code: z.string(), name: z.string() }),
  date: z.string(),
  method: z.enum(["counts", "ballots"]).nullable(),
  frozenAt: z.string().nullable(),
  createdBy: z.string(),
  projects: z.array(RatedProjectView),
});

const congress = { tag: "congress" } as const;
const scope = "the session's region must lie within your area";

export const listSurveysOp = defineOperation({
  ...congress, access: "congress.read", method: "get", path: "/", operationId: "listSatisfactionBallots",
  summary: ["满意度测评列表", "The deputies' satisfaction ballots of a region and year"],
  scope: "the region must lie within your area",
  query: SurveyListQuery, examples: { region: "430500", year: "2024" },
  success: { status: 200, description: "the ballots with their results", schema: z.object({ ballots: z.array(SurveyView) }) },
});
export const createSurveyOp = defineOperation({
  ...congress, access: "congress.manage", method: "post", path: "/", operationId: "createSatisfactionBallot",
  summary: ["发起满意度测评", "Open a deputies' satisfaction ballot on the year's projects (rule 14)"],
  scope: "the region must lie within your area; the projects must be of that year's plans in it",
  body: NewSurvey, bodyExample: { region: "430500", year: 2024, date: "2024-12-20", projects: ["sy2024-p01"] },
  success: { status: 201, description: "opened", schema: z.object({ id: z.number().int() }) },
});
export const getSurveyOp = defineOperation({
  ...congress, access: "congress.read", method: "get", path: "/{id}", operationId: "getSatisfactionBallot",
  summary: ["满意度测评结果", "A satisfaction ballot: per project the counts, the rate and the 不满意 > 1/2 flag"],
  scope, params: SurveyIdParam,
  success: { status: 200, description: "the ballot", schema: SurveyView },
});
export const surveyCountsOp = defineOperation({
  ...congress, access: "congress.manage", method: "post", path: "/{id}/counts", operationId: "enterSatisfactionCounts",
  summary: ["录入测评票数", "Enter the paper ballots' counts per project (replacing those entered before, until published)"],
  scope, params: SurveyIdParam, body: SurveyCounts, bodyExample: { counts: [{ project: "sy2024-p01", satisfied: 30, basically_satisfied: 5, dissatisfied: 1 }] },
  success: { status: 200, description: "the ballot now", schema: SurveyView }, errors: [409],
});
export const surveyBallotOp = defineOperation({
  ...congress, access: "congress.vote", method: "post", path: "/{id}/ballots", operationId: "castSatisfactionBallot",
  summary: ["代表测评", "A deputy rates every project of the ballot on a tablet, once (who rated is kept, never how)"],
  scope, params: SurveyIdParam, body: SurveyBallot, bodyExample: { ratings: [{ project: "sy2024-p01", rating: "satisfied" }] },
  success: { status: 201, description: "counted", schema: z.object({ cast: z.number().int() }) }, errors: [409],
});
export const publishSurveyOp = defineOperation({
  ...congress, access: "congress.manage", method: "post", path: "/{id}/publish", operationId: "publishSatisfactionBallot",
  summary: ["公布测评结果", "Publish the result: frozen from then on, shown on 码上通 and in the bulletin"],
  scope, params: SurveyIdParam,
  success: { status: 200, description: "published", schema: SurveyView }, errors: [409],
});

export const satisfactionRoutes = router()
  .openapi(listSurveysOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.read");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const regions = await deps.regions.ready();
    if (!mayAccessRegion(p, q.region, regions)) throw fail("REGION_OUTSIDE_AREA", { region: q.region }).at("$.query.region");
    return c.json({ ballots: await listSurveys(deps.db, { regions: regions.subtree(q.region), year: q.year }) }, 200);
  })
  .openapi(createSurveyOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.manage");
    return c.json({ id: await createSurvey(c.get("deps"), p, c.req.valid("json")) }, 201);
  })
  .openapi(getSurveyOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.read");
    return c.json(await readSurvey(c.get("deps"), p, c.req.valid("param").id), 200);
  })
  .openapi(surveyCountsOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.manage");
    return c.json(await enterCounts(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json").counts), 200);
  })
  .openapi(surveyBallotOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.vote");
    return c.json(await rate(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json").ratings), 201);
  })
  .openapi(publishSurveyOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.manage");
    return c.json(await publishSurvey(c.get("deps"), p, c.req.valid("param").id), 200);
  });
