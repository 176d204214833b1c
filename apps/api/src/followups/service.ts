import { appendAudit } from "@minsheng/db";
import { cleanTypedText } from "@minsheng/domain";
import { assertProjectScope, assertRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import type { Deps } from "../lib/context.js";
import { fail } from "../lib/errors.js";
import { type FollowedQuestion, insertFollowupQuestion, loadFollowupQuestion, setFollowupAnswer, votedProject } from "./data.js";

/**
 * 项目的进度由代表督 (seed 001, 北塔区): through the year deputies follow the projects their congress
 * voted — the progress is the plan's own (figures, 码上通) — and put questions to the lead unit,
 * which answers them. A unit's reporter answers for the projects its unit leads only.
 */

const clean = (s: string) => cleanTypedText(s).trim();

export async function askFollowup(deps: Deps, p: Principal, body: { project: string; question: string }): Promise<number> {
  const at = deps.now();
  const regions = await deps.regions.ready();
  return deps.db.transaction(async (tx) => {
    const voted = await votedProject(tx, body.project);
    if (!voted) throw fail("FOLLOWUP_NOT_VOTED", { project: body.project }).at("$.project");
    assertRegion(p, voted.region, regions);
    const id = await insertFollowupQuestion(tx, { project: body.project, question: clean(body.question), by: p.actor, at: at.toISOString() });
    await appendAudit(tx, { actor: p.actor, action: "followup.ask", entity: "project", entityId: body.project, after: { question: id, text: body.question }, at });
    return id;
  });
}

export async function answerFollowup(deps: Deps, p: Principal, id: number, answer: string): Promise<FollowedQuestion> {
  const at = deps.now();
  const regions = await deps.regions.ready();
  return deps.db.transaction(async (tx) => {
    const q = await loadFollowupQuestion(tx, id);
    if (!q) throw fail("FOLLOWUP_QUESTION_NOT_FOUND", { id });
    const voted = (await votedProject(tx, q.project))!;
    assertProjectScope(p, voted, regions);
    if (q.answer !== null) throw fail("FOLLOWUP_ANSWERED");
    const after = await setFollowupAnswer(tx, id, { answer: clean(answer), by: p.actor, at: at.toISOString() });
    await appendAudit(tx, { actor: p.actor, action: "followup.answer", entity: "project", entityId: q.project, after: { question: id, answer }, at });
    return after;
  });
}
