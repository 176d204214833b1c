import { appendAudit, type Queryable } from "@minsheng/db";
import { cleanTypedText } from "@minsheng/domain";
import type { CandidateSource } from "@minsheng/domain";
import { assertRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import type { Deps } from "../lib/context.js";
import { fail } from "../lib/errors.js";
import { newTicket, normalisedTextDigest } from "../lib/secrets.js";
import {
  type CandidateRecord,
  insertCandidate,
  insertScreening,
  loadCandidate,
  recentSameText,
  setMerged,
  setModerated,
  ticketTaken,
  unitRegion,
} from "./data.js";

/**
 * 征集 and 初选 (rule 13): proposals from citizens (码上通, moderated like suggestions, with a ticket),
 * departments and deputies; the task force moderates, merges duplicates, and screens each proposal
 * (adopted as a candidate, or declined with a reason the proposer reads through the ticket).
 */

/** Control characters other than line breaks and tabs are dropped from proposers' text (as from suggestions). */
export const cleanText = (s: string) => cleanTypedText(s).trim();

async function freshTicket(deps: Deps): Promise<string> {
  let ticket = newTicket();
  while (await ticketTaken(deps.db, ticket)) ticket = newTicket();
  return ticket;
}

/** Which sources a role may enter: a unit proposes as a department, a deputy (observer) as a deputy; the task force any (offline collection too). */
export function sourceAllowed(p: Principal, source: CandidateSource): boolean {
  if (p.role === "observer") return source === "deputy";
  if (p.role === "reporter") return source === "department";
  return true;
}

export interface Proposal {
  year: number;
  region: string;
  title: string;
  description: string;
  source: CandidateSource;
}

/** A proposal entered in the console: open for screening at once (citizens' proposals collected offline get a ticket too). */
export async function propose(deps: Deps, p: Principal, body: Proposal): Promise<number> {
  const regions = await deps.regions.ready();
  if (!regions.get(body.region)) throw fail("CANDIDATE_UNKNOWN_REGION", { region: body.region }).at("$.region");
  assertRegion(p, body.region, regions);
  if (!sourceAllowed(p, body.source)) throw fail("CANDIDATE_SOURCE_NOT_YOURS", { source: p.role === "observer" ? "代表" : "部门" }).at("$.source");
  const at = deps.now().toISOString();
  const ticket = body.source === "public" ? await freshTicket(deps) : null;
  return deps.db.transaction(async (tx) => {
    const id = await insertCandidate(tx, {
      ...body,
      title: cleanText(body.title),
      description: cleanText(body.description),
      state: "proposed",
      ticket,
      clientHash: null,
      textHash: null,
      proposedBy: p.actor,
      at,
      moderatedBy: p.actor,
    });
    await appendAudit(tx, { actor: p.actor, action: "candidate.propose", entity: "candidate", entityId: String(id), after: { ...body, state: "proposed", ticket }, at: new Date(at) });
    return id;
  });
}

/** A citizen's proposal from 码上通: waits in moderation (unless auto-approved, as suggestions do); the same words twice in a day are refused. */
export async function proposePublic(deps: Deps, clientHash: string, body: Omit<Proposal, "source">): Promise<{ ticket: string; state: "pending" | "proposed"; at: Date }> {
  const regions = await deps.regions.ready();
  if (!regions.get(body.region)) throw fail("CANDIDATE_UNKNOWN_REGION", { region: body.region }).at("$.region");
  const now = deps.now();
  const title = cleanText(body.title);
  const description = cleanText(body.description);
  const textHash = normalisedTextDigest(`${title}\n${description}`);
  const ticket = await freshTicket(deps);
  const state = deps.config.feedbackAutoApprove ? ("proposed" as const) : ("pending" as const);
  await deps.db.transaction(async (tx) => {
    // one writer per region at a time, so two identical proposals racing cannot both pass the check
    await tx.query("SELECT code FROM regions WHERE code = $1 FOR UPDATE", [body.region]);
    const since = new Date(now.getTime() - 24 * 3600 * 1000).toISOString();
    if (await recentSameText(tx, body.region, textHash, since)) throw fail("CANDIDATE_DUPLICATE_TEXT");
    const id = await insertCandidate(tx, {
      year: body.year,
      region: body.region,
      title,
      description,
      source: "public",
      state,
      ticket,
      clientHash,
      textHash,
      proposedBy: "public",
      at: now.toISOString(),
      moderatedBy: state === "proposed" ? "auto" : null,
    });
    await appendAudit(tx, { actor: "public", action: "candidate.propose", entity: "candidate", entityId: String(id), after: { year: body.year, region: body.region, source: "public", state, ticket }, at: now });
  });
  return { ticket, state, at: now };
}

/** Loads a candidate of the caller's area (locked for a change), or 404 / 403. */
async function candidateInArea(deps: Deps, tx: Queryable, p: Principal, id: number): Promise<CandidateRecord> {
  const c = await loadCandidate(tx, id, true);
  if (!c) throw fail("CANDIDATE_NOT_FOUND", { id });
  assertRegion(p, c.region.code, await deps.regions.ready());
  return c;
}

export async function moderate(deps: Deps, p: Principal, id: number, body: { decision: "approve" | "reject"; reason?: string | undefined }): Promise<CandidateRecord> {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const before = await candidateInArea(deps, tx, p, id);
    if (before.state !== "pending") throw fail("CANDIDATE_STATE", { state: before.stateLabel, action: "审核" });
    if (body.decision === "reject" && !body.reason) throw fail("CANDIDATE_REASON_REQUIRED", { decision: "不予受理" }).at("$.reason");
    const state = body.decision === "approve" ? ("proposed" as const) : ("rejected" as const);
    await setModerated(tx, id, { state, by: p.actor, at: at.toISOString(), reason: body.decision === "reject" ? cleanText(body.reason!) : null });
    await appendAudit(tx, { actor: p.actor, action: "candidate.moderate", entity: "candidate", entityId: String(id), before: { state: before.state }, after: { state, reason: body.reason ?? null }, at });
    return (await loadCandidate(tx, id))!;
  });
}

export interface Screening {
  decision: "adopt" | "decline";
  reason?: string | undefined;
  cost?: number | undefined;
  funding?: string | undefined;
  leadUnit?: string | undefined;
}

/** 初选: feasibility recorded, adopted as a candidate or declined with a reason. */
export async function screen(deps: Deps, p: Principal, id: number, body: Screening): Promise<CandidateRecord> {
  const at = deps.now();
  const regions = await deps.regions.ready();
  return deps.db.transaction(async (tx) => {
    const before = await candidateInArea(deps, tx, p, id);
    if (before.state !== "proposed") throw fail("CANDIDATE_STATE", { state: before.stateLabel, action: "初选" });
    const reason = body.reason ? cleanText(body.reason) : "";
    if (body.decision === "decline" && !reason) throw fail("CANDIDATE_REASON_REQUIRED", { decision: "不予采纳" }).at("$.reason");
    if (body.leadUnit !== undefined) {
      const r = await unitRegion(tx, body.leadUnit);
      if (r === null || !(regions.isWithin(r, before.region.code) || regions.isWithin(before.region.code, r))) throw fail("CANDIDATE_UNKNOWN_UNIT", { unit: body.leadUnit }).at("$.leadUnit");
    }
    await insertScreening(tx, {
      candidate: id,
      decision: body.decision,
      reason: reason || null,
      cost: body.cost ?? null,
      funding: body.funding ? cleanText(body.funding) : null,
      leadUnit: body.leadUnit ?? null,
      by: p.actor,
      at: at.toISOString(),
    });
    const after = (await loadCandidate(tx, id))!;
    await appendAudit(tx, { actor: p.actor, action: "candidate.screen", entity: "candidate", entityId: String(id), before: { state: before.state }, after: { state: after.state, screening: after.screening }, at });
    return after;
  });
}

/** A duplicate merged into another proposal of the same year and region; neither screened yet. */
export async function merge(deps: Deps, p: Principal, id: number, into: number): Promise<CandidateRecord> {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    if (id === into) throw fail("CANDIDATE_MERGE_MISMATCH", { into }).at("$.into", "cannot merge a proposal into itself");
    // lock both in id order, so two merges crossing each other cannot deadlock
    const [first, second] = id < into ? [id, into] : [into, id];
    const a = await candidateInArea(deps, tx, p, first);
    const b = await candidateInArea(deps, tx, p, second);
    const [self, target] = a.id === id ? [a, b] : [b, a];
    if (self.state !== "proposed") throw fail("CANDIDATE_STATE", { state: self.stateLabel, action: "合并" });
    if (target.state !== "proposed" && target.state !== "adopted") throw fail("CANDIDATE_STATE", { state: target.stateLabel, action: "作为合并目标" }).at("$.into");
    if (self.year !== target.year || self.region.code !== target.region.code) throw fail("CANDIDATE_MERGE_MISMATCH", { into }).at("$.into");
    await setMerged(tx, id, into);
    await appendAudit(tx, { actor: p.actor, action: "candidate.merge", entity: "candidate", entityId: String(id), before: { state: self.state }, after: { state: "merged", mergedInto: into }, at });
    return (await loadCandidate(tx, id))!;
  });
}
