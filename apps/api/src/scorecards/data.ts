import type { Queryable } from "@minsheng/db";

/** Data access of the unit scorecards (rule 8): every SQL statement of the feature. */

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
/** A timestamp's date in China (YYYY-MM-DD), in SQL: deadlines are China days. */
const CHINA_DAY = (col: string) => `to_char(${col} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`;

export interface UnitRow {
  id: string;
  name: string;
}

/** The units registered at the region (責任单位 of its task force), by id. */
export async function unitsAt(db: Queryable, region: string): Promise<UnitRow[]> {
  const { rows } = await db.query<UnitRow>("SELECT id, name FROM units WHERE region = $1 ORDER BY id", [region]);
  return rows;
}

export async function loadScheme(db: Queryable, region: string): Promise<unknown | null> {
  const { rows } = await db.query<{ scheme: unknown }>("SELECT scheme FROM scorecard_schemes WHERE region = $1", [region]);
  return rows[0]?.scheme ?? null;
}

export async function saveScheme(db: Queryable, region: string, scheme: unknown, actor: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO scorecard_schemes (region, scheme, updated_by, updated_at) VALUES ($1, $2::jsonb, $3, $4)
     ON CONFLICT (region) DO UPDATE SET scheme = EXCLUDED.scheme, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
    [region, JSON.stringify(scheme), actor, at.toISOString()],
  );
}

/** The plans of a year (their lagging indicator-regions and early completions count). */
export async function plansOfYear(db: Queryable, year: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM plans WHERE year = $1 ORDER BY level, id", [year]);
  return rows.map((r) => r.id);
}

export interface MonthReport {
  indicator: string;
  region: string;
  id: number;
  state: string;
  source: string;
  /** the China day it was (last) submitted */
  submittedOn: string | null;
}

/**
 * The month's reports in the area (read by region and period; the targets they answer come from
 * the prepared plans, so no join per target that a planner without statistics would walk slowly).
 */
export async function monthReports(db: Queryable, period: string, area: readonly string[]): Promise<MonthReport[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT r.indicator, r.region, r.id, r.state, r.source, ${CHINA_DAY("r.submitted_at")} AS submitted_on
       FROM reports r WHERE r.period = $1 AND r.region = ANY($2::text[])`,
    [period, area],
  );
  return rows.map((r) => ({
    indicator: String(r.indicator),
    region: String(r.region),
    id: Number(r.id),
    state: String(r.state),
    source: String(r.source),
    submittedOn: r.submitted_on == null ? null : String(r.submitted_on),
  }));
}

export interface ReductionRow {
  unit: string;
  reportId: number;
  indicator: string;
  indicatorName: string;
  region: string;
  regionName: string;
  reported: number;
  verified: number;
}

/** Reports of the month reduced (核减) in the area, of projects the units lead. */
export async function reductions(db: Queryable, period: string, area: readonly string[], units: readonly string[]): Promise<ReductionRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT pr.lead_unit, r.id, r.indicator, i.name AS indicator_name, r.region, rg.name AS region_name,
            r.reported_value::text AS reported, r.verified_value::text AS verified
       FROM reports r JOIN indicators i ON i.id = r.indicator JOIN projects pr ON pr.id = i.project JOIN regions rg ON rg.code = r.region
      WHERE r.period = $1 AND r.state = 'reduced' AND r.region = ANY($2::text[]) AND pr.lead_unit = ANY($3::text[])
      ORDER BY r.id`,
    [period, area, units],
  );
  return rows.map((r) => ({
    unit: String(r.lead_unit),
    reportId: Number(r.id),
    indicator: String(r.indicator),
    indicatorName: String(r.indicator_name),
    region: String(r.region),
    regionName: String(r.region_name),
    reported: Number(r.reported),
    verified: Number(r.verified),
  }));
}

export interface OverdueLetter {
  unit: string;
  letterId: number;
  dueOn: string;
  state: string;
}

/**
 * Letters (rule 11, the supervision letters' table) to the units whose deadline fell in the month
 * and had passed by `asOf`, not accepted (销号) by it. None while the platform has no letters table.
 */
export async function overdueLetters(db: Queryable, units: readonly string[], monthStart: string, monthEnd: string, asOf: string): Promise<OverdueLetter[]> {
  const { rows: exists } = await db.query<{ t: string | null }>("SELECT to_regclass('letters')::text AS t");
  if (!exists[0]?.t) return [];
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT l.id, l.to_unit, l.due_on::text AS due_on, l.state FROM letters l
      WHERE l.to_unit = ANY($1::text[]) AND l.state <> 'draft'
        AND l.due_on::text >= $2 AND l.due_on::text <= $3 AND l.due_on::text < $4
        AND (l.accepted_at IS NULL OR ${CHINA_DAY("l.accepted_at")} > l.due_on::text)
      ORDER BY l.id`,
    [units, monthStart, monthEnd, asOf],
  );
  return rows.map((r) => ({ unit: String(r.to_unit), letterId: Number(r.id), dueOn: String(r.due_on), state: String(r.state) }));
}

export interface LetterAnswer {
  unit: string;
  letterId: number;
  dueOn: string;
  /** the China day of its first reply, if any */
  answeredOn: string | null;
}

/**
 * Letters to the units whose deadline fell in the month, with their first reply: a reply after the
 * deadline (or none by `asOf`) is a late answer; acceptance counts as an answer. None while the platform has no letters table.
 */
export async function letterAnswers(db: Queryable, units: readonly string[], monthStart: string, monthEnd: string): Promise<LetterAnswer[]> {
  const { rows: exists } = await db.query<{ t: string | null; r: string | null }>("SELECT to_regclass('letters')::text AS t, to_regclass('letter_replies')::text AS r");
  if (!exists[0]?.t) return [];
  const firstReply = exists[0].r ? `(SELECT min(${CHINA_DAY("x.created_at")}) FROM letter_replies x WHERE x.letter_id = l.id)` : "NULL";
  const { rows } = await db.query<Record<string, unknown>>(
    // an accepted letter (销号) was answered by then at the latest
    `SELECT l.id, l.to_unit, l.due_on::text AS due_on, LEAST(${firstReply}, ${CHINA_DAY("l.accepted_at")}) AS answered_on FROM letters l
      WHERE l.to_unit = ANY($1::text[]) AND l.state <> 'draft' AND l.due_on::text >= $2 AND l.due_on::text <= $3
      ORDER BY l.id`,
    [units, monthStart, monthEnd],
  );
  return rows.map((r) => ({ unit: String(r.to_unit), letterId: Number(r.id), dueOn: String(r.due_on), answeredOn: r.answered_on == null ? null : String(r.answered_on) }));
}

export interface FeedbackRow {
  unit: string;
  id: number;
  ticket: string;
  project: string;
  region: string;
  regionName: string;
  receivedOn: string;
  answeredOn: string | null;
}

/** Citizens' feedback approved by moderation on the units' project sites in the area, received in the year up to the month's end. */
export async function feedbackOfUnits(db: Queryable, area: readonly string[], units: readonly string[], yearStart: string, monthEnd: string): Promise<FeedbackRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT pr.lead_unit, f.id, f.ticket, s.project, s.region, rg.name AS region_name, f.received_on, f.answered_on
       FROM feedback f JOIN project_sites s ON s.code = f.site JOIN projects pr ON pr.id = s.project JOIN regions rg ON rg.code = s.region
      WHERE f.state IN ('open', 'answered') AND s.region = ANY($1::text[]) AND pr.lead_unit = ANY($2::text[])
        AND f.received_on >= $3 AND f.received_on <= $4
      ORDER BY f.id`,
    [area, units, yearStart, monthEnd],
  );
  return rows.map((r) => ({
    unit: String(r.lead_unit),
    id: Number(r.id),
    ticket: String(r.ticket),
    project: String(r.project),
    region: String(r.region),
    regionName: String(r.region_name),
    receivedOn: String(r.received_on),
    answeredOn: r.answered_on == null ? null : String(r.answered_on),
  }));
}

// ── adjustments ─────────────────────────────────────────────────────────────────────────────────

export interface AdjustmentRow {
  id: number;
  unit: string;
  points: number;
  reason: string;
  createdBy: string;
  createdAt: string;
}

export async function adjustmentsOf(db: Queryable, region: string, period: string): Promise<AdjustmentRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    "SELECT id, unit, points::text AS points, reason, created_by, created_at FROM scorecard_adjustments WHERE region = $1 AND period = $2 ORDER BY id",
    [region, period],
  );
  return rows.map((r) => ({ id: Number(r.id), unit: String(r.unit), points: Number(r.points), reason: String(r.reason), createdBy: String(r.created_by), createdAt: iso(r.created_at) }));
}

export async function insertAdjustment(db: Queryable, a: { region: string; period: string; unit: string; points: number; reason: string; actor: string; at: Date }): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    "INSERT INTO scorecard_adjustments (region, period, unit, points, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    [a.region, a.period, a.unit, String(a.points), a.reason, a.actor, a.at.toISOString()],
  );
  return Number(rows[0]!.id);
}

// ── issued months ───────────────────────────────────────────────────────────────────────────────

export interface IssuedCard {
  period: string;
  card: unknown;
  issuedBy: string;
  issuedAt: string;
}

export async function issuedCard(db: Queryable, region: string, period: string): Promise<IssuedCard | null> {
  const { rows } = await db.query<Record<string, unknown>>("SELECT period, card, issued_by, issued_at FROM scorecard_issues WHERE region = $1 AND period = $2", [region, period]);
  const r = rows[0];
  return r ? { period: String(r.period), card: r.card, issuedBy: String(r.issued_by), issuedAt: iso(r.issued_at) } : null;
}

/** Issued months of the region from `from` to `to` (inclusive), oldest first. */
export async function issuedCards(db: Queryable, region: string, from: string, to: string): Promise<IssuedCard[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    "SELECT period, card, issued_by, issued_at FROM scorecard_issues WHERE region = $1 AND period >= $2 AND period <= $3 ORDER BY period",
    [region, from, to],
  );
  return rows.map((r) => ({ period: String(r.period), card: r.card, issuedBy: String(r.issued_by), issuedAt: iso(r.issued_at) }));
}

/** Freezes the month; false when it was issued already (the first issue stands). */
export async function insertIssue(db: Queryable, region: string, period: string, card: unknown, actor: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    "INSERT INTO scorecard_issues (region, period, card, issued_by, issued_at) VALUES ($1, $2, $3::jsonb, $4, $5) ON CONFLICT (region, period) DO NOTHING",
    [region, period, JSON.stringify(card), actor, at.toISOString()],
  );
  return (rowCount ?? 0) > 0;
}

// ── warning notices and interviews ──────────────────────────────────────────────────────────────

export interface NoticeRow {
  id: number;
  region: string;
  period: string;
  unit: string;
  unitName: string;
  months: string[];
  state: string;
  letterId: number | null;
  createdAt: string;
  interview: {
    id: number;
    heldOn: string | null;
    people: string;
    notes: string;
    commitments: string;
    followUp: string;
    version: number;
    updatedBy: string | null;
    updatedAt: string | null;
  };
}

/** Creates the draft notice and its interview record; null when the unit already has one for the month. */
export async function insertNotice(db: Queryable, n: { region: string; period: string; unit: string; months: string[]; actor: string; at: Date }): Promise<{ notice: number; interview: number } | null> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO warning_notices (region, period, unit, months, created_by, created_at) VALUES ($1, $2, $3, $4::text[], $5, $6)
     ON CONFLICT (region, period, unit) DO NOTHING RETURNING id`,
    [n.region, n.period, n.unit, n.months, n.actor, n.at.toISOString()],
  );
  if (!rows[0]) return null;
  const notice = Number(rows[0].id);
  const { rows: iv } = await db.query<{ id: string }>("INSERT INTO interviews (notice_id) VALUES ($1) RETURNING id", [notice]);
  return { notice, interview: Number(iv[0]!.id) };
}

/** The draft 预警通知 letter made for a notice. */
export async function linkNoticeLetter(db: Queryable, notice: number, letter: number): Promise<void> {
  await db.query("UPDATE warning_notices SET letter_id = $2 WHERE id = $1", [notice, letter]);
}

const NOTICE_SQL = `SELECT n.id, n.region, n.period, n.unit, u.name AS unit_name, n.months, n.state, n.letter_id, n.created_at,
       iv.id AS interview_id, iv.held_on, iv.people, iv.notes, iv.commitments, iv.follow_up, iv.version, iv.updated_by, iv.updated_at
  FROM warning_notices n JOIN units u ON u.id = n.unit JOIN interviews iv ON iv.notice_id = n.id`;

const noticeOf = (r: Record<string, unknown>): NoticeRow => ({
  id: Number(r.id),
  region: String(r.region),
  period: String(r.period),
  unit: String(r.unit),
  unitName: String(r.unit_name),
  months: (r.months as string[]) ?? [],
  state: String(r.state),
  letterId: r.letter_id == null ? null : Number(r.letter_id),
  createdAt: iso(r.created_at),
  interview: {
    id: Number(r.interview_id),
    heldOn: r.held_on == null ? null : String(r.held_on),
    people: String(r.people),
    notes: String(r.notes),
    commitments: String(r.commitments),
    followUp: String(r.follow_up),
    version: Number(r.version),
    updatedBy: r.updated_by == null ? null : String(r.updated_by),
    updatedAt: r.updated_at == null ? null : iso(r.updated_at),
  },
});

export async function listNotices(db: Queryable, region: string, unit: string | null): Promise<NoticeRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(`${NOTICE_SQL} WHERE n.region = $1 AND ($2::text IS NULL OR n.unit = $2) ORDER BY n.period DESC, n.unit`, [region, unit]);
  return rows.map(noticeOf);
}

export async function noticeOfInterview(db: Queryable, interviewId: number): Promise<NoticeRow | null> {
  const { rows } = await db.query<Record<string, unknown>>(`${NOTICE_SQL} WHERE iv.id = $1`, [interviewId]);
  return rows[0] ? noticeOf(rows[0]) : null;
}

/** Updates an interview record at the version the caller saw; false when it changed meanwhile. */
export async function updateInterview(
  db: Queryable,
  id: number,
  version: number,
  v: { heldOn: string | null; people: string; notes: string; commitments: string; followUp: string },
  actor: string,
  at: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE interviews SET held_on = $3, people = $4, notes = $5, commitments = $6, follow_up = $7, version = version + 1, updated_by = $8, updated_at = $9
      WHERE id = $1 AND version = $2`,
    [id, version, v.heldOn, v.people, v.notes, v.commitments, v.followUp, actor, at.toISOString()],
  );
  return (rowCount ?? 0) > 0;
}
