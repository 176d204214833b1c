import { CANDIDATE_SOURCES, CANDIDATE_STATES, candidateStateLabel, chinaDate, FEEDBACK_TEXT_MAX, FEEDBACK_TEXT_MIN, PlanYear, PlanYearParam } from "@minsheng/domain";
import { z } from "zod";
import { mayAccessRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { fail } from "../lib/errors.js";
import { NO_STORE } from "../lib/http-cache.js";
import { defineOperation, router } from "../lib/operation.js";
import { clientKey, enforceRate, publicRateRules } from "../lib/rate-limit.js";
import { limiterOf, secretsOf } from "../sites/service.js";
import { candidateByTicket, listCandidates } from "./data.js";
import { merge, moderate, propose, proposePublic, screen } from "./service.js";

/** 征集 → 初选 (rule 13): next year's project proposals and their screening; citizens propose on 码上通. */

const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
export const CandidateIdParam = z.object({ id: z.coerce.number().int().positive("must be a candidate id") });
export const TicketParam = z.object({ ticket: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{12}$/, "must be a ticket number: 12 characters of 0-9 and A-Z") });

export const NewCandidate = z.object({
  year: PlanYear,
  region: RegionCode,
  title: z.string().trim().min(2, "must be at least 2 characters").max(200),
  description: z.string().trim().max(5000).default(""),
  source: z.enum(CANDIDATE_SOURCES),
});
/** What a citizen sends from 码上通: the same text limits as a suggestion (feedback-rules.ts). */
export const PublicProposal = z.object({
  region: RegionCode,
  title: z.string().trim().min(2, "must be at least 2 characters").max(200),
  description: z.string().trim().min(FEEDBACK_TEXT_MIN, `must be at least ${FEEDBACK_TEXT_MIN} characters`).max(FEEDBACK_TEXT_MAX),
  /** the plan year proposed for; next year by default */
  year: PlanYear.optional(),
});
export const CandidateListQuery = z.object({
  region: RegionCode.describe("candidates of this region and below"),
  year: PlanYearParam.optional(),
  state: z.enum(CANDIDATE_STATES).optional(),
});
export const ModerateBody = z.object({ decision: z.enum(["approve", "reject"]), reason: z.string().trim().min(1).max(500).optional() });
export const ScreenBody = z.object({
  decision: z.enum(["adopt", "decline"]),
  reason: z.string().trim().max(2000).optional(),
  /** feasibility: estimated cost in 万元, the funding, the lead unit */
  cost: z.number().nonnegative().max(1e9).optional(),
  funding: z.string().trim().max(500).optional(),
  leadUnit: z.string().min(1).max(64).optional(),
});
export const MergeBody = z.object({ into: z.number().int().positive("must be a candidate id") });

const Timestamp = z.string().describe("ISO 8601 date-time");
const Source = z.enum(CANDIDATE_SOURCES);
const State = z.enum(CANDIDATE_STATES);
export const CandidateView = z.object({
  id: z.number().int(),
  year: z.number().int(),
  region: z.object({ code: z.string(), name: z.string() }),
  title: z.string(),
  description: z.string(),
  source: Source,
  sourceLabel: z.string(),
  state: State,
  stateLabel: z.string(),
  ticket: z.string().nullable(),
  mergedInto: z.number().int().nullable(),
  proposedBy: z.string(),
  proposedAt: Timestamp,
  rejectReason: z.string().nullable(),
  screening: z
    .object({
      decision: z.enum(["adopt", "decline"]),
      reason: z.string().nullable(),
      cost: z.number().nullable(),
      funding: z.string().nullable(),
      leadUnit: z.object({ id: z.string(), name: z.string() }).nullable(),
      screenedBy: z.string(),
      screenedAt: Timestamp,
    })
    .nullable(),
  version: z.number().int(),
});

const congress = { tag: "congress" } as const;

export const listCandidatesOp = defineOperation({
  ...congress, access: "congress.read", method: "get", path: "/", operationId: "listCandidates",
  summary: ["候选项目列表", "List proposals and candidates of a region (征集, 初选)"],
  scope: "the region must lie within your area",
  query: CandidateListQuery, examples: { region: "430500", year: "2025" },
  success: { status: 200, description: "the proposals, screened or not", schema: z.object({ candidates: z.array(CandidateView) }) },
});

export const createCandidateOp = defineOperation({
  ...congress, access: "congress.propose", method: "post", path: "/", operationId: "createCandidate",
  summary: ["提出项目建议", "Propose a project for next year's plan (department, deputy, or a citizen's collected offline)"],
  description: "A unit's reporter proposes as `department`, an observer who is a deputy as `deputy`; the task force enters any source.",
  scope: "the region must lie within your area",
  body: NewCandidate, bodyExample: { year: 2025, region: "430500", title: "城区老旧供水管网改造", description: "双清区、大祥区老城区供水管网约 30 公里", source: "department" },
  success: { status: 201, description: "proposed", schema: z.object({ id: z.number().int() }) },
});

export const moderateCandidateOp = defineOperation({
  ...congress, access: "congress.manage", method: "post", path: "/{id}/moderate", operationId: "moderateCandidate",
  summary: ["审核群众建议", "Moderate a citizen's proposal: open it for screening, or reject it (spam) with a reason"],
  scope: "the proposal's region must lie within your area",
  params: CandidateIdParam, body: ModerateBody, bodyExample: { decision: "approve" },
  success: { status: 200, description: "the proposal now", schema: CandidateView }, errors: [409],
});

export const screenCandidateOp = defineOperation({
  ...congress, access: "congress.manage", method: "post", path: "/{id}/screen", operationId: "screenCandidate",
  summary: ["初选", "Screen a proposal: feasibility, adopted as a candidate or declined with a reason"],
  scope: "the proposal's region must lie within your area",
  params: CandidateIdParam, body: ScreenBody, bodyExample: { decision: "adopt", cost: 1200, funding: "市级财政", leadUnit: "edu" },
  success: { status: 200, description: "the proposal now", schema: CandidateView }, errors: [409],
});

export const mergeCandidateOp = defineOperation({
  ...congress, access: "congress.manage", method: "post", path: "/{id}/merge", operationId: "mergeCandidate",
  summary: ["合并重复建议", "Merge a duplicate proposal into another of the same year and region"],
  scope: "both proposals' region must lie within your area",
  params: CandidateIdParam, body: MergeBody, bodyExample: { into: 1 },
  success: { status: 200, description: "the merged proposal", schema: CandidateView }, errors: [409],
});

export const candidateRoutes = router()
  .openapi(listCandidatesOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.read");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const regions = await deps.regions.ready();
    if (!mayAccessRegion(p, q.region, regions)) throw fail("REGION_OUTSIDE_AREA", { region: q.region }).at("$.query.region");
    return c.json({ candidates: await listCandidates(deps.db, { regions: regions.subtree(q.region), year: q.year, state: q.state }) }, 200);
  })
  .openapi(createCandidateOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.propose");
    return c.json({ id: await propose(c.get("deps"), p, c.req.valid("json")) }, 201);
  })
  .openapi(moderateCandidateOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.manage");
    return c.json(await moderate(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json")), 200);
  })
  .openapi(screenCandidateOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.manage");
    return c.json(await screen(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json")), 200);
  })
  .openapi(mergeCandidateOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.manage");
    return c.json(await merge(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json").into), 200);
  });

// ---------------------------------------------------------------------------------------------
// 码上通: a citizen proposes next year's project and follows it with a ticket.

const TicketView = z.object({
  ticket: z.string(),
  year: z.number().int(),
  region: z.string().describe("the region's name"),
  title: z.string(),
  description: z.string(),
  state: State,
  stateLabel: z.string(),
  /** why it was declined at screening (or not accepted in moderation): for the proposer to read */
  reason: z.string().nullable(),
  receivedOn: z.string(),
});

export const proposeProjectOp = defineOperation({
  ...congress, access: "public", method: "post", path: "/", operationId: "proposeProject",
  summary: ["群众提出民生实事项目建议", "A citizen proposes a project for next year's plan (moderated like suggestions; answers a ticket)"],
  body: PublicProposal, bodyExample: { region: "430523", title: "河伯乡集镇自来水管网延伸", description: "河伯乡集镇以东三个村组尚未通自来水，希望延伸管网" },
  success: {
    status: 201,
    description: "received: the ticket to follow it",
    schema: z.object({ ticket: z.string(), state: z.enum(["pending", "proposed"]), stateLabel: z.string(), year: z.number().int(), receivedOn: z.string(), lookup: z.string() }),
  },
  errors: [409, 429],
});

export const proposalTicketOp = defineOperation({
  ...congress, access: "public", method: "get", path: "/tickets/{ticket}", operationId: "proposalTicket",
  summary: ["查询项目建议", "A proposal's state by its ticket: screened, adopted, declined with the reason (never cached)"],
  params: TicketParam,
  success: { status: 200, description: "the proposal", schema: TicketView },
  errors: [429],
});

export const publicProposalRoutes = router()
  .openapi(proposeProjectOp, async (c) => {
    const deps = c.get("deps");
    const who = secretsOf(deps).clientDigest(clientKey(c, deps.config.trustProxy));
    // the suggestions' bucket: proposing is one more way to write, not a second allowance
    await enforceRate(c, limiterOf(deps), publicRateRules.feedback, who);
    const body = c.req.valid("json");
    const year = body.year ?? Number(chinaDate(deps.now().getTime()).slice(0, 4)) + 1;
    const r = await proposePublic(deps, who, { ...body, year, description: body.description });
    c.header("Cache-Control", NO_STORE);
    return c.json({ ticket: r.ticket, state: r.state, stateLabel: candidateStateLabel[r.state], year, receivedOn: chinaDate(r.at.getTime()), lookup: `/api/v1/public/proposals/tickets/${r.ticket}` }, 201);
  })
  .openapi(proposalTicketOp, async (c) => {
    const deps = c.get("deps");
    await enforceRate(c, limiterOf(deps), publicRateRules.ticket, secretsOf(deps).clientDigest(clientKey(c, deps.config.trustProxy)));
    const { ticket } = c.req.valid("param");
    const found = await candidateByTicket(deps.db, ticket);
    c.header("Cache-Control", NO_STORE);
    if (!found) throw fail("CANDIDATE_TICKET_NOT_FOUND", { ticket });
    return c.json(
      {
        ticket,
        year: found.year,
        region: found.region.name,
        title: found.title,
        description: found.description,
        state: found.state,
        stateLabel: found.stateLabel,
        reason: found.state === "declined" ? (found.screening?.reason ?? null) : found.state === "rejected" ? found.rejectReason : null,
        receivedOn: chinaDate(new Date(found.proposedAt).getTime()),
      },
      200,
    );
  });
