import { LOOKBACK_CONCLUSIONS, PlanYearParam } from "@minsheng/domain";
import { z } from "zod";
import { mayAccessRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { listLookbacks } from "./data.js";
import { answer, ask, conclude, openLookback } from "./service.js";

/** 回头看 (rule 15): last year's projects, the unit's effect assessment, deputies' questions and answers, the conclusion. */

const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
const Text = z.string().trim().min(2, "must be at least 2 characters").max(5000);
export const LookbackIdParam = z.object({ id: z.coerce.number().int().positive("must be a look-back id") });
export const QuestionIdParam = z.object({ id: z.coerce.number().int().positive("must be a question id") });
export const NewLookback = z.object({ project: z.string().min(1).max(64), assessment: Text.describe("the lead unit's effect assessment (成效评估)") });
export const QuestionBody = z.object({ question: Text });
export const AnswerBody = z.object({ answer: Text });
export const ConcludeBody = z.object({ conclusion: z.enum(LOOKBACK_CONCLUSIONS), followUp: z.string().trim().max(5000).optional().describe("required for not_met (未达到)") });
export const LookbackListQuery = z.object({ region: RegionCode, year: PlanYearParam.optional().describe("the projects' plan year (last year's)") });

export const LookbackView = z.object({
  id: z.number().int(),
  project: z.object({
    id: z.string(),
    title: z.string(),
    plan: z.string(),
    year: z.number().int(),
    region: z.object({ code: z.string(), name: z.string() }),
    leadUnit: z.object({ id: z.string(), name: z.string() }),
  }),
  assessment: z.string(),
  conclusion: z.enum(LOOKBACK_CONCLUSIONS).nullable(),
  conclusionLabel: z.string().nullable(),
  followUp: z.string().nullable(),
  concludedBy: z.string().nullable(),
  concludedAt: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  questions: z.array(
    z.object({ id: z.number().int(), question: z.string(), askedBy: z.string(), askedAt: z.string(), answer: z.string().nullable(), answeredBy: z.string().nullable(), answeredAt: z.string().nullable() }),
  ),
});

const congress = { tag: "congress" } as const;
const scope = "the project's region must lie within your area (a unit's reporter: projects its unit leads)";

export const listLookbacksOp = defineOperation({
  ...congress, access: "congress.read", method: "get", path: "/", operationId: "listLookbacks",
  summary: ["回头看列表", "The look-back of a region's projects, and those 未达到 with their follow-up"],
  scope: "the region must lie within your area",
  query: LookbackListQuery, examples: { region: "430500", year: "2024" },
  success: { status: 200, description: "records, and the unmet ones apart", schema: z.object({ lookbacks: z.array(LookbackView), unmet: z.array(LookbackView) }) },
});
export const createLookbackOp = defineOperation({
  ...congress, access: "congress.answer", method: "post", path: "/", operationId: "createLookback",
  summary: ["提交成效评估", "Open the look-back of a project with the lead unit's effect assessment (one per project)"],
  scope, body: NewLookback, bodyExample: { project: "sy2024-p01", assessment: "全年新增托位 600 个，入托率提高 8 个百分点" },
  success: { status: 201, description: "opened", schema: z.object({ id: z.number().int() }) }, errors: [409],
});
export const askLookbackOp = defineOperation({
  ...congress, access: "congress.ask", method: "post", path: "/{id}/questions", operationId: "askLookback",
  summary: ["代表提问", "A deputy's question to the lead unit"],
  scope: "the project's region must lie within your area", params: LookbackIdParam, body: QuestionBody, bodyExample: { question: "新增托位的实际入托率是多少？" },
  success: { status: 201, description: "asked", schema: z.object({ id: z.number().int() }) }, errors: [409],
});
export const answerLookbackOp = defineOperation({
  ...congress, access: "congress.answer", method: "post", path: "/questions/{id}/answer", operationId: "answerLookback",
  summary: ["单位答复", "The lead unit answers a deputy's question"],
  scope, params: QuestionIdParam, body: AnswerBody, bodyExample: { answer: "实际入托率为 72%，较上年提高 8 个百分点" },
  success: { status: 200, description: "the record now", schema: LookbackView }, errors: [409],
});
export const concludeLookbackOp = defineOperation({
  ...congress, access: "congress.manage", method: "post", path: "/{id}/conclude", operationId: "concludeLookback",
  summary: ["回头看结论", "Conclude: 达到预期 / 基本达到 / 未达到 (with the follow-up)"],
  scope: "the project's region must lie within your area", params: LookbackIdParam, body: ConcludeBody, bodyExample: { conclusion: "not_met", followUp: "2025 年 6 月底前完成剩余 120 个托位建设" },
  success: { status: 200, description: "concluded", schema: LookbackView }, errors: [409],
});

export const lookbackRoutes = router()
  .openapi(listLookbacksOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.read");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const regions = await deps.regions.ready();
    if (!mayAccessRegion(p, q.region, regions)) throw fail("REGION_OUTSIDE_AREA", { region: q.region }).at("$.query.region");
    const lookbacks = await listLookbacks(deps.db, { regions: regions.subtree(q.region), year: q.year, unit: p.unit });
    return c.json({ lookbacks, unmet: lookbacks.filter((l) => l.conclusion === "not_met") }, 200);
  })
  .openapi(createLookbackOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.answer");
    return c.json({ id: await openLookback(c.get("deps"), p, c.req.valid("json")) }, 201);
  })
  .openapi(askLookbackOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.ask");
    return c.json({ id: await ask(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json").question) }, 201);
  })
  .openapi(answerLookbackOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.answer");
    return c.json(await answer(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json").answer), 200);
  })
  .openapi(concludeLookbackOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.manage");
    return c.json(await conclude(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json")), 200);
  });
