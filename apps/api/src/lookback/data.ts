import { type LookbackConclusion, lookbackConclusionLabel } from "@minsheng/domain";
import type { Queryable } from "@minsheng/db";

/** Data access of the look-back (回头看, rule 15): one record per project, deputies' questions and the unit's answers. */

type Row = Record<string, unknown>;
const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const text = (v: unknown): string | null => (v == null ? null : String(v));

export interface LookbackRecord {
  id: number;
  project: { id: string; title: string; plan: string; year: number; region: { code: string; name: string }; leadUnit: { id: string; name: string } };
  assessment: string;
  conclusion: LookbackConclusion | null;
  conclusionLabel: string | null;
  followUp: string | null;
  concludedBy: string | null;
  concludedAt: string | null;
  createdBy: string;
  createdAt: string;
  questions: { id: number; question: string; askedBy: string; askedAt: string; answer: string | null; answeredBy: string | null; answeredAt: string | null }[];
}

const SELECT = `
  SELECT l.*, pr.title, pl.id AS plan, pl.year, pl.region, r.name AS region_name, pr.lead_unit, u.name AS unit_name
    FROM lookbacks l JOIN projects pr ON pr.id = l.project JOIN items it ON it.id = pr.item JOIN plans pl ON pl.id = it.plan
    JOIN regions r ON r.code = pl.region JOIN units u ON u.id = pr.lead_unit`;

async function withQuestions(db: Queryable, rows: Row[]): Promise<LookbackRecord[]> {
  if (rows.length === 0) return [];
  const { rows: qs } = await db.query<Row>("SELECT * FROM lookback_questions WHERE lookback = ANY($1::bigint[]) ORDER BY id", [rows.map((r) => Number(r.id))]);
  return rows.map((r) => ({
    id: Number(r.id),
    project: {
      id: String(r.project),
      title: String(r.title),
      plan: String(r.plan),
      year: Number(r.year),
      region: { code: String(r.region), name: String(r.region_name) },
      leadUnit: { id: String(r.lead_unit), name: String(r.unit_name) },
    },
    assessment: String(r.assessment),
    conclusion: (r.conclusion as LookbackConclusion | null) ?? null,
    conclusionLabel: r.conclusion == null ? null : lookbackConclusionLabel[r.conclusion as LookbackConclusion],
    followUp: text(r.follow_up),
    concludedBy: text(r.concluded_by),
    concludedAt: iso(r.concluded_at),
    createdBy: String(r.created_by),
    createdAt: iso(r.created_at)!,
    questions: qs
      .filter((q) => Number(q.lookback) === Number(r.id))
      .map((q) => ({ id: Number(q.id), question: String(q.question), askedBy: String(q.asked_by), askedAt: iso(q.asked_at)!, answer: text(q.answer), answeredBy: text(q.answered_by), answeredAt: iso(q.answered_at) })),
  }));
}

export async function loadLookback(db: Queryable, id: number, lock = false): Promise<LookbackRecord | null> {
  if (lock) await db.query("SELECT id FROM lookbacks WHERE id = $1 FOR UPDATE", [id]);
  const { rows } = await db.query<Row>(`${SELECT} WHERE l.id = $1`, [id]);
  return (await withQuestions(db, rows))[0] ?? null;
}

export async function listLookbacks(db: Queryable, f: { regions: readonly string[]; year?: number | undefined; unit?: string | null }): Promise<LookbackRecord[]> {
  const { rows } = await db.query<Row>(
    `${SELECT} WHERE pl.region = ANY($1::text[]) AND ($2::int IS NULL OR pl.year = $2) AND ($3::text IS NULL OR pr.lead_unit = $3) ORDER BY pl.year DESC, pl.id, pr.no, l.id`,
    [f.regions, f.year ?? null, f.unit ?? null],
  );
  return withQuestions(db, rows);
}

export async function projectScope(db: Queryable, project: string): Promise<{ region: string; leadUnit: string; lookback: number | null } | null> {
  const { rows } = await db.query<Row>(
    `SELECT pl.region, pr.lead_unit, (SELECT id FROM lookbacks WHERE project = pr.id) AS lookback
       FROM projects pr JOIN items it ON it.id = pr.item JOIN plans pl ON pl.id = it.plan WHERE pr.id = $1`,
    [project],
  );
  return rows[0] ? { region: String(rows[0].region), leadUnit: String(rows[0].lead_unit), lookback: rows[0].lookback == null ? null : Number(rows[0].lookback) } : null;
}

/** A new record, or null when the project already has one (its unique key). */
export async function insertLookback(db: Queryable, l: { project: string; assessment: string; by: string; at: string }): Promise<number | null> {
  const { rows } = await db.query<{ id: string }>(
    "INSERT INTO lookbacks (project, assessment, created_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (project) DO NOTHING RETURNING id",
    [l.project, l.assessment, l.by, l.at],
  );
  return rows[0] ? Number(rows[0].id) : null;
}

export async function insertQuestion(db: Queryable, q: { lookback: number; question: string; by: string; at: string }): Promise<number> {
  const { rows } = await db.query<{ id: string }>("INSERT INTO lookback_questions (lookback, question, asked_by, asked_at) VALUES ($1, $2, $3, $4) RETURNING id", [
    q.lookback,
    q.question,
    q.by,
    q.at,
  ]);
  return Number(rows[0]!.id);
}

export async function questionLookback(db: Queryable, id: number): Promise<number | null> {
  const { rows } = await db.query<{ lookback: string }>("SELECT lookback FROM lookback_questions WHERE id = $1 FOR UPDATE", [id]);
  return rows[0] ? Number(rows[0].lookback) : null;
}

export async function setAnswer(db: Queryable, id: number, a: { answer: string; by: string; at: string }): Promise<void> {
  await db.query("UPDATE lookback_questions SET answer = $2, answered_by = $3, answered_at = $4 WHERE id = $1", [id, a.answer, a.by, a.at]);
}

export async function setConclusion(db: Queryable, id: number, c: { conclusion: LookbackConclusion; followUp: string | null; by: string; at: string }): Promise<void> {
  await db.query("UPDATE lookbacks SET conclusion = $2, follow_up = $3, concluded_by = $4, concluded_at = $5 WHERE id = $1", [id, c.conclusion, c.followUp, c.by, c.at]);
}
