import { PlanYearParam } from "@minsheng/domain";
import { z } from "zod";
import { mayAccessRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { followedProjects } from "./data.js";
import { answerFollowup, askFollowup } from "./service.js";

/** 项目的进度由代表督: deputies follow the voted projects through the year, ask the lead unit, and read its answers. */

const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
const Text = z.string().trim().min(2, "must be at least 2 characters").max(5000);
export const FollowupQuery = z.object({ region: RegionCode, year: PlanYearParam.optional() });
export const FollowupQuestionBody = z.object({ project: z.string().min(1).max(64), question: Text });
export const FollowupAnswerBody = z.object({ answer: Text });
export const FollowupIdParam = z.object({ id: z.coerce.number().int().positive("must be a question id") });

const QuestionView = z.object({
  id: z.number().int(),
  question: z.string(),
  askedBy: z.string(),
  askedAt: z.string(),
  answer: z.string().nullable(),
  answeredBy: z.string().nullable(),
  answeredAt: z.string().nullable(),
});
export const FollowedProjectView = z.object({
  project: z.string(),
  title: z.string(),
  year: z.number().int(),
  region: z.object({ code: z.string(), name: z.string() }),
  leadUnit: z.object({ id: z.string(), name: z.string() }),
  vote: z.number().int().describe("the vote session that elected it"),
  plan: z.string().nullable(),
  questions: z.array(QuestionView),
});

const congress = { tag: "congress" } as const;

export const listFollowupsOp = defineOperation({
  ...congress, access: "congress.read", method: "get", path: "/", operationId: "listFollowups",
  summary: ["代表跟踪票决项目", "The voted projects of a region's congress with deputies' questions and the units' answers (a unit's reporter: its own projects)"],
  scope: "the region must lie within your area",
  query: FollowupQuery, examples: { region: "430500", year: "2025" },
  success: { status: 200, description: "the voted projects", schema: z.object({ projects: z.array(FollowedProjectView) }) },
});
export const askFollowupOp = defineOperation({
  ...congress, access: "congress.ask", method: "post", path: "/", operationId: "askFollowup",
  summary: ["代表提问", "A deputy's question to the lead unit of a voted project, through the year"],
  scope: "the congress's region must lie within your area",
  body: FollowupQuestionBody, bodyExample: { project: "430500-2025-v1-1-p", question: "施工进度为何滞后于序时？" },
  success: { status: 201, description: "asked", schema: z.object({ id: z.number().int() }) },
});
export const answerFollowupOp = defineOperation({
  ...congress, access: "congress.answer", method: "post", path: "/{id}/answer", operationId: "answerFollowup",
  summary: ["单位答复", "The lead unit answers a deputy's question (once)"],
  scope: "the congress's region must lie within your area (a unit's reporter: projects its unit leads)",
  params: FollowupIdParam, body: FollowupAnswerBody, bodyExample: { answer: "受雨季影响，已增加施工班组，预计下月追上序时" },
  success: { status: 200, description: "answered", schema: QuestionView }, errors: [409],
});

export const followupRoutes = router()
  .openapi(listFollowupsOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.read");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const regions = await deps.regions.ready();
    if (!mayAccessRegion(p, q.region, regions)) throw fail("REGION_OUTSIDE_AREA", { region: q.region }).at("$.query.region");
    return c.json({ projects: await followedProjects(deps.db, { regions: regions.subtree(q.region), year: q.year, unit: p.unit }) }, 200);
  })
  .openapi(askFollowupOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.ask");
    return c.json({ id: await askFollowup(c.get("deps"), p, c.req.valid("json")) }, 201);
  })
  .openapi(answerFollowupOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.answer");
    return c.json(await answerFollowup(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json").answer), 200);
  });
