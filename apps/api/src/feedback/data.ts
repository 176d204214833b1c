import type { FeedbackKind, FeedbackState } from "@minsheng/domain";
import { conditions } from "../lib/sql.js";
import type { Queryable } from "@minsheng/db";

/** Data access of citizens' feedback: every SQL statement of the feature, rows typed where they are read. */

export interface FeedbackRow {
  id: string;
  ticket: string;
  site: string;
  kind: FeedbackKind;
  text: string;
  phone_sealed: string | null;
  phone_hmac: string | null;
  phone_masked: string | null;
  state: FeedbackState;
  received_at: string | Date;
  received_on: string;
  moderated_by: string | null;
  moderated_at: string | Date | null;
  reject_reason: string | null;
  answer: string | null;
  internal_note: string | null;
  answered_by: string | null;
  answered_at: string | Date | null;
  answered_on: string | null;
  version: number;
  // joined
  project: string;
  region: string;
  project_title: string;
  lead_unit: string;
  unit_name: string;
  region_name: string;
  photo_id: string | null;
}

const FEEDBACK_SELECT = `
  SELECT f.id, f.ticket, f.site, f.kind, f.text, f.phone_sealed, f.phone_hmac, f.phone_masked, f.state, f.received_at, f.received_on,
         f.moderated_by, f.moderated_at, f.reject_reason, f.answer, f.internal_note, f.answered_by, f.answered_at, f.answered_on, f.version,
         s.project, s.region, p.title AS project_title, p.lead_unit, u.name AS unit_name, r.name AS region_name,
         (SELECT id FROM site_files sf WHERE sf.feedback_id = f.id ORDER BY uploaded_at LIMIT 1) AS photo_id
    FROM feedback f
    JOIN project_sites s ON s.code = f.site
    JOIN projects p ON p.id = s.project
    JOIN units u ON u.id = p.lead_unit
    JOIN regions r ON r.code = s.region`;

export async function findFeedback(db: Queryable, id: number, lock = false): Promise<FeedbackRow | null> {
  const { rows } = await db.query<FeedbackRow>(`${FEEDBACK_SELECT} WHERE f.id = $1`, [id]);
  if (!rows[0]) return null;
  if (lock) await db.query("SELECT id FROM feedback WHERE id = $1 FOR UPDATE", [id]);
  return rows[0];
}

export async function feedbackByTicket(db: Queryable, ticket: string): Promise<FeedbackRow | null> {
  const { rows } = await db.query<FeedbackRow>(`${FEEDBACK_SELECT} WHERE f.ticket = $1`, [ticket]);
  return rows[0] ?? null;
}

export interface InboxFilter {
  area: string[] | null;
  unit?: string | null;
  site?: string;
  project?: string;
  state?: FeedbackState;
  overdue?: "true" | "false";
  /** the latest day of receipt whose reply deadline has passed */
  cutoff: string;
  limit: number;
  offset: number;
}

export type InboxCounts = Record<FeedbackState | "overdue", number>;

/** A page of the inbox (oldest waiting first), its total, and the counts by state of its scope (before `state` and `overdue`). */
export async function inbox(db: Queryable, f: InboxFilter): Promise<{ total: number; rows: FeedbackRow[]; counts: InboxCounts }> {
  const { add, params, clause } = conditions();
  if (f.area) add((n) => `s.region = ANY(${n}::text[])`, f.area);
  if (f.unit) add((n) => `p.lead_unit = ${n}`, f.unit);
  if (f.site) add((n) => `f.site = ${n}`, f.site);
  if (f.project) add((n) => `s.project = ${n}`, f.project);
  const scope = clause();
  const { rows: countRows } = await db.query<{ state: FeedbackState; n: number; overdue: number }>(
    `SELECT f.state, count(*)::int AS n,
            count(*) FILTER (WHERE f.state IN ('pending', 'open') AND f.received_on <= $${params.length + 1})::int AS overdue
       FROM feedback f JOIN project_sites s ON s.code = f.site JOIN projects p ON p.id = s.project ${scope} GROUP BY f.state`,
    [...params, f.cutoff],
  );
  const counts: InboxCounts = { pending: 0, open: 0, answered: 0, rejected: 0, overdue: 0 };
  for (const r of countRows) {
    counts[r.state] = r.n;
    counts.overdue += r.overdue;
  }
  if (f.state) add((n) => `f.state = ${n}`, f.state);
  if (f.overdue === "true") add((n) => `f.state IN ('pending', 'open') AND f.received_on <= ${n}`, f.cutoff);
  if (f.overdue === "false") add((n) => `NOT (f.state IN ('pending', 'open') AND f.received_on <= ${n})`, f.cutoff);
  const filter = clause();
  const { rows: total } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${FEEDBACK_SELECT} ${filter}) x`, params);
  const { rows } = await db.query<FeedbackRow>(
    `${FEEDBACK_SELECT} ${filter}
      ORDER BY CASE f.state WHEN 'pending' THEN 0 WHEN 'open' THEN 1 WHEN 'answered' THEN 2 ELSE 3 END, f.received_at, f.id
      LIMIT ${f.limit} OFFSET ${f.offset}`,
    params,
  );
  return { total: total[0]!.n, rows, counts };
}

/** How many other pieces of feedback came from the same phone number. */
export async function othersFromSamePhone(db: Queryable, f: Pick<FeedbackRow, "id" | "phone_hmac">): Promise<number> {
  if (!f.phone_hmac) return 0;
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM feedback WHERE phone_hmac = $1 AND id <> $2", [f.phone_hmac, f.id]);
  return rows[0]!.n;
}

export async function setModeration(db: Queryable, id: number, m: { state: "open" | "rejected"; by: string; at: Date; rejectReason: string | null }): Promise<void> {
  await db.query("UPDATE feedback SET state = $2, moderated_by = $3, moderated_at = $4, reject_reason = $5, version = version + 1 WHERE id = $1", [
    id,
    m.state,
    m.by,
    m.at.toISOString(),
    m.rejectReason,
  ]);
}

export async function setAnswer(db: Queryable, id: number, a: { answer: string; note: string | null; by: string; at: Date; on: string }): Promise<void> {
  await db.query(
    "UPDATE feedback SET state = 'answered', answer = $2, internal_note = $3, answered_by = $4, answered_at = $5, answered_on = $6, version = version + 1 WHERE id = $1",
    [id, a.answer, a.note, a.by, a.at.toISOString(), a.on],
  );
}

export interface StoredPhoto {
  storage_key: string;
  media_type: string;
  sha256: string;
}

export async function photoOf(db: Queryable, feedbackId: string): Promise<StoredPhoto | null> {
  const { rows } = await db.query<StoredPhoto>("SELECT storage_key, media_type, sha256 FROM site_files WHERE feedback_id = $1 ORDER BY uploaded_at LIMIT 1", [feedbackId]);
  return rows[0] ?? null;
}
