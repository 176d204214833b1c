import { appendAudit, type Queryable } from "@minsheng/db";
import { cleanTypedText } from "@minsheng/domain";
import { type LookbackConclusion, needsFollowUp } from "@minsheng/domain";
import { assertProjectScope, assertRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import type { Deps } from "../lib/context.js";
import { fail } from "../lib/errors.js";
import { insertLookback, insertQuestion, loadLookback, type LookbackRecord, projectScope, questionLookback, setAnswer, setConclusion } from "./data.js";

/**
 * 回头看 (rule 15, March-April): for each of last year's projects the lead unit assesses the effect,
 * deputies ask and the unit answers, and the meeting concludes 达到预期 / 基本达到 / 未达到 (with the
 * follow-up). A unit's reporter works on the projects its unit leads only.
 */

const clean = (s: string) => cleanTypedText(s).trim();

async function lookbackInArea(deps: Deps, db: Queryable, p: Principal, id: number, lock: boolean, unitOnly: boolean): Promise<LookbackRecord> {
  const l = await loadLookback(db, id, lock);
  if (!l) throw fail("LOOKBACK_NOT_FOUND", { id });
  const regions = await deps.regions.ready();
  if (unitOnly) assertProjectScope(p, { region: l.project.region.code, leadUnit: l.project.leadUnit.id }, regions);
  else assertRegion(p, l.project.region.code, regions);
  return l;
}

export async function openLookback(deps: Deps, p: Principal, body: { project: string; assessment: string }): Promise<number> {
  const at = deps.now();
  const regions = await deps.regions.ready();
  return deps.db.transaction(async (tx) => {
    const scope = await projectScope(tx, body.project);
    if (!scope) throw fail("LOOKBACK_UNKNOWN_PROJECT", { project: body.project }).at("$.project");
    assertProjectScope(p, scope, regions);
    if (scope.lookback !== null) throw fail("LOOKBACK_EXISTS", { project: body.project, id: scope.lookback });
    const id = await insertLookback(tx, { project: body.project, assessment: clean(body.assessment), by: p.actor, at: at.toISOString() });
    if (id === null) throw fail("LOOKBACK_EXISTS", { project: body.project, id: "?" });
    await appendAudit(tx, { actor: p.actor, action: "lookback.create", entity: "lookback", entityId: String(id), after: body, at });
    return id;
  });
}

export async function ask(deps: Deps, p: Principal, id: number, question: string): Promise<number> {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const l = await lookbackInArea(deps, tx, p, id, true, false);
    if (l.conclusion) throw fail("LOOKBACK_CONCLUDED");
    const qid = await insertQuestion(tx, { lookback: id, question: clean(question), by: p.actor, at: at.toISOString() });
    await appendAudit(tx, { actor: p.actor, action: "lookback.ask", entity: "lookback", entityId: String(id), after: { question: qid, text: question }, at });
    return qid;
  });
}

export async function answer(deps: Deps, p: Principal, questionId: number, text: string): Promise<LookbackRecord> {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const lid = await questionLookback(tx, questionId);
    if (lid === null) throw fail("LOOKBACK_QUESTION_NOT_FOUND", { id: questionId });
    const l = await lookbackInArea(deps, tx, p, lid, true, true);
    if (l.conclusion) throw fail("LOOKBACK_CONCLUDED");
    const before = l.questions.find((q) => q.id === questionId)!;
    await setAnswer(tx, questionId, { answer: clean(text), by: p.actor, at: at.toISOString() });
    await appendAudit(tx, { actor: p.actor, action: "lookback.answer", entity: "lookback", entityId: String(lid), before: { question: questionId, answer: before.answer }, after: { question: questionId, answer: text }, at });
    return (await loadLookback(tx, lid))!;
  });
}

export async function conclude(deps: Deps, p: Principal, id: number, body: { conclusion: LookbackConclusion; followUp?: string | undefined }): Promise<LookbackRecord> {
  const at = deps.now();
  const followUp = body.followUp ? clean(body.followUp) : "";
  if (needsFollowUp(body.conclusion) && !followUp) throw fail("LOOKBACK_FOLLOW_UP_REQUIRED").at("$.followUp");
  return deps.db.transaction(async (tx) => {
    const l = await lookbackInArea(deps, tx, p, id, true, false);
    if (l.conclusion) throw fail("LOOKBACK_CONCLUDED");
    await setConclusion(tx, id, { conclusion: body.conclusion, followUp: followUp || null, by: p.actor, at: at.toISOString() });
    await appendAudit(tx, { actor: p.actor, action: "lookback.conclude", entity: "lookback", entityId: String(id), after: { conclusion: body.conclusion, followUp: followUp || null }, at });
    return (await loadLookback(tx, id))!;
  });
}
