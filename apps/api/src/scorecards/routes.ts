import { Period, periodAt, PlanYearParam, ScorecardScheme } from "@minsheng/domain";
import { z } from "zod";
import { assertRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import type { Principal } from "../auth/principal.js";
import type { Deps } from "../lib/context.js";
import { fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { adjustmentsOf, listNotices } from "./data.js";
import { adjust, type Card, cardOf, issue, putScheme, recordInterview, schemeOf, warningsAt } from "./service.js";

/** 考评 (rule 8): the monthly unit scorecard of a region, its adjustments, issue, warnings and interviews. */

const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
const RegionQuery = z.object({ region: RegionCode });
const MonthQuery = z.object({ region: RegionCode, period: Period });
const YearQuery = z.object({ region: RegionCode, year: PlanYearParam });
const UnitParam = z.object({ unit: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be a unit id") });
const IdParam = z.object({ id: z.coerce.number().int().positive("must be an interview id") });

export const AdjustmentBody = z.object({
  region: RegionCode,
  period: Period,
  unit: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be a unit id"),
  points: z.number().min(-100).max(100).refine((v) => v !== 0, "must not be 0").refine((v) => Number.isInteger(v * 100), "at most 2 decimals"),
  reason: z.string().trim().min(2, "must give a reason (at least 2 characters)").max(500),
});
export const IssueBody = z.object({ region: RegionCode, period: Period });
export const InterviewBody = z.object({
  version: z.number().int().positive(),
  heldOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD").nullable(),
  people: z.string().trim().max(500),
  notes: z.string().trim().max(5000),
  commitments: z.string().trim().max(5000),
  followUp: z.string().trim().max(5000),
});

const Line = z.object({ rule: z.string(), label: z.string(), count: z.number().int(), points: z.number() });
const Item = z.object({ text: z.string(), link: z.string().nullable() });
const UnitCard = z.object({ unit: z.string(), name: z.string(), score: z.number(), rank: z.number().int(), lines: z.array(Line) });
const Warning = z.object({ unit: z.string(), months: z.array(z.string()) });
const Scorecard = z.object({
  period: z.string(),
  region: z.string(),
  issued: z.boolean(),
  issuedAt: z.string().nullable(),
  units: z.array(UnitCard),
  warnings: z.array(Warning),
});
const Notice = z.object({
  id: z.number().int(),
  region: z.string(),
  period: z.string(),
  unit: z.string(),
  unitName: z.string(),
  months: z.array(z.string()),
  state: z.string(),
  letterId: z.number().int().nullable(),
  createdAt: z.string(),
  interview: z.object({
    id: z.number().int(),
    heldOn: z.string().nullable(),
    people: z.string(),
    notes: z.string(),
    commitments: z.string(),
    followUp: z.string(),
    version: z.number().int(),
    updatedBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
  }),
});

const read = { tag: "scorecards", access: "scorecards.read", scope: "the region's subtree; a unit's reporter sees its own unit's card only" } as const;
const manage = { tag: "scorecards", access: "scorecards.manage", scope: "the region's subtree" } as const;
const examples = { region: "430500", period: "2024-09" };

export const getSchemeOp = defineOperation({
  ...read, method: "get", path: "/scheme", operationId: "getScorecardScheme",
  summary: ["考评方案", "The region's scoring scheme (DESIGN.md's default when none is set)"],
  query: RegionQuery, examples,
  success: { status: 200, description: "the scheme", schema: ScorecardScheme },
});

export const putSchemeOp = defineOperation({
  ...manage, method: "put", path: "/scheme", operationId: "putScorecardScheme",
  summary: ["设置考评方案", "Set the region's scoring scheme"],
  query: RegionQuery, examples, body: ScorecardScheme,
  success: { status: 200, description: "the scheme as stored", schema: ScorecardScheme },
});

export const getScorecardOp = defineOperation({
  ...read, method: "get", path: "/", operationId: "getScorecard",
  summary: ["月度考评", "The month's unit scorecard: scores, ranks, lines and warnings (frozen once issued)"],
  query: MonthQuery, examples,
  success: { status: 200, description: "the units registered at the region, ranked", schema: Scorecard },
});

export const getUnitCardOp = defineOperation({
  ...read, method: "get", path: "/units/{unit}", operationId: "getUnitScorecard",
  summary: ["单位考评明细", "One unit's card with the records behind each count"],
  params: UnitParam, query: MonthQuery, examples: { ...examples, unit: "edu" },
  success: {
    status: 200,
    description: "the unit's card",
    schema: z.object({ period: z.string(), region: z.string(), issued: z.boolean(), issuedAt: z.string().nullable(), asOf: z.string(), unit: UnitCard.extend({ lines: z.array(Line.extend({ items: z.array(Item) })) }) }),
  },
});

export const listAdjustmentsOp = defineOperation({
  ...read, method: "get", path: "/adjustments", operationId: "listScorecardAdjustments",
  summary: ["人工调整", "The month's manual adjustments"],
  query: MonthQuery, examples,
  success: {
    status: 200,
    description: "every adjustment with its reason",
    schema: z.object({ adjustments: z.array(z.object({ id: z.number().int(), unit: z.string(), points: z.number(), reason: z.string(), createdBy: z.string(), createdAt: z.string() })) }),
  },
});

export const addAdjustmentOp = defineOperation({
  ...manage, method: "post", path: "/adjustments", operationId: "addScorecardAdjustment",
  summary: ["人工调整加减分", "Add a manual adjustment (reason required, audited)"],
  body: AdjustmentBody, bodyExample: { region: "430500", period: "2024-09", unit: "edu", points: 2, reason: "省级表彰" },
  errors: [404, 409],
  success: { status: 201, description: "added", schema: z.object({ id: z.number().int() }) },
});

export const issueOp = defineOperation({
  ...manage, method: "post", path: "/issue", operationId: "issueScorecard",
  summary: ["印发月度考评", "Issue (freeze) the month; draft warning notices and interviews for units in the bottom group"],
  body: IssueBody, bodyExample: { region: "430500", period: "2024-09" },
  errors: [404, 409],
  success: {
    status: 201,
    description: "issued",
    schema: z.object({ period: z.string(), region: z.string(), issued: z.literal(true), issuedAt: z.string(), warnings: z.array(Warning), notices: z.array(z.number().int()) }),
  },
});

export const trendOp = defineOperation({
  ...read, method: "get", path: "/trend", operationId: "getScorecardTrend",
  summary: ["考评趋势", "Each unit's score and rank month by month in a year"],
  query: YearQuery, examples: { region: "430500", year: "2024" },
  success: {
    status: 200,
    description: "months of the year up to the current one",
    schema: z.object({
      region: z.string(),
      year: z.number().int(),
      months: z.array(z.object({ period: z.string(), issued: z.boolean(), units: z.array(z.object({ unit: z.string(), name: z.string(), score: z.number(), rank: z.number().int() })) })),
    }),
  },
});

export const listWarningsOp = defineOperation({
  ...read, method: "get", path: "/warnings", operationId: "listScorecardWarnings",
  summary: ["预警通知与约谈", "Warning notices and their interview records"],
  query: RegionQuery, examples,
  success: { status: 200, description: "newest month first", schema: z.object({ notices: z.array(Notice) }) },
});

export const updateInterviewOp = defineOperation({
  ...manage, method: "put", path: "/interviews/{id}", operationId: "updateInterview",
  summary: ["约谈记录", "Record the interview: date, people, notes, commitments, follow-up"],
  params: IdParam, body: InterviewBody,
  bodyExample: { version: 1, heldOn: "2024-10-15", people: "市专班、市教育局分管负责人", notes: "分析排名靠后原因", commitments: "10 月底前补齐佐证材料", followUp: "11 月通报整改情况" },
  errors: [409],
  success: { status: 200, description: "the notice with its interview", schema: Notice },
});

/** The region must exist and be in the caller's area. */
async function checkRegion(deps: Deps, p: Principal, region: string): Promise<void> {
  await deps.regions.ready();
  if (!deps.regions.get(region)) throw fail("SCORECARD_REGION_UNKNOWN", { region }).at("$.query.region");
  assertRegion(p, region, deps.regions);
}

/** A unit's reporter reads its own unit only. */
const visible = (p: Principal, unit: string) => p.unit === null || p.unit === unit;

const publicCard = (card: Card, issuedAt: string | null, warnings: { unit: string; months: string[] }[], p: Principal) => ({
  period: card.period,
  region: card.region,
  issued: issuedAt !== null,
  issuedAt,
  units: card.units.filter((u) => visible(p, u.unit)).map((u) => ({ unit: u.unit, name: u.name, score: u.score, rank: u.rank, lines: u.lines.map((l) => ({ rule: l.rule, label: l.label, count: l.count, points: l.points })) })),
  warnings: warnings.filter((w) => visible(p, w.unit)),
});

export const scorecardRoutes = router()
  .openapi(getSchemeOp, async (c) => {
    const p = requirePermission(c.get("principal"), "scorecards.read");
    const { region } = c.req.valid("query");
    const deps = c.get("deps");
    await checkRegion(deps, p, region);
    return c.json(await schemeOf(deps.db, region), 200);
  })
  .openapi(putSchemeOp, async (c) => {
    const p = requirePermission(c.get("principal"), "scorecards.manage");
    const { region } = c.req.valid("query");
    const scheme = c.req.valid("json");
    const deps = c.get("deps");
    await checkRegion(deps, p, region);
    await putScheme(deps.db, region, scheme, p.actor, deps.now());
    return c.json(scheme, 200);
  })
  .openapi(getScorecardOp, async (c) => {
    const p = requirePermission(c.get("principal"), "scorecards.read");
    const { region, period } = c.req.valid("query");
    const deps = c.get("deps");
    await checkRegion(deps, p, region);
    const { card, issued } = await cardOf(deps.db, deps, region, period);
    const warnings = await warningsAt(deps.db, region, period, card.scheme);
    return c.json(publicCard(card, issued?.at ?? null, warnings, p), 200);
  })
  .openapi(getUnitCardOp, async (c) => {
    const p = requirePermission(c.get("principal"), "scorecards.read");
    const { unit } = c.req.valid("param");
    const { region, period } = c.req.valid("query");
    const deps = c.get("deps");
    await checkRegion(deps, p, region);
    if (!visible(p, unit)) throw fail("SCORECARD_OTHER_UNIT", { unit: p.unit ?? "" });
    const { card, issued } = await cardOf(deps.db, deps, region, period);
    const line = card.units.find((u) => u.unit === unit);
    if (!line) throw fail("SCORECARD_UNIT_UNKNOWN", { unit, region }).at("$.params.unit");
    return c.json({ period, region, issued: issued !== null, issuedAt: issued?.at ?? null, asOf: card.asOf, unit: line }, 200);
  })
  .openapi(listAdjustmentsOp, async (c) => {
    const p = requirePermission(c.get("principal"), "scorecards.read");
    const { region, period } = c.req.valid("query");
    const deps = c.get("deps");
    await checkRegion(deps, p, region);
    const rows = await adjustmentsOf(deps.db, region, period);
    return c.json({ adjustments: rows.filter((a) => visible(p, a.unit)) }, 200);
  })
  .openapi(addAdjustmentOp, async (c) => {
    const p = requirePermission(c.get("principal"), "scorecards.manage");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    await deps.regions.ready();
    if (!deps.regions.get(body.region)) throw fail("SCORECARD_REGION_UNKNOWN", { region: body.region }).at("$.region");
    assertRegion(p, body.region, deps.regions);
    const id = await adjust(deps.db, body, p.actor, deps.now());
    return c.json({ id }, 201);
  })
  .openapi(issueOp, async (c) => {
    const p = requirePermission(c.get("principal"), "scorecards.manage");
    const { region, period } = c.req.valid("json");
    const deps = c.get("deps");
    await deps.regions.ready();
    if (!deps.regions.get(region)) throw fail("SCORECARD_REGION_UNKNOWN", { region }).at("$.region");
    assertRegion(p, region, deps.regions);
    const out = await issue(deps.db, deps, region, period, p.actor);
    return c.json({ period, region, issued: true as const, issuedAt: out.issuedAt, warnings: out.warnings, notices: out.notices }, 201);
  })
  .openapi(trendOp, async (c) => {
    const p = requirePermission(c.get("principal"), "scorecards.read");
    const { region, year } = c.req.valid("query");
    const deps = c.get("deps");
    await checkRegion(deps, p, region);
    const current = periodAt(deps.now().getTime());
    const months = [];
    for (let m = 1; m <= 12; m++) {
      const period = `${year}-${String(m).padStart(2, "0")}`;
      if (period > current) break;
      const { card, issued } = await cardOf(deps.db, deps, region, period);
      months.push({ period, issued: issued !== null, units: card.units.filter((u) => visible(p, u.unit)).map((u) => ({ unit: u.unit, name: u.name, score: u.score, rank: u.rank })) });
    }
    return c.json({ region, year, months }, 200);
  })
  .openapi(listWarningsOp, async (c) => {
    const p = requirePermission(c.get("principal"), "scorecards.read");
    const { region } = c.req.valid("query");
    const deps = c.get("deps");
    await checkRegion(deps, p, region);
    return c.json({ notices: await listNotices(deps.db, region, p.unit) }, 200);
  })
  .openapi(updateInterviewOp, async (c) => {
    const p = requirePermission(c.get("principal"), "scorecards.manage");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    await deps.regions.ready();
    const saved = await recordInterview(deps.db, deps.regions, p, id, body, deps.now());
    return c.json(saved, 200);
  });
