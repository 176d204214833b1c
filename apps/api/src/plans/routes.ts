import { DisclosureBand, Period, PlanLevel, Schedule, Status } from "@minsheng/domain";
import { z } from "zod";
import { requirePermission } from "../auth/middleware.js";
import { defineOperation, router } from "../lib/operation.js";
import { RegionCode } from "../lib/region-code.js";
import { planProgress, visiblePlans } from "./service.js";

/** Plans and their progress (rules 1-5, rule 6 from the sites' content): GET /plans, GET /plans/{planId}/progress. */

export const PlanParam = z.object({ planId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be a plan id") });
export const ProgressQuery = z.object({ period: Period, region: RegionCode });

const PlanSummary = z.object({
  id: z.string(),
  year: z.number().int(),
  level: PlanLevel,
  region: z.string(),
  title: z.string(),
  schedule: Schedule,
  items: z.number().int(),
  projects: z.number().int(),
});

const StatusCounts = z.object({ completed: z.number().int(), on_schedule: z.number().int(), behind: z.number().int() });

const DisclosureSources = z
  .object({ content: z.number().int(), record: z.number().int() })
  .describe("how many obligations were judged from the sites' content and how many from imported records (rule 6)");
const DisclosureScore = z.object({ region: z.string(), compliant: z.number().int(), total: z.number().int(), score: z.number(), band: DisclosureBand, sources: DisclosureSources });
const LaggingMention = z.object({
  project: z.string(),
  projectTitle: z.string(),
  indicator: z.string(),
  indicatorName: z.string(),
  region: z.string(),
  regionName: z.string(),
  rate: z.number(),
  due: z.number(),
});
const PlanSentence = z
  .object({
    plan: z.string(),
    planTitle: z.string(),
    levelLabel: z.string(),
    countBy: z.enum(["project", "indicator"]),
    total: z.number().int(),
    completed: z.number().int(),
    onSchedule: z.number().int(),
    behind: z.number().int(),
    behindNames: z.array(z.string()),
    laggingNamed: z.array(LaggingMention),
    lagging: z.array(LaggingMention).optional(),
    annexNo: z.number().int(),
    text: z.string(),
  })
  .describe("the bulletin's summary sentence of the plan at the region and month (the same function)");

const PlanProgress = z.object({
  period: z.string(),
  region: z.string(),
  plan: z.string().optional(),
  indicators: z.array(
    z.object({
      indicator: z.string(),
      project: z.string(),
      plan: z.string(),
      region: z.string(),
      period: z.string(),
      target: z.number(),
      actual: z.number(),
      rate: z.number().describe("actual ÷ target in percent, 2 decimals; over 100 is kept"),
      due: z.number().describe("序时进度: share of the target due by the period, percent"),
      status: Status,
      linked: z.boolean(),
    }),
  ),
  projects: z.array(
    z.object({
      project: z.string(),
      plan: z.string(),
      region: z.string(),
      period: z.string(),
      progress: z.number(),
      due: z.number(),
      status: Status,
      indicators: z.array(z.string()),
    }),
  ),
  counts: StatusCounts.describe("this plan's projects by status"),
  lagging: z.array(z.object({ indicator: z.string(), project: z.string(), region: z.string(), rate: z.number(), due: z.number() })),
  disclosure: z.array(DisclosureScore).describe("rule 6: the figures of GET /disclosure/compliance"),
  falls: z.array(
    z.object({ indicator: z.string(), region: z.string(), period: z.string(), previousPeriod: z.string(), previous: z.number(), value: z.number() }),
  ),
  summary: PlanSentence,
});

const plans = { tag: "plans", access: "plans.read" } as const;

export const listPlansOp = defineOperation({
  ...plans, method: "get", path: "/", operationId: "listPlans",
  summary: ["计划列表", "List plans"],
  scope: "plans issued within your area or above it",
  success: { status: 200, description: "plans, newest year first", schema: z.object({ plans: z.array(PlanSummary) }) },
});

export const planProgressOp = defineOperation({
  ...plans, method: "get", path: "/{planId}/progress", operationId: "planProgress",
  summary: ["计划进度", "Progress of a plan at a month and region (rules 1-5)"],
  scope: "`region` must lie within your area",
  description:
    "Indicators and projects with rate, due share (序时进度) and status; lagging indicator-regions (every region below under the schedule line, also of indicators behind as a whole); month-on-month falls; disclosure scores (rule 6, as GET /disclosure/compliance); `counts` holds this plan's completed / on_schedule / behind; `summary` the bulletin's sentence.",
  params: PlanParam, query: ProgressQuery, examples: { planId: "hn2024", period: "2024-09", region: "430500" },
  success: { status: 200, description: "the evaluation", schema: PlanProgress },
});

/** Mounted at /plans. */
export const planRoutes = router()
  .openapi(listPlansOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    return c.json({ plans: await visiblePlans(c.get("deps"), p) }, 200);
  })
  .openapi(planProgressOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    const { planId } = c.req.valid("param");
    const { period, region } = c.req.valid("query");
    return c.json(await planProgress(c.get("deps"), p, planId, period, region), 200);
  });
