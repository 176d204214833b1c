import { appendAudit, type Queryable } from "@minsheng/db";
import { type CongressLevel, countOverPresent, decideVote, type VoteChoice, type VoteCount, voteSessionProblems } from "@minsheng/domain";
import { assertRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import type { Deps } from "../lib/context.js";
import { fail } from "../lib/errors.js";
export type { ResultView };
import {
  addToTallies,
  candidatesForSession,
  countBallots,
  freezeSession,
  idTaken,
  insertBallot,
  insertItemWithProject,
  insertPlan,
  insertSession,
  linkProject,
  loadSession,
  loadTallies,
  nextNumbers,
  planOf,
  replaceTallies,
  type ResultView,
  type SessionRecord,
  setMethod,
  setSessionPlan,
} from "./data.js";

/**
 * 票决 (rule 13): a session of a people's congress votes on the adopted candidates; the counts come
 * from the tellers (paper ballots) or from the deputies' tablets, one ballot each, never both; the
 * result (validity, carried, elected, a runoff at a tie) is the domain's decideVote; publishing
 * freezes it; one click turns the elected candidates into items and projects of the year's plan.
 */

const methodLabel = { counts: "计票员录入票数", ballots: "代表逐人投票" } as const;

/** The result now: the frozen one once published, else rule 13 on the counts so far. */
export async function resultOf(db: Queryable, s: SessionRecord): Promise<ResultView> {
  if (s.result) return s.result;
  const tallies = new Map((await loadTallies(db, s.id)).map((t) => [t.candidate, t]));
  const counts: VoteCount[] = s.candidates.map((c) => tallies.get(String(c.id)) ?? { candidate: String(c.id), for: 0, against: 0, abstain: 0 });
  const r = decideVote(s, counts);
  return { valid: r.valid, elected: r.elected.map(Number), runoff: r.runoff.map(Number), candidates: r.candidates.map((c) => ({ ...c, id: Number(c.id) })) };
}

async function sessionInArea(deps: Deps, db: Queryable, p: Principal, id: number, lock = false): Promise<SessionRecord> {
  const s = await loadSession(db, id, lock);
  if (!s) throw fail("VOTE_NOT_FOUND", { id });
  assertRegion(p, s.region.code, await deps.regions.ready());
  return s;
}

export const readSession = (deps: Deps, p: Principal, id: number) => sessionInArea(deps, deps.db, p, id);

export interface NewSession {
  region: string;
  level: CongressLevel;
  date: string;
  entitled: number;
  present: number;
  seats: number;
  candidates: number[];
}

export async function createSession(deps: Deps, p: Principal, body: NewSession): Promise<number> {
  const regions = await deps.regions.ready();
  if (!regions.get(body.region)) throw fail("CANDIDATE_UNKNOWN_REGION", { region: body.region }).at("$.region");
  assertRegion(p, body.region, regions);
  for (const problem of voteSessionProblems(body, body.candidates.length)) {
    if (problem.kind === "present_over_entitled") throw fail("VOTE_PRESENT_OVER_ENTITLED", { present: body.present, entitled: body.entitled }).at(problem.path);
    throw fail("VOTE_TOO_FEW_CANDIDATES", { candidates: body.candidates.length, seats: body.seats }).at(problem.path);
  }
  const seen = new Set<number>();
  body.candidates.forEach((id, i) => {
    if (seen.has(id)) throw fail("VOTE_CANDIDATE_REPEATED", { id }).at(`$.candidates[${i}]`);
    seen.add(id);
  });
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const found = new Map((await candidatesForSession(tx, body.candidates)).map((c) => [c.id, c]));
    const year = found.get(body.candidates[0]!)?.year;
    body.candidates.forEach((id, i) => {
      const c = found.get(id);
      if (!c || c.state !== "adopted" || c.region !== body.region || c.year !== year) throw fail("VOTE_CANDIDATE_NOT_ADOPTED", { id }).at(`$.candidates[${i}]`);
    });
    const id = await insertSession(tx, { ...body, year: year!, by: p.actor, at: at.toISOString() });
    await appendAudit(tx, { actor: p.actor, action: "vote.create", entity: "vote_session", entityId: String(id), after: { ...body, year }, at });
    return id;
  });
}

/** Every candidate of the session exactly once, by its place in the list: the field at fault otherwise. */
function checkCovers(s: SessionRecord, ids: readonly number[], field: string): void {
  const want = new Set(s.candidates.map((c) => c.id));
  const seen = new Set<number>();
  ids.forEach((id, i) => {
    if (!want.has(id) || seen.has(id)) throw fail("VOTE_COUNTS_INCOMPLETE", { candidate: id }).at(`$.${field}[${i}].candidate`);
    seen.add(id);
  });
  const missing = s.candidates.find((c) => !seen.has(c.id));
  if (missing) throw fail("VOTE_COUNTS_INCOMPLETE", { candidate: missing.id }).at(`$.${field}`, `candidate ${missing.id} is missing`);
}

/** The tellers' counts (paper ballots): they replace any entered before, until the result is frozen. */
export async function tally(deps: Deps, p: Principal, id: number, counts: { candidate: number; for: number; against: number; abstain: number }[]): Promise<ResultView> {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const s = await sessionInArea(deps, tx, p, id, true);
    if (s.frozenAt) throw fail("VOTE_FROZEN");
    if (s.method === "ballots") throw fail("VOTE_METHOD_MIXED", { method: methodLabel.ballots });
    checkCovers(s, counts.map((c) => c.candidate), "counts");
    counts.forEach((c, i) => {
      if (countOverPresent(c, s.present)) throw fail("VOTE_COUNTS_OVER_PRESENT", { candidate: c.candidate, total: c.for + c.against + c.abstain, present: s.present }).at(`$.counts[${i}]`);
    });
    const before = await loadTallies(tx, id);
    await replaceTallies(tx, id, counts.map((c) => ({ ...c, candidate: String(c.candidate) })));
    await setMethod(tx, id, "counts");
    await appendAudit(tx, { actor: p.actor, action: "vote.tally", entity: "vote_session", entityId: String(id), before: before.length ? { counts: before } : null, after: { counts }, at });
    return resultOf(tx, { ...s, method: "counts" });
  });
}

/** A deputy's ballot on a tablet: once per deputy, no more ballots than deputies present; who voted is kept, never how. */
export async function castBallot(deps: Deps, p: Principal, id: number, choices: { candidate: number; choice: VoteChoice }[]): Promise<{ cast: number }> {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const s = await sessionInArea(deps, tx, p, id, true);
    if (s.frozenAt) throw fail("VOTE_FROZEN");
    if (s.method === "counts") throw fail("VOTE_METHOD_MIXED", { method: methodLabel.counts });
    checkCovers(s, choices.map((c) => c.candidate), "choices");
    const cast = await countBallots(tx, id);
    if (!(await insertBallot(tx, { session: id, deputy: p.userId, at: at.toISOString() }))) throw fail("VOTE_DEPUTY_VOTED");
    if (cast >= s.present) throw fail("VOTE_BALLOTS_FULL", { cast });
    await addToTallies(tx, id, choices);
    await setMethod(tx, id, "ballots");
    await appendAudit(tx, { actor: p.actor, action: "vote.ballot", entity: "vote_session", entityId: String(id), after: { deputy: p.username }, at });
    return { cast: cast + 1 };
  });
}

/** Publishes the result: frozen from now on (no more counts or ballots). */
export async function publish(deps: Deps, p: Principal, id: number): Promise<ResultView> {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const s = await sessionInArea(deps, tx, p, id, true);
    if (s.frozenAt) throw fail("VOTE_FROZEN");
    if (s.method === null) throw fail("VOTE_NOT_TALLIED");
    const result = await resultOf(tx, s);
    await freezeSession(tx, id, { result, by: p.actor, at: at.toISOString() });
    await appendAudit(tx, { actor: p.actor, action: "vote.publish", entity: "vote_session", entityId: String(id), after: { result }, at });
    return result;
  });
}

const PLAN_LEVEL: Record<string, "province" | "city" | "county" | undefined> = { province: "province", city: "city", county: "county", zone: "county" };

export interface PlanOutcome {
  plan: string;
  created: boolean;
  items: { candidate: number; item: string; project: string }[];
}

/**
 * 一键纳入计划: the elected candidates of a published session become items (实事) and projects of
 * the region's plan of that year, each with the lead unit found at screening; the plan is created
 * when the region has none. Once per session.
 */
export async function intoPlan(deps: Deps, p: Principal, id: number): Promise<PlanOutcome> {
  const at = deps.now();
  const regions = await deps.regions.ready();
  return deps.db.transaction(async (tx) => {
    const s = await sessionInArea(deps, tx, p, id, true);
    if (!s.frozenAt || !s.result) throw fail("VOTE_NOT_PUBLISHED");
    if (s.plan) throw fail("VOTE_ALREADY_IN_PLAN", { plan: s.plan });
    const result = s.result;
    const elected = result.elected.map((cid) => s.candidates.find((c) => c.id === cid)!);
    for (const c of elected) if (!c.leadUnit) throw fail("VOTE_NO_LEAD_UNIT", { candidate: c.id });
    const level = PLAN_LEVEL[regions.get(s.region.code)?.level ?? ""];
    if (!level) throw fail("VOTE_NO_PLAN_LEVEL", { region: s.region.name });
    let plan = (await planOf(tx, s.region.code, s.year))?.id;
    const created = plan === undefined;
    if (plan === undefined) {
      let candidateId = `${s.region.code}-${s.year}`;
      for (let n = 2; await idTaken(tx, "plans", candidateId); n++) candidateId = `${s.region.code}-${s.year}-${n}`;
      plan = candidateId;
      const record = { id: plan, year: s.year, level, region: s.region.code, title: `${s.year}年${s.region.name}民生实事` };
      await insertPlan(tx, record);
      await appendAudit(tx, { actor: p.actor, action: "plan.create", entity: "plan", entityId: plan, before: null, after: { ...record, schedule: "linear-monthly", from: `vote_session ${id}` }, at });
    }
    const next = await nextNumbers(tx, plan);
    const items: PlanOutcome["items"] = [];
    for (const [k, c] of elected.entries()) {
      const item = `${plan}-v${id}-${k + 1}`;
      const project = `${item}-p`;
      const row = { plan, itemId: item, itemNo: next.item + k, projectId: project, projectNo: next.project + k, title: c.title, leadUnit: c.leadUnit!.id };
      await insertItemWithProject(tx, row);
      await appendAudit(tx, { actor: p.actor, action: "item.create", entity: "item", entityId: item, before: null, after: { id: item, plan, no: row.itemNo, title: c.title, from: `candidate ${c.id}` }, at });
      await appendAudit(tx, { actor: p.actor, action: "project.create", entity: "project", entityId: project, before: null, after: { id: project, item, no: row.projectNo, title: c.title, leadUnit: row.leadUnit }, at });
      await linkProject(tx, id, c.id, project);
      items.push({ candidate: c.id, item, project });
    }
    await setSessionPlan(tx, id, plan);
    await appendAudit(tx, { actor: p.actor, action: "vote.plan", entity: "vote_session", entityId: String(id), after: { plan, created, items }, at });
    return { plan, created, items };
  });
}
