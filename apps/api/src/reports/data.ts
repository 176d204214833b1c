import { fallOf, type PreviousCounted, type ReportState, reportStateLabel } from "@minsheng/domain";
import type { Queryable } from "@minsheng/db";

/** Data access of monthly reports: every SQL statement the feature runs, rows typed and mapped where they are read. */

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string | Date).toISOString());

// ---------------------------------------------------------------------------------------------
// The report as listings show it

const VIEW_SQL = `
SELECT r.id, r.indicator, i.name AS indicator_name, i.unit AS indicator_unit, i.kind AS indicator_kind,
       pr.id AS project, pr.title AS project_title, pr.lead_unit,
       r.region, rg.name AS region_name, r.period, r.state,
       r.reported_value::text AS reported_value, r.verified_value::text AS verified_value,
       r.narrative, r.fall_reason, r.review_reason, r.source, r.version,
       r.created_by, r.updated_by, r.reviewed_by, r.created_at, r.updated_at, r.submitted_at, r.reviewed_at,
       prev.period AS previous_period, prev.verified_value::text AS previous_value,
       (SELECT count(*) FROM evidence e WHERE e.report_id = r.id)::int AS evidence_count,
       count(*) OVER () AS total
  FROM reports r
  JOIN indicators i ON i.id = r.indicator
  JOIN projects pr ON pr.id = i.project
  JOIN regions rg ON rg.code = r.region
  LEFT JOIN LATERAL (
    SELECT p.period, p.verified_value FROM reports p
     WHERE p.indicator = r.indicator AND p.region = r.region AND p.state IN ('verified', 'reduced')
       AND p.period < r.period AND p.period >= substr(r.period, 1, 4) || '-01'
     ORDER BY p.period DESC LIMIT 1
  ) prev ON true`;

/** A row of VIEW_SQL as the driver gives it (numerics as text, bigints as text, times as Date or text). */
interface ReportViewRow {
  id: string | number;
  indicator: string;
  indicator_name: string;
  indicator_unit: string;
  indicator_kind: string;
  project: string;
  project_title: string;
  lead_unit: string;
  region: string;
  region_name: string;
  period: string;
  state: ReportState;
  reported_value: string;
  verified_value: string | null;
  narrative: string;
  fall_reason: string | null;
  review_reason: string | null;
  source: "report" | "import";
  version: number;
  created_by: string | null;
  updated_by: string | null;
  reviewed_by: string | null;
  created_at: Date | string | null;
  updated_at: Date | string | null;
  submitted_at: Date | string | null;
  reviewed_at: Date | string | null;
  previous_period: string | null;
  previous_value: string | null;
  evidence_count: number;
  total: string | number;
}

/** A report as listings show it: reported and verified kept apart, the fall flagged. */
export function reportView(r: ReportViewRow) {
  const reported = Number(r.reported_value);
  const verified = num(r.verified_value);
  const state = r.state;
  const counted = state === "verified" || state === "reduced";
  const value = counted && verified !== null ? verified : reported;
  const previousValue = num(r.previous_value);
  const previous: PreviousCounted | null = previousValue !== null ? { period: r.previous_period!, value: previousValue } : null;
  return {
    id: Number(r.id),
    indicator: { id: r.indicator, name: r.indicator_name, unit: r.indicator_unit, kind: r.indicator_kind },
    project: { id: r.project, title: r.project_title, leadUnit: r.lead_unit },
    region: { code: r.region, name: r.region_name },
    period: r.period,
    state,
    stateLabel: reportStateLabel[state],
    reportedValue: reported,
    verifiedValue: verified,
    /** what counts in published numbers (verified or reduced only) */
    countedValue: counted ? verified : null,
    narrative: r.narrative,
    fallReason: r.fall_reason ?? null,
    reviewReason: r.review_reason ?? null,
    source: r.source,
    version: Number(r.version),
    /** 环比下降: the cumulative value is below the previous month's counted value */
    fall: fallOf(value, previous),
    previous,
    evidenceCount: Number(r.evidence_count),
    createdBy: r.created_by ?? null,
    updatedBy: r.updated_by ?? null,
    reviewedBy: r.reviewed_by ?? null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    submittedAt: iso(r.submitted_at),
    reviewedAt: iso(r.reviewed_at),
  };
}
export type ReportView = ReturnType<typeof reportView>;

/** One report as listings show it, or null. */
export async function findReportView(db: Queryable, id: number): Promise<ReportView | null> {
  const { rows } = await db.query<ReportViewRow>(`${VIEW_SQL} WHERE r.id = $1`, [id]);
  return rows[0] ? reportView(rows[0]) : null;
}

export interface ReportFilter {
  /** regions (null: everywhere) */
  area: string[] | null;
  /** a unit's reporter reads its unit's projects only */
  unit: string | null;
  period?: string;
  state?: ReportState;
  indicator?: string;
}

/** A page of reports, newest month first, with the count of all that match. */
export async function listReports(db: Queryable, f: ReportFilter, limit: number, offset: number): Promise<{ total: number; reports: ReportView[] }> {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (f.area) add((n) => `r.region = ANY(${n}::text[])`, f.area);
  if (f.unit !== null) add((n) => `pr.lead_unit = ${n}`, f.unit);
  if (f.period) add((n) => `r.period = ${n}`, f.period);
  if (f.state) add((n) => `r.state = ${n}`, f.state);
  if (f.indicator) add((n) => `r.indicator = ${n}`, f.indicator);
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const { rows } = await db.query<ReportViewRow>(
    `${VIEW_SQL} ${filter}
      ORDER BY r.period DESC, i.position, r.indicator, r.region LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, limit, offset],
  );
  let total = rows[0] ? Number(rows[0].total) : 0;
  if (rows.length === 0 && offset > 0) {
    // Paged past the end: count without the page.
    const counted = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM reports r JOIN indicators i ON i.id = r.indicator JOIN projects pr ON pr.id = i.project ${filter}`,
      params,
    );
    total = Number(counted.rows[0]!.n);
  }
  return { total, reports: rows.map(reportView) };
}

// ---------------------------------------------------------------------------------------------
// What the checks and writes need

/** What access checks on an existing report need. */
export interface ReportScope {
  id: number;
  region: string;
  state: ReportState;
  version: number;
  source: "report" | "import";
  leadUnit: string;
  reportedValue: number;
  verifiedValue: number | null;
  narrative: string;
  fallReason: string | null;
  reviewReason: string | null;
  indicator: string;
  period: string;
}

const SCOPE_COLUMNS = `r.id, r.region, r.state, r.version, r.source, pr.lead_unit, r.reported_value::text AS reported_value,
            r.verified_value::text AS verified_value, r.narrative, r.fall_reason, r.review_reason, r.indicator, r.period`;

/** A row of SCOPE_COLUMNS as the driver gives it. */
type ScopeRow = Pick<ReportViewRow, "id" | "region" | "state" | "version" | "source" | "lead_unit" | "reported_value" | "verified_value" | "narrative" | "fall_reason" | "review_reason" | "indicator" | "period">;

/** A report row (with its project's lead unit) as the checks see it. */
function scopeOf(r: ScopeRow): ReportScope {
  return {
    id: Number(r.id),
    region: r.region,
    state: r.state,
    version: Number(r.version),
    source: r.source,
    leadUnit: r.lead_unit,
    reportedValue: Number(r.reported_value),
    verifiedValue: num(r.verified_value),
    narrative: r.narrative,
    fallReason: r.fall_reason ?? null,
    reviewReason: r.review_reason ?? null,
    indicator: r.indicator,
    period: r.period,
  };
}

/** The report (locked for update inside a transaction when `lock`), or null. */
export async function findReportScope(db: Queryable, id: number, lock = false): Promise<ReportScope | null> {
  const { rows } = await db.query<ScopeRow>(
    `SELECT ${SCOPE_COLUMNS}
       FROM reports r JOIN indicators i ON i.id = r.indicator JOIN projects pr ON pr.id = i.project
      WHERE r.id = $1 ${lock ? "FOR UPDATE OF r" : ""}`,
    [id],
  );
  return rows[0] ? scopeOf(rows[0]) : null;
}

/** The reports of a month for the indicator|region pairs asked, locked for update, keyed "indicator|region". */
export async function lockReportsOfPairs(tx: Queryable, period: string, pairs: ReadonlyArray<{ indicator: string; region: string }>): Promise<Map<string, ReportScope>> {
  const { rows } = await tx.query<ScopeRow>(
    `SELECT ${SCOPE_COLUMNS}
       FROM reports r JOIN unnest($2::text[], $3::text[]) AS want(indicator, region) ON want.indicator = r.indicator AND want.region = r.region
       JOIN indicators i ON i.id = r.indicator JOIN projects pr ON pr.id = i.project
      WHERE r.period = $1
      FOR UPDATE OF r`,
    [period, pairs.map((x) => x.indicator), pairs.map((x) => x.region)],
  );
  return new Map(rows.map((r) => [`${r.indicator}|${r.region}`, scopeOf(r)]));
}

/** The states of a month's reports of the indicators asked, keyed "indicator|region". */
export async function reportStatesOf(db: Queryable, period: string, indicators: readonly string[]): Promise<Map<string, ReportState>> {
  const out = new Map<string, ReportState>();
  if (indicators.length === 0) return out;
  const { rows } = await db.query<{ indicator: string; region: string; state: ReportState }>(
    "SELECT indicator, region, state FROM reports WHERE period = $1 AND indicator = ANY($2::text[])",
    [period, indicators],
  );
  for (const r of rows) out.set(`${r.indicator}|${r.region}`, r.state);
  return out;
}

/** The figures of the reports asked, by id (as text). */
export async function figuresOfReports(db: Queryable, ids: readonly string[]): Promise<Map<string, { value: number; narrative: string; fallReason: string | null }>> {
  const out = new Map<string, { value: number; narrative: string; fallReason: string | null }>();
  if (ids.length === 0) return out;
  const { rows } = await db.query<{ id: string; value: string; narrative: string; fall_reason: string | null }>(
    "SELECT id, reported_value::text AS value, narrative, fall_reason FROM reports WHERE id = ANY($1::bigint[])",
    [ids],
  );
  for (const r of rows) out.set(String(r.id), { value: Number(r.value), narrative: r.narrative, fallReason: r.fall_reason });
  return out;
}

/**
 * The latest counted (verified or reduced) value of the year before `period` for each
 * indicator|region pair asked (keyed "indicator|region"); pairs without one are absent.
 */
export async function previousCountedMany(
  db: Queryable,
  pairs: ReadonlyArray<{ indicator: string; region: string }>,
  period: string,
): Promise<Map<string, PreviousCounted>> {
  const out = new Map<string, PreviousCounted>();
  if (pairs.length === 0) return out;
  const { rows } = await db.query<{ indicator: string; region: string; period: string; value: string }>(
    `SELECT DISTINCT ON (r.indicator, r.region) r.indicator, r.region, r.period, r.verified_value::text AS value
       FROM reports r JOIN unnest($1::text[], $2::text[]) AS want(indicator, region) ON want.indicator = r.indicator AND want.region = r.region
      WHERE r.state IN ('verified', 'reduced') AND r.period < $3 AND r.period >= $4
      ORDER BY r.indicator, r.region, r.period DESC`,
    [pairs.map((x) => x.indicator), pairs.map((x) => x.region), period, `${period.slice(0, 4)}-01`],
  );
  for (const r of rows) out.set(`${r.indicator}|${r.region}`, { period: r.period, value: Number(r.value) });
  return out;
}

/** What the checks of a draft need to know about its indicator. */
export interface IndicatorFacts {
  kind: string;
  linkedTo: string | null;
  leadUnit: string;
  year: number;
  /** regions holding a target for it */
  targetRegions: string[];
}

/** The facts of the indicators asked (unknown ones are absent). */
export async function indicatorFacts(db: Queryable, ids: readonly string[]): Promise<Map<string, IndicatorFacts>> {
  const out = new Map<string, IndicatorFacts>();
  if (ids.length === 0) return out;
  const [inds, targets] = await Promise.all([
    db.query<{ id: string; kind: string; linked_to: string | null; lead_unit: string; year: number }>(
      `SELECT i.id, i.kind, i.linked_to, pr.lead_unit, pl.year FROM indicators i JOIN projects pr ON pr.id = i.project
         JOIN items it ON it.id = pr.item JOIN plans pl ON pl.id = it.plan WHERE i.id = ANY($1::text[])`,
      [ids],
    ),
    targetRegionsOf(db, ids),
  ]);
  for (const r of inds.rows) out.set(r.id, { kind: r.kind, linkedTo: r.linked_to, leadUnit: r.lead_unit, year: Number(r.year), targetRegions: [] });
  for (const [indicator, regions] of targets) out.get(indicator)?.targetRegions.push(...regions);
  return out;
}

/** The regions holding a target, per indicator asked. */
export async function targetRegionsOf(db: Queryable, indicators: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (indicators.length === 0) return out;
  const { rows } = await db.query<{ indicator: string; region: string }>("SELECT indicator, region FROM targets WHERE indicator = ANY($1::text[])", [indicators]);
  for (const t of rows) (out.get(t.indicator) ?? out.set(t.indicator, []).get(t.indicator)!).push(t.region);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writes

/** The id of the report of an indicator, region and month, if there is one. */
export async function findReportId(db: Queryable, key: { indicator: string; region: string; period: string }): Promise<number | null> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM reports WHERE indicator = $1 AND region = $2 AND period = $3", [key.indicator, key.region, key.period]);
  return rows[0] ? Number(rows[0].id) : null;
}

export interface DraftFields {
  reportedValue: number;
  narrative: string;
  fallReason: string | null;
}

/** A new draft (version 1); null when another was created for the same key meanwhile. */
export async function insertDraft(
  tx: Queryable,
  key: { indicator: string; region: string; period: string },
  fields: DraftFields,
  actor: string,
  at: Date,
): Promise<number | null> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO reports (indicator, region, period, state, reported_value, narrative, fall_reason, source, version, created_by, updated_by, created_at, updated_at)
     VALUES ($1, $2, $3, 'draft', $4, $5, $6, 'report', 1, $7, $7, $8, $8)
     ON CONFLICT (indicator, region, period) DO NOTHING RETURNING id`,
    [key.indicator, key.region, key.period, String(fields.reportedValue), fields.narrative, fields.fallReason, actor, at.toISOString()],
  );
  return rows[0] ? Number(rows[0].id) : null;
}

/** Rewrites a draft or returned report's figures at the version read; false when it changed meanwhile. */
export async function updateDraft(tx: Queryable, id: number, version: number, fields: DraftFields, actor: string, at: Date): Promise<boolean> {
  const upd = await tx.query(
    `UPDATE reports SET reported_value = $3, narrative = $4, fall_reason = $5, version = version + 1, updated_by = $6, updated_at = $7
      WHERE id = $1 AND version = $2`,
    [id, version, String(fields.reportedValue), fields.narrative, fields.fallReason, actor, at.toISOString()],
  );
  return (upd.rowCount ?? 0) > 0;
}

/** Marks a report submitted at the version read; false when it changed meanwhile. */
export async function markSubmitted(tx: Queryable, id: number, version: number, state: ReportState, fallReason: string | null, actor: string, at: Date): Promise<boolean> {
  const upd = await tx.query(
    `UPDATE reports SET state = $3, verified_value = NULL, review_reason = NULL, fall_reason = $4, version = version + 1,
            updated_by = $5, updated_at = $6, submitted_at = $6
      WHERE id = $1 AND version = $2`,
    [id, version, state, fallReason, actor, at.toISOString()],
  );
  return (upd.rowCount ?? 0) > 0;
}

/** Records a reviewer's decision at the version seen; false when another acted first. */
export async function recordReview(
  tx: Queryable,
  id: number,
  version: number,
  next: { state: ReportState; verifiedValue: number | null; reason: string | null },
  actor: string,
  at: Date,
): Promise<boolean> {
  const upd = await tx.query(
    `UPDATE reports SET state = $3, verified_value = $4, review_reason = $5, version = version + 1,
            reviewed_by = $6, reviewed_at = $7, updated_by = $6, updated_at = $7
      WHERE id = $1 AND version = $2`,
    [id, version, next.state, next.verifiedValue === null ? null : String(next.verifiedValue), next.reason, actor, at.toISOString()],
  );
  return (upd.rowCount ?? 0) > 0;
}

/** New reports inserted submitted (version 2, as a save then a submission leave them); returns the ids of those inserted, by "indicator|region". */
export async function insertSubmittedMany(
  tx: Queryable,
  period: string,
  rows: ReadonlyArray<{ indicator: string; region: string; value: number; narrative: string; fallReason: string | null }>,
  actor: string,
  at: Date,
): Promise<Map<string, number>> {
  const when = at.toISOString();
  const { rows: inserted } = await tx.query<{ id: string; indicator: string; region: string }>(
    `INSERT INTO reports (indicator, region, period, state, reported_value, narrative, fall_reason, source, version, created_by, updated_by, created_at, updated_at, submitted_at)
     SELECT w.indicator, w.region, $1, 'submitted', w.value::numeric, w.narrative, w.fall_reason, 'report', 2, $2, $2, $3::timestamptz, $3::timestamptz, $3::timestamptz
       FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS w(indicator, region, value, narrative, fall_reason, ord)
      ORDER BY w.ord
     ON CONFLICT (indicator, region, period) DO NOTHING RETURNING id, indicator, region`,
    [period, actor, when, rows.map((x) => x.indicator), rows.map((x) => x.region), rows.map((x) => String(x.value)), rows.map((x) => x.narrative), rows.map((x) => x.fallReason)],
  );
  return new Map(inserted.map((r) => [`${r.indicator}|${r.region}`, Number(r.id)]));
}

/** Drafts and returned reports saved and submitted at the versions read (version + 2); returns how many were. */
export async function submitEditedMany(
  tx: Queryable,
  rows: ReadonlyArray<{ id: number; version: number; value: number; narrative: string; fallReason: string | null }>,
  actor: string,
  at: Date,
): Promise<number> {
  const when = at.toISOString();
  const upd = await tx.query(
    `UPDATE reports r SET reported_value = w.value::numeric, narrative = w.narrative, fall_reason = w.fall_reason, state = 'submitted',
            verified_value = NULL, review_reason = NULL, version = r.version + 2, updated_by = $1, updated_at = $2::timestamptz, submitted_at = $2::timestamptz
       FROM unnest($3::bigint[], $4::int[], $5::text[], $6::text[], $7::text[]) AS w(id, version, value, narrative, fall_reason)
      WHERE r.id = w.id AND r.version = w.version`,
    [actor, when, rows.map((x) => x.id), rows.map((x) => x.version), rows.map((x) => String(x.value)), rows.map((x) => x.narrative), rows.map((x) => x.fallReason)],
  );
  return upd.rowCount ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Due reports

export interface DueRow {
  indicator: string;
  indicator_name: string;
  indicator_unit: string;
  indicator_kind: string;
  project: string;
  project_title: string;
  lead_unit: string;
  unit_name: string;
  region: string;
  region_name: string;
  target: string;
  report_id: string | null;
  state: ReportState | null;
  version: number | null;
  previous_period: string | null;
  previous_value: string | null;
}

/**
 * Indicator × region pairs holding a target for the month's plans in an area (linked indicators
 * excepted: they take the linked indicator's figures), with the month's report if any and last
 * month's counted value.
 */
export async function targetsOfMonth(db: Queryable, period: string, year: number, area: string[] | null, unit: string | null): Promise<DueRow[]> {
  const params: unknown[] = [period, year];
  let where = "pl.year = $2 AND i.linked_to IS NULL";
  if (area) {
    params.push(area);
    where += ` AND t.region = ANY($${params.length}::text[])`;
  }
  if (unit) {
    params.push(unit);
    where += ` AND pr.lead_unit = $${params.length}`;
  }
  const { rows } = await db.query<DueRow>(
    `SELECT t.indicator, i.name AS indicator_name, i.unit AS indicator_unit, i.kind AS indicator_kind,
            pr.id AS project, pr.title AS project_title, pr.lead_unit, u.name AS unit_name,
            t.region, rg.name AS region_name, t.value::text AS target,
            r.id AS report_id, r.state, r.version,
            prev.period AS previous_period, prev.verified_value::text AS previous_value
       FROM targets t
       JOIN indicators i ON i.id = t.indicator
       JOIN projects pr ON pr.id = i.project
       JOIN items it ON it.id = pr.item
       JOIN plans pl ON pl.id = it.plan
       JOIN units u ON u.id = pr.lead_unit
       JOIN regions rg ON rg.code = t.region
       LEFT JOIN reports r ON r.indicator = t.indicator AND r.region = t.region AND r.period = $1
       LEFT JOIN LATERAL (
         SELECT p.period, p.verified_value FROM reports p
          WHERE p.indicator = t.indicator AND p.region = t.region AND p.state IN ('verified', 'reduced')
            AND p.period < $1 AND p.period >= substr($1, 1, 4) || '-01'
          ORDER BY p.period DESC LIMIT 1
       ) prev ON true
      WHERE ${where}
      ORDER BY pr.lead_unit, t.region, i.position, t.indicator`,
    params,
  );
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The evidence files of a report (the evidence feature writes them; a report's answer lists them)

export interface EvidenceRow {
  id: string;
  report_id: string;
  filename: string;
  media_type: string;
  size: string;
  sha256: string;
  storage_key: string;
  uploaded_by: string | null;
  uploaded_at: string | Date;
}

export const evidenceView = (e: EvidenceRow) => ({
  id: e.id,
  reportId: Number(e.report_id),
  filename: e.filename,
  mediaType: e.media_type,
  size: Number(e.size),
  sha256: e.sha256,
  uploadedBy: e.uploaded_by,
  uploadedAt: new Date(e.uploaded_at).toISOString(),
  href: `/api/v1/evidence/${e.id}`,
});
export type EvidenceView = ReturnType<typeof evidenceView>;

/** The files of a report, oldest first. */
export async function evidenceOfReport(db: Queryable, reportId: number): Promise<EvidenceView[]> {
  const { rows } = await db.query<EvidenceRow>("SELECT * FROM evidence WHERE report_id = $1 ORDER BY uploaded_at, id", [reportId]);
  return rows.map(evidenceView);
}
