import type { CongressLevel, VoteChoice, VoteCount } from "@minsheng/domain";
import type { Queryable } from "@minsheng/db";

/** Data access of the deputies' vote (票决): sessions, their candidates, tellers' counts, tablet ballots, the plan they feed. */

type Row = Record<string, unknown>;
const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const day = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

/** A session's result as the API answers it and as it is frozen (candidate ids as numbers). */
export interface ResultView {
  valid: boolean;
  elected: number[];
  runoff: number[];
  candidates: { id: number; for: number; against: number; abstain: number; carried: boolean }[];
}

export interface SessionCandidate {
  id: number;
  position: number;
  title: string;
  leadUnit: { id: string; name: string } | null;
  project: string | null;
}

export interface SessionRecord {
  id: number;
  year: number;
  region: { code: string; name: string };
  level: CongressLevel;
  date: string;
  entitled: number;
  present: number;
  seats: number;
  method: "counts" | "ballots" | null;
  frozenAt: string | null;
  frozenBy: string | null;
  result: ResultView | null;
  plan: string | null;
  createdBy: string;
  createdAt: string;
  candidates: SessionCandidate[];
}

const SESSION = `SELECT v.*, r.name AS region_name FROM vote_sessions v JOIN regions r ON r.code = v.region`;

async function withCandidates(db: Queryable, rows: Row[]): Promise<SessionRecord[]> {
  if (rows.length === 0) return [];
  const { rows: cands } = await db.query<Row>(
    `SELECT vc.session, vc.candidate, vc.position, vc.project, c.title, s.lead_unit, u.name AS lead_unit_name
       FROM vote_candidates vc JOIN candidates c ON c.id = vc.candidate
       LEFT JOIN screenings s ON s.candidate = c.id LEFT JOIN units u ON u.id = s.lead_unit
      WHERE vc.session = ANY($1::bigint[]) ORDER BY vc.session, vc.position`,
    [rows.map((r) => Number(r.id))],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    year: Number(r.year),
    region: { code: String(r.region), name: String(r.region_name) },
    level: r.level as CongressLevel,
    date: day(r.date),
    entitled: Number(r.entitled),
    present: Number(r.present),
    seats: Number(r.seats),
    method: (r.method as "counts" | "ballots" | null) ?? null,
    frozenAt: iso(r.frozen_at),
    frozenBy: (r.frozen_by as string | null) ?? null,
    result: (typeof r.result === "string" ? (JSON.parse(r.result) as ResultView) : (r.result as ResultView | null)) ?? null,
    plan: (r.plan as string | null) ?? null,
    createdBy: String(r.created_by),
    createdAt: iso(r.created_at)!,
    candidates: cands
      .filter((c) => Number(c.session) === Number(r.id))
      .map((c) => ({
        id: Number(c.candidate),
        position: Number(c.position),
        title: String(c.title),
        leadUnit: c.lead_unit == null ? null : { id: String(c.lead_unit), name: String(c.lead_unit_name) },
        project: (c.project as string | null) ?? null,
      })),
  }));
}

export async function loadSession(db: Queryable, id: number, lock = false): Promise<SessionRecord | null> {
  const { rows } = await db.query<Row>(`${SESSION} WHERE v.id = $1 ${lock ? "FOR UPDATE OF v" : ""}`, [id]);
  return (await withCandidates(db, rows))[0] ?? null;
}

export async function listSessions(db: Queryable, f: { regions: readonly string[]; year?: number | undefined; frozenOnly?: boolean }): Promise<SessionRecord[]> {
  const { rows } = await db.query<Row>(
    `${SESSION} WHERE v.region = ANY($1::text[]) AND ($2::int IS NULL OR v.year = $2) AND (NOT $3 OR v.frozen_at IS NOT NULL) ORDER BY v.date DESC, v.id DESC`,
    [f.regions, f.year ?? null, f.frozenOnly ?? false],
  );
  return withCandidates(db, rows);
}

/** The candidates named, with what the session needs to know of them (locked: none changes state meanwhile). */
export async function candidatesForSession(db: Queryable, ids: readonly number[]): Promise<{ id: number; year: number; region: string; state: string }[]> {
  const { rows } = await db.query<Row>("SELECT id, year, region, state FROM candidates WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE", [ids]);
  return rows.map((r) => ({ id: Number(r.id), year: Number(r.year), region: String(r.region), state: String(r.state) }));
}

export async function insertSession(
  db: Queryable,
  s: { year: number; region: string; level: CongressLevel; date: string; entitled: number; present: number; seats: number; candidates: readonly number[]; by: string; at: string },
): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO vote_sessions (year, region, level, date, entitled, present, seats, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [s.year, s.region, s.level, s.date, s.entitled, s.present, s.seats, s.by, s.at],
  );
  const id = Number(rows[0]!.id);
  await db.query(
    "INSERT INTO vote_candidates (session, candidate, position) SELECT $1, c, n FROM unnest($2::bigint[]) WITH ORDINALITY AS t(c, n)",
    [id, s.candidates],
  );
  return id;
}

export async function setMethod(db: Queryable, id: number, method: "counts" | "ballots"): Promise<void> {
  await db.query("UPDATE vote_sessions SET method = $2 WHERE id = $1", [id, method]);
}

/** The tellers' counts replace any entered before (until the result is frozen). */
export async function replaceTallies(db: Queryable, session: number, counts: readonly VoteCount[]): Promise<void> {
  await db.query("DELETE FROM vote_tallies WHERE session = $1", [session]);
  await db.query(
    `INSERT INTO vote_tallies (session, candidate, votes_for, against, abstain)
     SELECT $1, c, f, a, b FROM unnest($2::bigint[], $3::int[], $4::int[], $5::int[]) AS t(c, f, a, b)`,
    [session, counts.map((c) => Number(c.candidate)), counts.map((c) => c.for), counts.map((c) => c.against), counts.map((c) => c.abstain)],
  );
}

export async function loadTallies(db: Queryable, session: number): Promise<VoteCount[]> {
  const { rows } = await db.query<Row>("SELECT candidate, votes_for, against, abstain FROM vote_tallies WHERE session = $1", [session]);
  return rows.map((r) => ({ candidate: String(r.candidate), for: Number(r.votes_for), against: Number(r.against), abstain: Number(r.abstain) }));
}

/** One ballot per deputy and session (who voted, never how): false when this deputy has already voted. */
export async function insertBallot(db: Queryable, b: { session: number; deputy: number; at: string }): Promise<boolean> {
  const { rowCount } = await db.query("INSERT INTO vote_ballots (session, deputy, cast_at) VALUES ($1, $2, $3) ON CONFLICT (session, deputy) DO NOTHING", [b.session, b.deputy, b.at]);
  return (rowCount ?? 0) > 0;
}

/** A tablet ballot's choices added to the counts, one statement. */
export async function addToTallies(db: Queryable, session: number, choices: readonly { candidate: number; choice: VoteChoice }[]): Promise<void> {
  await db.query(
    `INSERT INTO vote_tallies AS t (session, candidate, votes_for, against, abstain)
     SELECT $1, c, (x = 'for')::int, (x = 'against')::int, (x = 'abstain')::int FROM unnest($2::bigint[], $3::text[]) AS u(c, x)
     ON CONFLICT (session, candidate) DO UPDATE SET votes_for = t.votes_for + excluded.votes_for, against = t.against + excluded.against, abstain = t.abstain + excluded.abstain`,
    [session, choices.map((c) => c.candidate), choices.map((c) => c.choice)],
  );
}

export async function countBallots(db: Queryable, session: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM vote_ballots WHERE session = $1", [session]);
  return Number(rows[0]!.n);
}

export async function freezeSession(db: Queryable, id: number, f: { result: ResultView; by: string; at: string }): Promise<void> {
  await db.query("UPDATE vote_sessions SET result = $2::jsonb, frozen_by = $3, frozen_at = $4 WHERE id = $1", [id, JSON.stringify(f.result), f.by, f.at]);
}

// ---------------------------------------------------------------------------------------------
// Into next year's plan: the region's plan of the year (created when there is none), an item and a project per elected candidate.

export async function planOf(db: Queryable, region: string, year: number): Promise<{ id: string; level: string; title: string } | null> {
  const { rows } = await db.query<Row>("SELECT id, level, title FROM plans WHERE region = $1 AND year = $2 ORDER BY id LIMIT 1 FOR UPDATE", [region, year]);
  return rows[0] ? { id: String(rows[0].id), level: String(rows[0].level), title: String(rows[0].title) } : null;
}

export async function idTaken(db: Queryable, table: "plans" | "items" | "projects", id: string): Promise<boolean> {
  return (await db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rows.length > 0;
}

export async function insertPlan(db: Queryable, p: { id: string; year: number; level: string; region: string; title: string }): Promise<void> {
  await db.query(`INSERT INTO plans (id, year, level, region, title, schedule) VALUES ($1, $2, $3, $4, $5, '"linear-monthly"'::jsonb)`, [p.id, p.year, p.level, p.region, p.title]);
}

export async function nextNumbers(db: Queryable, plan: string): Promise<{ item: number; project: number }> {
  const { rows } = await db.query<{ item: number; project: number }>(
    `SELECT (SELECT coalesce(max(no), 0)::int FROM items WHERE plan = $1) + 1 AS item,
            (SELECT coalesce(max(pr.no), 0)::int FROM projects pr JOIN items it ON it.id = pr.item WHERE it.plan = $1) + 1 AS project`,
    [plan],
  );
  return { item: Number(rows[0]!.item), project: Number(rows[0]!.project) };
}

export async function insertItemWithProject(db: Queryable, r: { plan: string; itemId: string; itemNo: number; projectId: string; projectNo: number; title: string; leadUnit: string }): Promise<void> {
  await db.query("INSERT INTO items (id, plan, no, title) VALUES ($1, $2, $3, $4)", [r.itemId, r.plan, r.itemNo, r.title]);
  await db.query("INSERT INTO projects (id, item, no, title, lead_unit) VALUES ($1, $2, $3, $4, $5)", [r.projectId, r.itemId, r.projectNo, r.title, r.leadUnit]);
}

export async function linkProject(db: Queryable, session: number, candidate: number, project: string): Promise<void> {
  await db.query("UPDATE vote_candidates SET project = $3 WHERE session = $1 AND candidate = $2", [session, candidate, project]);
}

export async function setSessionPlan(db: Queryable, session: number, plan: string): Promise<void> {
  await db.query("UPDATE vote_sessions SET plan = $2 WHERE id = $1", [session, plan]);
}
