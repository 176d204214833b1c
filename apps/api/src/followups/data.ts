import type { Queryable } from "@minsheng/db";

/** Data access of the year's follow-up (项目的进度由代表督): the voted projects, deputies' questions, the units' answers. */

type Row = Record<string, unknown>;
const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const text = (v: unknown): string | null => (v == null ? null : String(v));

export interface FollowedQuestion {
  id: number;
  question: string;
  askedBy: string;
  askedAt: string;
  answer: string | null;
  answeredBy: string | null;
  answeredAt: string | null;
}

export interface FollowedProject {
  project: string;
  title: string;
  year: number;
  region: { code: string; name: string };
  leadUnit: { id: string; name: string };
  vote: number;
  plan: string | null;
  questions: FollowedQuestion[];
}

const question = (q: Row): FollowedQuestion => ({
  id: Number(q.id),
  question: String(q.question),
  askedBy: String(q.asked_by),
  askedAt: iso(q.asked_at)!,
  answer: text(q.answer),
  answeredBy: text(q.answered_by),
  answeredAt: iso(q.answered_at),
});

/** The projects a congress of the regions voted into a plan of the year, with their questions. */
export async function followedProjects(db: Queryable, f: { regions: readonly string[]; year?: number | undefined; unit?: string | null }): Promise<FollowedProject[]> {
  const { rows } = await db.query<Row>(
    `SELECT vc.project, pr.title, s.year, s.region, r.name AS region_name, pr.lead_unit, u.name AS unit_name, s.id AS vote, s.plan
       FROM vote_candidates vc JOIN vote_sessions s ON s.id = vc.session JOIN regions r ON r.code = s.region
       JOIN projects pr ON pr.id = vc.project JOIN units u ON u.id = pr.lead_unit
      WHERE s.region = ANY($1::text[]) AND ($2::int IS NULL OR s.year = $2) AND ($3::text IS NULL OR pr.lead_unit = $3)
      ORDER BY s.year DESC, s.id, vc.position`,
    [f.regions, f.year ?? null, f.unit ?? null],
  );
  if (rows.length === 0) return [];
  const { rows: qs } = await db.query<Row>("SELECT * FROM followup_questions WHERE project = ANY($1::text[]) ORDER BY id", [rows.map((r) => String(r.project))]);
  return rows.map((r) => ({
    project: String(r.project),
    title: String(r.title),
    year: Number(r.year),
    region: { code: String(r.region), name: String(r.region_name) },
    leadUnit: { id: String(r.lead_unit), name: String(r.unit_name) },
    vote: Number(r.vote),
    plan: text(r.plan),
    questions: qs.filter((q) => String(q.project) === String(r.project)).map(question),
  }));
}

/** A voted project's congress region and lead unit, or null when no congress voted it. */
export async function votedProject(db: Queryable, project: string): Promise<{ region: string; leadUnit: string } | null> {
  const { rows } = await db.query<Row>(
    `SELECT s.region, pr.lead_unit FROM vote_candidates vc JOIN vote_sessions s ON s.id = vc.session JOIN projects pr ON pr.id = vc.project
      WHERE vc.project = $1 ORDER BY s.id LIMIT 1`,
    [project],
  );
  return rows[0] ? { region: String(rows[0].region), leadUnit: String(rows[0].lead_unit) } : null;
}

export async function insertFollowupQuestion(db: Queryable, q: { project: string; question: string; by: string; at: string }): Promise<number> {
  const { rows } = await db.query<{ id: string }>("INSERT INTO followup_questions (project, question, asked_by, asked_at) VALUES ($1, $2, $3, $4) RETURNING id", [q.project, q.question, q.by, q.at]);
  return Number(rows[0]!.id);
}

/** A question (locked for its answer), or null. */
export async function loadFollowupQuestion(db: Queryable, id: number): Promise<(FollowedQuestion & { project: string }) | null> {
  const { rows } = await db.query<Row>("SELECT * FROM followup_questions WHERE id = $1 FOR UPDATE", [id]);
  return rows[0] ? { ...question(rows[0]), project: String(rows[0].project) } : null;
}

export async function setFollowupAnswer(db: Queryable, id: number, a: { answer: string; by: string; at: string }): Promise<FollowedQuestion> {
  const { rows } = await db.query<Row>("UPDATE followup_questions SET answer = $2, answered_by = $3, answered_at = $4 WHERE id = $1 RETURNING *", [id, a.answer, a.by, a.at]);
  return question(rows[0]!);
}
