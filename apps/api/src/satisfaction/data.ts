import { type SatisfactionBallotResult, satisfactionBallot, type SatisfactionRating, summariseSatisfaction, type SatisfactionSummary } from "@minsheng/domain";
import type { Queryable } from "@minsheng/db";

/** Data access of the deputies' satisfaction ballot (满意度测评, rule 14); citizens' ratings are read apart. */

type Row = Record<string, unknown>;
const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const day = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

export interface RatedProject extends SatisfactionBallotResult {
  project: string;
  title: string;
  leadUnit: { id: string; name: string };
}

export interface SurveyRecord {
  id: number;
  year: number;
  region: { code: string; name: string };
  date: string;
  method: "counts" | "ballots" | null;
  frozenAt: string | null;
  createdBy: string;
  projects: RatedProject[];
}

const SURVEY = "SELECT s.*, r.name AS region_name FROM satisfaction_sessions s JOIN regions r ON r.code = s.region";

async function withProjects(db: Queryable, rows: Row[]): Promise<SurveyRecord[]> {
  if (rows.length === 0) return [];
  const { rows: ps } = await db.query<Row>(
    `SELECT sp.session, sp.project, pr.title, pr.lead_unit, u.name AS unit_name, sp.satisfied, sp.basically_satisfied, sp.dissatisfied
       FROM satisfaction_projects sp JOIN projects pr ON pr.id = sp.project JOIN units u ON u.id = pr.lead_unit
      WHERE sp.session = ANY($1::bigint[]) ORDER BY sp.session, pr.no, sp.project`,
    [rows.map((r) => Number(r.id))],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    year: Number(r.year),
    region: { code: String(r.region), name: String(r.region_name) },
    date: day(r.date),
    method: (r.method as "counts" | "ballots" | null) ?? null,
    frozenAt: iso(r.frozen_at),
    createdBy: String(r.created_by),
    projects: ps
      .filter((p) => Number(p.session) === Number(r.id))
      .map((p) => ({
        project: String(p.project),
        title: String(p.title),
        leadUnit: { id: String(p.lead_unit), name: String(p.unit_name) },
        ...satisfactionBallot({ satisfied: Number(p.satisfied), basically_satisfied: Number(p.basically_satisfied), dissatisfied: Number(p.dissatisfied) }),
      })),
  }));
}

export async function loadSurvey(db: Queryable, id: number, lock = false): Promise<SurveyRecord | null> {
  const { rows } = await db.query<Row>(`${SURVEY} WHERE s.id = $1 ${lock ? "FOR UPDATE OF s" : ""}`, [id]);
  return (await withProjects(db, rows))[0] ?? null;
}

export async function listSurveys(db: Queryable, f: { regions: readonly string[]; year?: number | undefined; frozenOnly?: boolean }): Promise<SurveyRecord[]> {
  const { rows } = await db.query<Row>(
    `${SURVEY} WHERE s.region = ANY($1::text[]) AND ($2::int IS NULL OR s.year = $2) AND (NOT $3 OR s.frozen_at IS NOT NULL) ORDER BY s.date DESC, s.id DESC`,
    [f.regions, f.year ?? null, f.frozenOnly ?? false],
  );
  return withProjects(db, rows);
}

/** The projects named with their plan's year and region (to check they are the session's). */
export async function projectsWithPlans(db: Queryable, ids: readonly string[]): Promise<{ id: string; year: number; region: string }[]> {
  const { rows } = await db.query<Row>(
    "SELECT pr.id, pl.year, pl.region FROM projects pr JOIN items it ON it.id = pr.item JOIN plans pl ON pl.id = it.plan WHERE pr.id = ANY($1::text[])",
    [ids],
  );
  return rows.map((r) => ({ id: String(r.id), year: Number(r.year), region: String(r.region) }));
}

export async function insertSurvey(db: Queryable, s: { year: number; region: string; date: string; projects: readonly string[]; by: string; at: string }): Promise<number> {
  const { rows } = await db.query<{ id: string }>("INSERT INTO satisfaction_sessions (year, region, date, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id", [
    s.year,
    s.region,
    s.date,
    s.by,
    s.at,
  ]);
  const id = Number(rows[0]!.id);
  await db.query("INSERT INTO satisfaction_projects (session, project) SELECT $1, unnest($2::text[])", [id, s.projects]);
  return id;
}

export interface ProjectCounts {
  project: string;
  satisfied: number;
  basically_satisfied: number;
  dissatisfied: number;
}

export async function setCounts(db: Queryable, session: number, counts: readonly ProjectCounts[]): Promise<void> {
  await db.query(
    `UPDATE satisfaction_projects sp SET satisfied = t.s, basically_satisfied = t.b, dissatisfied = t.d
       FROM unnest($2::text[], $3::int[], $4::int[], $5::int[]) AS t(p, s, b, d) WHERE sp.session = $1 AND sp.project = t.p`,
    [session, counts.map((c) => c.project), counts.map((c) => c.satisfied), counts.map((c) => c.basically_satisfied), counts.map((c) => c.dissatisfied)],
  );
}

/** A deputy's ratings added to the counts (who rated is kept apart, never how). */
export async function addRatings(db: Queryable, session: number, ratings: readonly { project: string; rating: SatisfactionRating }[]): Promise<void> {
  await db.query(
    `UPDATE satisfaction_projects sp SET satisfied = satisfied + (t.r = 'satisfied')::int, basically_satisfied = basically_satisfied + (t.r = 'basically_satisfied')::int,
            dissatisfied = dissatisfied + (t.r = 'dissatisfied')::int
       FROM unnest($2::text[], $3::text[]) AS t(p, r) WHERE sp.session = $1 AND sp.project = t.p`,
    [session, ratings.map((r) => r.project), ratings.map((r) => r.rating)],
  );
}

export async function insertRater(db: Queryable, session: number, deputy: number, at: string): Promise<boolean> {
  const { rowCount } = await db.query("INSERT INTO satisfaction_ballots (session, deputy, cast_at) VALUES ($1, $2, $3) ON CONFLICT (session, deputy) DO NOTHING", [session, deputy, at]);
  return (rowCount ?? 0) > 0;
}

export async function countRaters(db: Queryable, session: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM satisfaction_ballots WHERE session = $1", [session]);
  return Number(rows[0]!.n);
}

export async function setSurveyMethod(db: Queryable, id: number, method: "counts" | "ballots"): Promise<void> {
  await db.query("UPDATE satisfaction_sessions SET method = $2 WHERE id = $1", [id, method]);
}

export async function freezeSurvey(db: Queryable, id: number, by: string, at: string): Promise<void> {
  await db.query("UPDATE satisfaction_sessions SET frozen_by = $2, frozen_at = $3 WHERE id = $1", [id, by, at]);
}

/** Citizens' own ratings on 码上通 for a project, over all its sites: shown apart from the deputies' ballot, never added to it. */
export async function citizenRatings(db: Queryable, projects: readonly string[]): Promise<Map<string, SatisfactionSummary>> {
  const { rows } = await db.query<{ project: string; rating: SatisfactionRating; n: number }>(
    `SELECT s.project, sr.rating, count(*)::int AS n FROM satisfaction_ratings sr JOIN project_sites s ON s.code = sr.site
      WHERE s.project = ANY($1::text[]) GROUP BY s.project, sr.rating`,
    [projects],
  );
  return new Map(projects.map((p) => [p, summariseSatisfaction(rows.filter((r) => r.project === p).flatMap((r) => Array<SatisfactionRating>(Number(r.n)).fill(r.rating)))]));
}
