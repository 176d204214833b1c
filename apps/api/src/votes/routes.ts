import { CONGRESS_LEVELS, congressLevelLabel, PlanYearParam, type SatisfactionBallotResult, VoteChoice } from "@minsheng/domain";
import { z } from "zod";
import { mayAccessRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { citizenRatings, listSurveys } from "../satisfaction/data.js";
import { listSessions, type SessionRecord } from "./data.js";
import { castBallot, createSession, intoPlan, publish, readSession, resultOf, tally } from "./service.js";

/** 票决 (rule 13): a congress session's vote on the candidates, its result, and the elected into next year's plan. */

const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
const Day = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "must be a date YYYY-MM-DD");
const Deputies = z.number().int().min(1).max(100_000);
const Count = z.number().int().min(0).max(100_000);
const CandidateId = z.number().int().positive("must be a candidate id");
export const VoteIdParam = z.object({ id: z.coerce.number().int().positive("must be a vote session id") });

export const NewVote = z.object({
  region: RegionCode,
  level: z.enum(CONGRESS_LEVELS),
  date: Day,
  entitled: Deputies.describe("deputies entitled to vote (应到)"),
  present: z.number().int().min(0).max(100_000).describe("deputies present (实到)"),
  seats: z.number().int().min(1).max(1000).describe("projects to elect (应选)"),
  candidates: z.array(CandidateId).min(1).max(1000),
});
export const TallyBody = z.object({
  counts: z.array(z.object({ candidate: CandidateId, for: Count, against: Count, abstain: Count })).min(1).max(1000),
});
export const BallotBody = z.object({ choices: z.array(z.object({ candidate: CandidateId, choice: VoteChoice })).min(1).max(1000) });
export const VoteListQuery = z.object({ region: RegionCode, year: PlanYearParam.optional() });

export const VoteResultView = z.object({
  valid: z.boolean().describe("deputies present ≥ 2/3 of those entitled"),
  elected: z.array(z.number().int()),
  runoff: z.array(z.number().int()).describe("tied at the last seat: not decided by the system"),
  candidates: z.array(z.object({ id: z.number().int(), for: z.number().int(), against: z.number().int(), abstain: z.number().int(), carried: z.boolean() })),
});
export const VoteSessionView = z.object({
  id: z.number().int(),
  year: z.number().int(),
  region: z.object({ code: z.string(), name: z.string() }),
  level: z.enum(CONGRESS_LEVELS),
  date: z.string(),
  entitled: z.number().int(),
  present: z.number().int(),
  seats: z.number().int(),
  method: z.enum(["counts", "ballots"]).nullable(),
  frozenAt: z.string().nullable(),
  frozenBy: z.string().nullable(),
  plan: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  candidates: z.array(z.object({ id: z.number().int(), position: z.number().int(), title: z.string(), leadUnit: z.object({ id: z.string(), name: z.string() }).nullable(), project: z.string().nullable() })),
  result: VoteResultView,
});

const congress = { tag: "congress" } as const;
const scope = "the session's region must lie within your area";

export const listVotesOp = defineOperation({
  ...congress, access: "congress.read", method: "get", path: "/", operationId: "listVotes",
  summary: ["票决列表", "The vote sessions of a region (and below), with their results"],
  scope: "the region must lie within your area",
  query: VoteListQuery, examples: { region: "430500", year: "2025" },
  success: { status: 200, description: "sessions, newest first", schema: z.object({ votes: z.array(VoteSessionView) }) },
});
export const createVoteOp = defineOperation({
  ...congress, access: "congress.manage", method: "post", path: "/", operationId: "createVote",
  summary: ["发起票决", "Open a vote session at a congress on adopted candidates (more candidates than seats)"],
  scope: "the region must lie within your area; the candidates adopted ones of that region and one year",
  body: NewVote, bodyExample: { region: "430500", level: "city", date: "2025-01-10", entitled: 300, present: 280, seats: 5, candidates: [1, 2, 3, 4, 5, 6] },
  success: { status: 201, description: "opened", schema: z.object({ id: z.number().int() }) },
});
export const getVoteOp = defineOperation({
  ...congress, access: "congress.read", method: "get", path: "/{id}", operationId: "getVote",
  summary: ["票决详情", "A vote session with its candidates and result so far"],
  scope, params: VoteIdParam,
  success: { status: 200, description: "the session", schema: VoteSessionView },
});
export const tallyVoteOp = defineOperation({
  ...congress, access: "congress.manage", method: "post", path: "/{id}/tally", operationId: "tallyVote",
  summary: ["录入票数", "The tellers' counts per candidate (paper ballots), replacing those entered before until published"],
  scope, params: VoteIdParam, body: TallyBody, bodyExample: { counts: [{ candidate: 1, for: 200, against: 50, abstain: 30 }] },
  success: { status: 200, description: "the result on these counts", schema: VoteResultView }, errors: [409],
});
export const castVoteOp = defineOperation({
  ...congress, access: "congress.vote", method: "post", path: "/{id}/ballots", operationId: "castVote",
  summary: ["代表投票", "A deputy's ballot on a tablet: a choice on every candidate, once (who voted is kept, never how)"],
  scope, params: VoteIdParam, body: BallotBody, bodyExample: { choices: [{ candidate: 1, choice: "for" }] },
  success: { status: 201, description: "counted", schema: z.object({ cast: z.number().int().describe("ballots cast so far") }) }, errors: [409],
});
export const voteResultOp = defineOperation({
  ...congress, access: "congress.read", method: "get", path: "/{id}/result", operationId: "voteResult",
  summary: ["票决结果", "Rule 13 on the session: valid, elected, a runoff at a tie for the last seat, and per candidate the counts and whether it carried"],
  scope, params: VoteIdParam,
  success: { status: 200, description: "the result (the frozen one once published)", schema: VoteResultView },
});
export const publishVoteOp = defineOperation({
  ...congress, access: "congress.manage", method: "post", path: "/{id}/publish", operationId: "publishVote",
  summary: ["公布票决结果", "Publish the result on 码上通 and freeze it (audited)"],
  scope, params: VoteIdParam,
  success: { status: 200, description: "the frozen result", schema: VoteResultView }, errors: [409],
});
export const voteIntoPlanOp = defineOperation({
  ...congress, access: "congress.manage", method: "post", path: "/{id}/plan", operationId: "voteIntoPlan",
  summary: ["一键纳入计划", "Turn the elected candidates into items and projects of the region's plan of the year (created if needed), with their lead units"],
  scope, params: VoteIdParam,
  success: {
    status: 200,
    description: "the plan and what was added",
    schema: z.object({ plan: z.string(), created: z.boolean(), items: z.array(z.object({ candidate: z.number().int(), item: z.string(), project: z.string() })) }),
  },
  errors: [409],
});

const sessionView = async (db: Parameters<typeof resultOf>[0], s: SessionRecord) => ({ ...s, result: await resultOf(db, s) });

export const voteRoutes = router()
  .openapi(listVotesOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.read");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const regions = await deps.regions.ready();
    if (!mayAccessRegion(p, q.region, regions)) throw fail("REGION_OUTSIDE_AREA", { region: q.region }).at("$.query.region");
    const sessions = await listSessions(deps.db, { regions: regions.subtree(q.region), year: q.year });
    return c.json({ votes: await Promise.all(sessions.map((s) => sessionView(deps.db, s))) }, 200);
  })
  .openapi(createVoteOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.manage");
    return c.json({ id: await createSession(c.get("deps"), p, c.req.valid("json")) }, 201);
  })
  .openapi(getVoteOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.read");
    const deps = c.get("deps");
    return c.json(await sessionView(deps.db, await readSession(deps, p, c.req.valid("param").id)), 200);
  })
  .openapi(tallyVoteOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.manage");
    return c.json(await tally(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json").counts), 200);
  })
  .openapi(castVoteOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.vote");
    return c.json(await castBallot(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json").choices), 201);
  })
  .openapi(voteResultOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.read");
    const deps = c.get("deps");
    return c.json(await resultOf(deps.db, await readSession(deps, p, c.req.valid("param").id)), 200);
  })
  .openapi(publishVoteOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.manage");
    return c.json(await publish(c.get("deps"), p, c.req.valid("param").id), 200);
  })
  .openapi(voteIntoPlanOp, async (c) => {
    const p = requirePermission(c.get("principal"), "congress.manage");
    return c.json(await intoPlan(c.get("deps"), p, c.req.valid("param").id), 200);
  });

// ---------------------------------------------------------------------------------------------
// 码上通: the year's voted projects of a region, their vote results and satisfaction (citizens' ratings apart).

export const CongressYearQuery = z.object({ region: RegionCode, year: PlanYearParam });

const Summary = z.object({
  satisfied: z.number().int(),
  basically_satisfied: z.number().int(),
  dissatisfied: z.number().int(),
  total: z.number().int(),
  satisfactionRate: z.number().nullable(),
});
export const CongressYearView = z.object({
  region: z.object({ code: z.string(), name: z.string() }),
  year: z.number().int(),
  votes: z.array(
    z.object({
      id: z.number().int(),
      date: z.string(),
      level: z.enum(CONGRESS_LEVELS),
      levelLabel: z.string(),
      entitled: z.number().int(),
      present: z.number().int(),
      seats: z.number().int(),
      valid: z.boolean(),
      candidates: z.array(
        z.object({ id: z.number().int(), title: z.string(), for: z.number().int(), against: z.number().int(), abstain: z.number().int(), carried: z.boolean(), elected: z.boolean(), runoff: z.boolean() }),
      ),
    }),
  ),
  projects: z.array(
    z.object({
      project: z.string(),
      title: z.string(),
      vote: z.number().int().describe("the session that elected it"),
      /** the deputies' ballot (rule 14), published ones only */
      deputies: Summary.extend({ flagged: z.boolean(), date: z.string() }).nullable(),
      /** citizens' own ratings on 码上通: apart, never mixed into the deputies' */
      citizens: Summary,
    }),
  ),
});

export const congressYearOp = defineOperation({
  ...congress, access: "public", method: "get", path: "/", operationId: "publicCongressYear",
  summary: ["票决项目公开", "The year's voted projects of a region: published vote results, the deputies' satisfaction and, apart, citizens' ratings"],
  query: CongressYearQuery, examples: { region: "430500", year: "2025" },
  success: { status: 200, description: "published results only", schema: CongressYearView },
});

export const publicCongressRoutes = router().openapi(congressYearOp, async (c) => {
  const deps = c.get("deps");
  const q = c.req.valid("query");
  const regions = await deps.regions.ready();
  const region = regions.get(q.region);
  if (!region) throw fail("CANDIDATE_UNKNOWN_REGION", { region: q.region }).at("$.query.region");
  const sessions = await listSessions(deps.db, { regions: [q.region], year: q.year, frozenOnly: true });
  const votes = sessions.map((s) => {
    const r = s.result!;
    return {
      id: s.id,
      date: s.date,
      level: s.level,
      levelLabel: congressLevelLabel[s.level],
      entitled: s.entitled,
      present: s.present,
      seats: s.seats,
      valid: r.valid,
      candidates: r.candidates.map((x) => ({ ...x, title: s.candidates.find((k) => k.id === x.id)?.title ?? "", elected: r.elected.includes(x.id), runoff: r.runoff.includes(x.id) })),
    };
  });
  const voted = sessions.flatMap((s) => s.candidates.filter((k) => k.project !== null).map((k) => ({ project: k.project!, title: k.title, vote: s.id })));
  const surveys = await listSurveys(deps.db, { regions: regions.subtree(q.region), year: q.year, frozenOnly: true });
  const citizens = await citizenRatings(deps.db, voted.map((v) => v.project));
  const latest = (project: string): (SatisfactionBallotResult & { date: string }) | null => {
    for (const s of surveys) {
      const found = s.projects.find((x) => x.project === project);
      if (found) return { satisfied: found.satisfied, basically_satisfied: found.basically_satisfied, dissatisfied: found.dissatisfied, total: found.total, satisfactionRate: found.satisfactionRate, flagged: found.flagged, date: s.date };
    }
    return null;
  };
  c.header("Cache-Control", "public, max-age=60");
  return c.json(
    { region: { code: region.code, name: region.name }, year: q.year, votes, projects: voted.map((v) => ({ ...v, deputies: latest(v.project), citizens: citizens.get(v.project)! })) },
    200,
  );
});
