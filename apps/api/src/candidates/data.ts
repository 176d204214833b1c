import { type CandidateSource, type CandidateState, candidateSourceLabel, candidateStateLabel } from "@minsheng/domain";
import type { Queryable } from "@minsheng/db";

/** Data access of candidates (征集, 初选): every SQL statement of the feature, rows typed where they are read. */

type Row = Record<string, unknown>;
const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const num = (v: unknown): number | null => (v == null ? null : Number(v));

export interface CandidateRecord {
  id: number;
  year: number;
  region: { code: string; name: string };
  title: string;
  description: string;
  source: CandidateSource;
  sourceLabel: string;
  state: CandidateState;
  stateLabel: string;
  ticket: string | null;
  mergedInto: number | null;
  proposedBy: string;
  proposedAt: string;
  rejectReason: string | null;
  screening: {
    decision: "adopt" | "decline";
    reason: string | null;
    cost: number | null;
    funding: string | null;
    leadUnit: { id: string; name: string } | null;
    screenedBy: string;
    screenedAt: string;
  } | null;
  version: number;
}

const SELECT = `
  SELECT c.id, c.year, c.region, r.name AS region_name, c.title, c.description, c.source, c.state, c.ticket, c.merged_into,
         c.proposed_by, c.proposed_at, c.reject_reason, c.version,
         s.decision, s.reason, s.cost, s.funding, s.lead_unit, u.name AS lead_unit_name, s.screened_by, s.screened_at
    FROM candidates c
    JOIN regions r ON r.code = c.region
    LEFT JOIN screenings s ON s.candidate = c.id
    LEFT JOIN units u ON u.id = s.lead_unit`;

const view = (r: Row): CandidateRecord => ({
  id: Number(r.id),
  year: Number(r.year),
  region: { code: String(r.region), name: String(r.region_name) },
  title: String(r.title),
  description: String(r.description),
  source: r.source as CandidateSource,
  sourceLabel: candidateSourceLabel[r.source as CandidateSource],
  state: r.state as CandidateState,
  stateLabel: candidateStateLabel[r.state as CandidateState],
  ticket: (r.ticket as string | null) ?? null,
  mergedInto: num(r.merged_into),
  proposedBy: String(r.proposed_by),
  proposedAt: iso(r.proposed_at)!,
  rejectReason: (r.reject_reason as string | null) ?? null,
  screening:
    r.decision == null
      ? null
      : {
          decision: r.decision as "adopt" | "decline",
          reason: (r.reason as string | null) ?? null,
          cost: num(r.cost),
          funding: (r.funding as string | null) ?? null,
          leadUnit: r.lead_unit == null ? null : { id: String(r.lead_unit), name: String(r.lead_unit_name) },
          screenedBy: String(r.screened_by),
          screenedAt: iso(r.screened_at)!,
        },
  version: Number(r.version),
});

export async function loadCandidate(db: Queryable, id: number, lock = false): Promise<CandidateRecord | null> {
  if (lock) await db.query("SELECT id FROM candidates WHERE id = $1 FOR UPDATE", [id]);
  const { rows } = await db.query<Row>(`${SELECT} WHERE c.id = $1`, [id]);
  return rows[0] ? view(rows[0]) : null;
}

export async function loadCandidates(db: Queryable, ids: readonly number[]): Promise<CandidateRecord[]> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE c.id = ANY($1::bigint[]) ORDER BY c.id`, [ids]);
  return rows.map(view);
}

export async function candidateByTicket(db: Queryable, ticket: string): Promise<CandidateRecord | null> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE c.ticket = $1`, [ticket]);
  return rows[0] ? view(rows[0]) : null;
}

/** The candidates of the regions given (a caller's area), of a year, optionally in one state. */
export async function listCandidates(db: Queryable, f: { regions: readonly string[]; year?: number; state?: CandidateState }): Promise<CandidateRecord[]> {
  const { rows } = await db.query<Row>(
    `${SELECT} WHERE c.region = ANY($1::text[]) AND ($2::int IS NULL OR c.year = $2) AND ($3::text IS NULL OR c.state = $3) ORDER BY c.year DESC, c.region, c.id`,
    [f.regions, f.year ?? null, f.state ?? null],
  );
  return rows.map(view);
}

export async function ticketTaken(db: Queryable, ticket: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM candidates WHERE ticket = $1", [ticket])).rows.length > 0;
}

/** Whether the same words were proposed for the region within the day before `since`. */
export async function recentSameText(db: Queryable, region: string, textHash: string, since: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM candidates WHERE region = $1 AND text_hash = $2 AND proposed_at > $3 LIMIT 1", [region, textHash, since])).rows.length > 0;
}

export interface NewCandidateRow {
  year: number;
  region: string;
  title: string;
  description: string;
  source: CandidateSource;
  state: CandidateState;
  ticket: string | null;
  clientHash: string | null;
  textHash: string | null;
  proposedBy: string;
  at: string;
  moderatedBy: string | null;
}

export async function insertCandidate(db: Queryable, c: NewCandidateRow): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO candidates (year, region, title, description, source, state, ticket, client_hash, text_hash, proposed_by, proposed_at, moderated_by, moderated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, CASE WHEN $12::text IS NULL THEN NULL ELSE $11::timestamptz END) RETURNING id`,
    [c.year, c.region, c.title, c.description, c.source, c.state, c.ticket, c.clientHash, c.textHash, c.proposedBy, c.at, c.moderatedBy],
  );
  return Number(rows[0]!.id);
}

export async function setModerated(db: Queryable, id: number, m: { state: "proposed" | "rejected"; by: string; at: string; reason: string | null }): Promise<void> {
  await db.query("UPDATE candidates SET state = $2, moderated_by = $3, moderated_at = $4, reject_reason = $5, version = version + 1 WHERE id = $1", [id, m.state, m.by, m.at, m.reason]);
}

export async function insertScreening(
  db: Queryable,
  s: { candidate: number; decision: "adopt" | "decline"; reason: string | null; cost: number | null; funding: string | null; leadUnit: string | null; by: string; at: string },
): Promise<void> {
  await db.query(
    "INSERT INTO screenings (candidate, decision, reason, cost, funding, lead_unit, screened_by, screened_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    [s.candidate, s.decision, s.reason, s.cost, s.funding, s.leadUnit, s.by, s.at],
  );
  await db.query("UPDATE candidates SET state = $2, version = version + 1 WHERE id = $1", [s.candidate, s.decision === "adopt" ? "adopted" : "declined"]);
}

export async function setMerged(db: Queryable, id: number, into: number): Promise<void> {
  await db.query("UPDATE candidates SET state = 'merged', merged_into = $2, version = version + 1 WHERE id = $1", [id, into]);
}

export async function unitRegion(db: Queryable, unit: string): Promise<string | null> {
  const { rows } = await db.query<{ region: string }>("SELECT region FROM units WHERE id = $1", [unit]);
  return rows[0]?.region ?? null;
}
