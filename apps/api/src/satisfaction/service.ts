import { appendAudit, type Queryable } from "@minsheng/db";
import type { SatisfactionRating } from "@minsheng/domain";
import { assertRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import type { Deps } from "../lib/context.js";
import { fail } from "../lib/errors.js";
import {
  addRatings,
  countRaters,
  freezeSurvey,
  insertRater,
  insertSurvey,
  listSurveys,
  loadSurvey,
  type ProjectCounts,
  projectsWithPlans,
  setCounts,
  setSurveyMethod,
  type SurveyRecord,
} from "./data.js";

/**
 * 满意度测评 (rule 14): at year end the deputies rate each project of the year, on paper (counts
 * entered) or on a tablet (one ballot per deputy); the rate and the 不满意 > 1/2 flag are the
 * domain's satisfactionBallot. Publishing freezes the result.
 */

const methodLabel = { counts: "录入票数", ballots: "代表逐人测评" } as const;

async function surveyInArea(deps: Deps, db: Queryable, p: Principal, id: number, lock = false): Promise<SurveyRecord> {
  const s = await loadSurvey(db, id, lock);
  if (!s) throw fail("SATISFACTION_NOT_FOUND", { id });
  assertRegion(p, s.region.code, await deps.regions.ready());
  return s;
}

export const readSurvey = (deps: Deps, p: Principal, id: number) => surveyInArea(deps, deps.db, p, id);

export async function createSurvey(deps: Deps, p: Principal, body: { region: string; year: number; date: string; projects: string[] }): Promise<number> {
  const regions = await deps.regions.ready();
  if (!regions.get(body.region)) throw fail("CANDIDATE_UNKNOWN_REGION", { region: body.region }).at("$.region");
  assertRegion(p, body.region, regions);
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const found = new Map((await projectsWithPlans(tx, body.projects)).map((x) => [x.id, x]));
    const seen = new Set<string>();
    body.projects.forEach((project, i) => {
      const x = found.get(project);
      // the year's projects of the region's plans (its own and those below it)
      if (!x || seen.has(project) || x.year !== body.year || !regions.isWithin(x.region, body.region)) throw fail("SATISFACTION_UNKNOWN_PROJECT", { project, year: body.year }).at(`$.projects[${i}]`);
      seen.add(project);
    });
    const id = await insertSurvey(tx, { ...body, by: p.actor, at: at.toISOString() });
    await appendAudit(tx, { actor: p.actor, action: "satisfaction.create", entity: "satisfaction_session", entityId: String(id), after: body, at });
    return id;
  });
}

function checkCovers(s: SurveyRecord, projects: readonly string[], field: string): void {
  const want = new Set(s.projects.map((x) => x.project));
  const seen = new Set<string>();
  projects.forEach((project, i) => {
    if (!want.has(project) || seen.has(project)) throw fail("SATISFACTION_COUNTS_INCOMPLETE", { project }).at(`$.${field}[${i}].project`);
    seen.add(project);
  });
  const missing = s.projects.find((x) => !seen.has(x.project));
  if (missing) throw fail("SATISFACTION_COUNTS_INCOMPLETE", { project: missing.project }).at(`$.${field}`, `project ${missing.project} is missing`);
}

/** Paper ballots: the counts per project, replacing any entered before, until published. */
export async function enterCounts(deps: Deps, p: Principal, id: number, counts: ProjectCounts[]): Promise<SurveyRecord> {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const s = await surveyInArea(deps, tx, p, id, true);
    if (s.frozenAt) throw fail("SATISFACTION_FROZEN");
    if (s.method === "ballots") throw fail("SATISFACTION_METHOD_MIXED", { method: methodLabel.ballots });
    checkCovers(s, counts.map((c) => c.project), "counts");
    await setCounts(tx, id, counts);
    await setSurveyMethod(tx, id, "counts");
    const before = s.projects.map(({ project, satisfied, basically_satisfied, dissatisfied }) => ({ project, satisfied, basically_satisfied, dissatisfied }));
    await appendAudit(tx, { actor: p.actor, action: "satisfaction.counts", entity: "satisfaction_session", entityId: String(id), before: s.method ? { counts: before } : null, after: { counts }, at });
    return (await loadSurvey(tx, id))!;
  });
}

/** A deputy's ratings on a tablet: once per deputy; who rated is kept, never how. */
export async function rate(deps: Deps, p: Principal, id: number, ratings: { project: string; rating: SatisfactionRating }[]): Promise<{ cast: number }> {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const s = await surveyInArea(deps, tx, p, id, true);
    if (s.frozenAt) throw fail("SATISFACTION_FROZEN");
    if (s.method === "counts") throw fail("SATISFACTION_METHOD_MIXED", { method: methodLabel.counts });
    checkCovers(s, ratings.map((r) => r.project), "ratings");
    if (!(await insertRater(tx, id, p.userId, at.toISOString()))) throw fail("SATISFACTION_DEPUTY_VOTED");
    await addRatings(tx, id, ratings);
    await setSurveyMethod(tx, id, "ballots");
    await appendAudit(tx, { actor: p.actor, action: "satisfaction.ballot", entity: "satisfaction_session", entityId: String(id), after: { deputy: p.username }, at });
    return { cast: await countRaters(tx, id) };
  });
}

export async function publishSurvey(deps: Deps, p: Principal, id: number): Promise<SurveyRecord> {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const s = await surveyInArea(deps, tx, p, id, true);
    if (s.frozenAt) throw fail("SATISFACTION_FROZEN");
    await freezeSurvey(tx, id, p.actor, at.toISOString());
    await appendAudit(tx, { actor: p.actor, action: "satisfaction.publish", entity: "satisfaction_session", entityId: String(id), after: { projects: s.projects }, at });
    return (await loadSurvey(tx, id))!;
  });
}

/**
 * The deputies' published ballots of a region's congress in a year, as the bulletin takes them
 * (packages/bulletin computes the rate and the flag by the domain's rule): none gives nothing, so
 * a bulletin without ballots is composed as before.
 */
export async function satisfactionForBulletin(db: Queryable, region: string, year: number) {
  const surveys = await listSurveys(db, { regions: [region], year, frozenOnly: true });
  if (surveys.length === 0) return {};
  return {
    satisfaction: surveys
      .slice()
      .reverse()
      .map((s) => ({
        date: s.date,
        projects: s.projects.map((p) => ({ title: p.title, unit: p.leadUnit.name, satisfied: p.satisfied, basically_satisfied: p.basically_satisfied, dissatisfied: p.dissatisfied })),
      })),
  };
}
