import {
  applyReviewAction,
  chinaDate,
  Id,
  Period,
  periodAt,
  periodYear,
  previousPeriod,
  ReportDraft,
  type ReportFigures,
  ReportState,
  reportingDeadline,
  reportStateLabel,
  ReviewAction,
  TransitionNotAllowed,
} from "@minsheng/domain";
import { appendAudit, appendAuditMany, type AuditEntry, type Queryable } from "@minsheng/db";
import * as Either from "effect/Either";
import { Hono } from "hono";
import { z } from "zod";
import { assertProjectScope, assertRegion, mayAccessRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import type { Principal } from "../auth/principal.js";
import type { AppEnv, Deps } from "../lib/context.js";
import { conflict, forbidden, invalid, notFound } from "../lib/errors.js";
import type { RegionDirectory } from "../lib/regions.js";
import { jsonBody, paramsOf, queryOf } from "../lib/validate.js";
import { addEvidence, evidenceOfReport, uploadLimit } from "./evidence.js";

/**
 * 月度填报与核验: a reporter saves a draft of the cumulative value and narrative (进展情况) for an
 * indicator, region and month, attaches evidence and submits it; a reviewer verifies, reduces
 * (核减), returns or reopens it. Only verified and reduced figures count in published numbers.
 */

const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
export const ReportIdParam = z.object({ id: z.coerce.number().int("must be a report id").positive("must be a report id").max(Number.MAX_SAFE_INTEGER) });

export const SaveBody = ReportDraft.extend({
  /** the version last seen, when updating: a stale one is a 409 */
  version: z.number().int().positive().optional(),
});
export const SubmitBody = z.object({
  version: z.number().int().positive().optional(),
  fallReason: z.string().trim().max(2000, "must be at most 2000 characters").optional(),
});
export const ReviewBody = z.object({ version: z.number({ error: "must be the version of the report you reviewed" }).int().positive() }).and(ReviewAction);
export const ListQuery = z.object({
  period: Period.optional(),
  region: RegionCode.optional(),
  state: ReportState.optional(),
  indicator: Id.optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
});
export const PeriodQuery = z.object({ period: Period.optional() });

const DONE = new Set(["submitted", "verified", "reduced"]);

// ---------------------------------------------------------------------------------------------
// Reading

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

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string | Date).toISOString());

/** A report as listings show it: reported and verified kept apart, the fall flagged. */
export function reportView(r: Row) {
  const reported = Number(r.reported_value);
  const verified = num(r.verified_value);
  const state = r.state as ReportState;
  const counted = state === "verified" || state === "reduced";
  const value = counted && verified !== null ? verified : reported;
  const previous = num(r.previous_value);
  return {
    id: Number(r.id),
    indicator: { id: r.indicator as string, name: r.indicator_name as string, unit: r.indicator_unit as string, kind: r.indicator_kind as string },
    project: { id: r.project as string, title: r.project_title as string, leadUnit: r.lead_unit as string },
    region: { code: r.region as string, name: r.region_name as string },
    period: r.period as string,
    state,
    stateLabel: reportStateLabel[state],
    reportedValue: reported,
    verifiedValue: verified,
    /** what counts in published numbers (verified or reduced only) */
    countedValue: counted ? verified : null,
    narrative: r.narrative as string,
    fallReason: (r.fall_reason as string | null) ?? null,
    reviewReason: (r.review_reason as string | null) ?? null,
    source: r.source as "report" | "import",
    version: Number(r.version),
    /** 环比下降: the cumulative value is below the previous month's counted value */
    fall: previous !== null && value < previous ? { previous, previousPeriod: r.previous_period as string, value } : null,
    previous: previous !== null ? { period: r.previous_period as string, value: previous } : null,
    evidenceCount: Number(r.evidence_count),
    createdBy: (r.created_by as string | null) ?? null,
    updatedBy: (r.updated_by as string | null) ?? null,
    reviewedBy: (r.reviewed_by as string | null) ?? null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    submittedAt: iso(r.submitted_at),
    reviewedAt: iso(r.reviewed_at),
  };
}
export type ReportView = ReturnType<typeof reportView>;

async function viewOf(db: Queryable, id: number): Promise<ReportView> {
  const { rows } = await db.query<Row>(`${VIEW_SQL} WHERE r.id = $1`, [id]);
  if (!rows[0]) throw notFound(`report ${id}`);
  return reportView(rows[0]);
}

// ---------------------------------------------------------------------------------------------
// Scope

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

/** The report (locked for update inside a transaction when `lock`), or 404. */
export async function loadReportScope(db: Queryable, id: number, lock = false): Promise<ReportScope> {
  const { rows } = await db.query<Row>(
    `SELECT r.id, r.region, r.state, r.version, r.source, pr.lead_unit, r.reported_value::text AS reported_value,
            r.verified_value::text AS verified_value, r.narrative, r.fall_reason, r.review_reason, r.indicator, r.period
       FROM reports r JOIN indicators i ON i.id = r.indicator JOIN projects pr ON pr.id = i.project
      WHERE r.id = $1 ${lock ? "FOR UPDATE OF r" : ""}`,
    [id],
  );
  const r = rows[0];
  if (!r) throw notFound(`report ${id}`);
  return scopeOf(r);
}

/** A report row (with its project's lead unit) as the checks see it. */
function scopeOf(r: Row): ReportScope {
  return {
    id: Number(r.id),
    region: r.region as string,
    state: r.state as ReportState,
    version: Number(r.version),
    source: r.source as "report" | "import",
    leadUnit: r.lead_unit as string,
    reportedValue: Number(r.reported_value),
    verifiedValue: num(r.verified_value),
    narrative: r.narrative as string,
    fallReason: (r.fall_reason as string | null) ?? null,
    reviewReason: (r.review_reason as string | null) ?? null,
    indicator: r.indicator as string,
    period: r.period as string,
  };
}

const snapshot = (r: Pick<ReportScope, "state" | "reportedValue" | "verifiedValue" | "narrative" | "fallReason" | "reviewReason" | "version">) => ({
  state: r.state,
  reportedValue: r.reportedValue,
  verifiedValue: r.verifiedValue,
  narrative: r.narrative,
  fallReason: r.fallReason,
  reviewReason: r.reviewReason,
  version: r.version,
});

/**
 * The latest counted (verified or reduced) value of the year before `period` for each
 * indicator|region pair asked (keyed "indicator|region"); pairs without one are absent.
 */
export async function previousCountedMany(
  db: Queryable,
  pairs: ReadonlyArray<{ indicator: string; region: string }>,
  period: string,
): Promise<Map<string, { period: string; value: number }>> {
  const out = new Map<string, { period: string; value: number }>();
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

/** The latest counted (verified or reduced) value of the year before `period`, if any. */
async function previousCounted(db: Queryable, indicator: string, region: string, period: string): Promise<{ period: string; value: number } | null> {
  return (await previousCountedMany(db, [{ indicator, region }], period)).get(`${indicator}|${region}`) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Saving and submitting: the checks and writes of the form, shared with the Excel import
// (routes/report-import.ts), which runs them for many rows in one transaction.

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
    db.query<{ indicator: string; region: string }>("SELECT indicator, region FROM targets WHERE indicator = ANY($1::text[])", [ids]),
  ]);
  for (const r of inds.rows) out.set(r.id, { kind: r.kind, linkedTo: r.linked_to, leadUnit: r.lead_unit, year: Number(r.year), targetRegions: [] });
  for (const t of targets.rows) out.get(t.indicator)?.targetRegions.push(t.region);
  return out;
}

type Problems = { path: string; message: string }[];

/**
 * Why a draft may not be saved, by field of the form ($.indicator, $.region, $.period, $.value):
 * unknown or linked indicator, another unit's project, a month outside the plan's year or not
 * begun, a milestone over 100, a region unknown, outside the caller's area or without a target.
 */
export function draftProblems(
  p: Principal,
  d: { indicator: string; region: string; period: string; value: number },
  ind: IndicatorFacts | undefined,
  regions: RegionDirectory,
  at: Date,
): Problems {
  const problems: Problems = [];
  if (!ind) problems.push({ path: "$.indicator", message: `unknown indicator "${d.indicator}"` });
  else {
    if (ind.linkedTo !== null) problems.push({ path: "$.indicator", message: `takes its figures from the linked indicator ${ind.linkedTo}; report there` });
    if (p.unit !== null && ind.leadUnit !== p.unit) problems.push({ path: "$.indicator", message: `belongs to a project led by ${ind.leadUnit}, not your unit ${p.unit}` });
    if (ind.year !== periodYear(d.period)) problems.push({ path: "$.period", message: `is not in the plan's year ${ind.year}` });
    if (ind.kind === "milestone" && d.value > 100) problems.push({ path: "$.value", message: "is a milestone percent: at most 100" });
  }
  if (d.period > periodAt(at.getTime())) problems.push({ path: "$.period", message: "is a month that has not begun yet" });
  if (!regions.get(d.region)) problems.push({ path: "$.region", message: `unknown region "${d.region}"` });
  else if (!mayAccessRegion(p, d.region, regions)) problems.push({ path: "$.region", message: `is outside your area (${p.region})` });
  else if (ind && !ind.targetRegions.some((t) => regions.isWithin(t, d.region))) problems.push({ path: "$.region", message: `has no target for ${d.indicator} (itself or below)` });
  return problems;
}

/** Why a report may not be submitted: no narrative, or a fall below last month's counted value without a reason. */
export function submitProblems(r: { narrative: string; reportedValue: number }, previous: { period: string; value: number } | null, fallReason: string | null): Problems {
  const problems: Problems = [];
  if (r.narrative.trim().length === 0) problems.push({ path: "$.narrative", message: "is required to submit: describe the progress (进展情况)" });
  if (previous && r.reportedValue < previous.value && (fallReason ?? "").trim().length < 2)
    problems.push({ path: "$.fallReason", message: `is required: the value ${r.reportedValue} is below ${previous.period}'s counted ${previous.value} (环比下降)` });
  return problems;
}

/** The report states in which a reporter may (re)write the figure: none yet, a draft, or a returned one. */
export const editableState = (state: ReportState | null) => state === null || state === "draft" || state === "returned";

/**
 * Saves a draft as PUT /reports does, inside the caller's transaction: checks it (400 naming every
 * problem), creates it or updates a draft or returned report (409 on a stale version), audits it.
 */
export async function saveDraft(
  tx: Queryable,
  p: Principal,
  body: z.infer<typeof SaveBody>,
  regions: RegionDirectory,
  at: Date,
  /** the indicator's facts when the caller read them already (the import reads them for every row at once) */
  known?: { facts: IndicatorFacts | undefined },
): Promise<{ created: boolean; id: number }> {
  const facts = known ? known.facts : (await indicatorFacts(tx, [body.indicator])).get(body.indicator);
  const problems = draftProblems(p, body, facts, regions, at);
  if (problems.length > 0) throw invalid(problems);

  const found = await tx.query<{ id: string }>("SELECT id FROM reports WHERE indicator = $1 AND region = $2 AND period = $3", [body.indicator, body.region, body.period]);
  const fields = { reportedValue: body.value, narrative: body.narrative, fallReason: body.fallReason ?? null };
  if (found.rows.length === 0) {
    const ins = await tx.query<{ id: string }>(
      `INSERT INTO reports (indicator, region, period, state, reported_value, narrative, fall_reason, source, version, created_by, updated_by, created_at, updated_at)
       VALUES ($1, $2, $3, 'draft', $4, $5, $6, 'report', 1, $7, $7, $8, $8)
       ON CONFLICT (indicator, region, period) DO NOTHING RETURNING id`,
      [body.indicator, body.region, body.period, String(body.value), body.narrative, fields.fallReason, p.actor, at.toISOString()],
    );
    if (!ins.rows[0]) throw conflict("another report for this indicator, region and month was created at the same time; reload it");
    const newId = Number(ins.rows[0].id);
    await appendAudit(tx, {
      actor: p.actor,
      action: "report.save",
      entity: "report",
      entityId: String(newId),
      before: null,
      after: { indicator: body.indicator, region: body.region, period: body.period, ...snapshot({ state: "draft", verifiedValue: null, reviewReason: null, version: 1, ...fields }) },
      at,
    });
    return { created: true, id: newId };
  }
  const before = await loadReportScope(tx, Number(found.rows[0]!.id), true);
  if (!editableState(before.state)) throw new TransitionNotAllowed({ from: before.state, action: "edit", reason: "only a draft or a returned report can be edited" });
  if (body.version !== undefined && body.version !== before.version)
    throw conflict(`the report changed since you read it (version ${before.version}, not ${body.version}); reload it`, { currentVersion: before.version });
  const upd = await tx.query(
    `UPDATE reports SET reported_value = $3, narrative = $4, fall_reason = $5, version = version + 1, updated_by = $6, updated_at = $7
      WHERE id = $1 AND version = $2`,
    [before.id, before.version, String(body.value), body.narrative, fields.fallReason, p.actor, at.toISOString()],
  );
  if (upd.rowCount === 0) throw conflict("the report changed while you saved it; reload it");
  await appendAudit(tx, { actor: p.actor, action: "report.save", entity: "report", entityId: String(before.id), before: snapshot(before), after: snapshot({ ...before, ...fields, version: before.version + 1 }), at });
  return { created: false, id: before.id };
}

/**
 * Submits a draft or returned report as POST /reports/:id/submit does, inside the caller's
 * transaction: scope, version, transition, narrative and fall checks, the update, the audit entry.
 */
export async function submitReport(
  tx: Queryable,
  p: Principal,
  id: number,
  body: z.infer<typeof SubmitBody>,
  regions: RegionDirectory,
  at: Date,
  /** last month's counted value when the caller read it already (the import, for every row at once) */
  known?: { previous: { period: string; value: number } | null },
): Promise<void> {
  const before = await loadReportScope(tx, id, true);
  assertProjectScope(p, before, regions);
  if (body.version !== undefined && body.version !== before.version)
    throw conflict(`the report changed since you read it (version ${before.version}, not ${body.version}); reload it`, { currentVersion: before.version });
  const next = Either.getOrThrowWith(applyReviewAction(figuresOf(before), { action: "submit" }), (e) => e);
  const fallReason = body.fallReason !== undefined && body.fallReason !== "" ? body.fallReason : before.fallReason;
  const previous = known ? known.previous : await previousCounted(tx, before.indicator, before.region, before.period);
  const problems = submitProblems(before, previous, fallReason);
  if (problems.length > 0) throw invalid(problems);
  const upd = await tx.query(
    `UPDATE reports SET state = $3, verified_value = NULL, review_reason = NULL, fall_reason = $4, version = version + 1,
            updated_by = $5, updated_at = $6, submitted_at = $6
      WHERE id = $1 AND version = $2`,
    [id, before.version, next.state, fallReason, p.actor, at.toISOString()],
  );
  if (upd.rowCount === 0) throw conflict("the report changed while you submitted it; reload it");
  await appendAudit(tx, {
    actor: p.actor,
    action: "report.submit",
    entity: "report",
    entityId: String(id),
    before: snapshot(before),
    after: snapshot({ ...before, state: next.state, verifiedValue: null, reviewReason: null, fallReason, version: before.version + 1 }),
    at,
  });
}

/** One row of a batch: the form's draft fields, submitted right after saving. */
export interface BatchReport {
  indicator: string;
  region: string;
  value: number;
  narrative: string;
  /** given to the save and to the submission, as the form sends it (absent when empty) */
  fallReason?: string;
}

/** A batch stopped at one of its rows: `cause` is what the form would have answered for that row. */
export class BatchRowFailed extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`row ${index}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/**
 * Saves and submits many reports of one month as saveDraft + submitReport would one after the
 * other (the same checks, rows, versions and audit entries, in the same order), with set-based
 * statements: one locked read, one INSERT of the new reports, one UPDATE of the drafts and
 * returned ones, and the audit entries appended together. Every check runs before anything is
 * written; a failing row throws BatchRowFailed with the form's error. Inside the caller's transaction.
 */
export async function saveAndSubmitMany(
  tx: Queryable,
  p: Principal,
  period: string,
  items: readonly BatchReport[],
  regions: RegionDirectory,
  at: Date,
  /** what the caller read already in this transaction (the import's checks) */
  known?: { facts: Map<string, IndicatorFacts>; previous: Map<string, { period: string; value: number }> },
): Promise<{ created: boolean; id: number }[]> {
  if (items.length === 0) return [];
  const pairs = items.map((x) => ({ indicator: x.indicator, region: x.region }));
  const facts = known?.facts ?? (await indicatorFacts(tx, [...new Set(items.map((x) => x.indicator))]));
  const previous = known?.previous ?? (await previousCountedMany(tx, pairs, period));
  // The reports already there, locked as saveDraft locks each one.
  const { rows: found } = await tx.query<Row>(
    `SELECT r.id, r.region, r.state, r.version, r.source, pr.lead_unit, r.reported_value::text AS reported_value,
            r.verified_value::text AS verified_value, r.narrative, r.fall_reason, r.review_reason, r.indicator, r.period
       FROM reports r JOIN unnest($2::text[], $3::text[]) AS want(indicator, region) ON want.indicator = r.indicator AND want.region = r.region
       JOIN indicators i ON i.id = r.indicator JOIN projects pr ON pr.id = i.project
      WHERE r.period = $1
      FOR UPDATE OF r`,
    [period, pairs.map((x) => x.indicator), pairs.map((x) => x.region)],
  );
  const existing = new Map(found.map((r) => [`${r.indicator}|${r.region}`, scopeOf(r)]));
  const actor = p.actor;
  const when = at.toISOString();

  // 1. Every check, in row order, before any write.
  type Planned = { item: BatchReport; key: string; before: ReportScope | null; saved: ReportScope; fallReason: string | null };
  const planned: Planned[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const fail = (e: unknown): never => {
      throw new BatchRowFailed(index, e);
    };
    const key = `${item.indicator}|${item.region}`;
    const ind = facts.get(item.indicator);
    const problems = draftProblems(p, { indicator: item.indicator, region: item.region, period, value: item.value }, ind, regions, at);
    if (problems.length > 0) fail(invalid(problems));
    // The same report twice: the form would find the first already submitted.
    if (seen.has(key)) fail(new TransitionNotAllowed({ from: "submitted", action: "edit", reason: "only a draft or a returned report can be edited" }));
    seen.add(key);
    const fields = { reportedValue: Number(String(item.value)), narrative: item.narrative, fallReason: item.fallReason ?? null };
    const before = existing.get(key) ?? null;
    if (before && !editableState(before.state)) fail(new TransitionNotAllowed({ from: before.state, action: "edit", reason: "only a draft or a returned report can be edited" }));
    // The report as submitReport reads it back after the save.
    const saved: ReportScope = before
      ? { ...before, ...fields, version: before.version + 1 }
      : { id: 0, region: item.region, state: "draft", version: 1, source: "report", leadUnit: ind!.leadUnit, verifiedValue: null, reviewReason: null, indicator: item.indicator, period, ...fields };
    try {
      assertProjectScope(p, saved, regions);
    } catch (e) {
      fail(e);
    }
    const next = applyReviewAction(figuresOf(saved), { action: "submit" });
    if (Either.isLeft(next)) fail(next.left);
    const fallReason = item.fallReason !== undefined && item.fallReason !== "" ? item.fallReason : saved.fallReason;
    const submit = submitProblems(saved, previous.get(key) ?? null, fallReason);
    if (submit.length > 0) fail(invalid(submit));
    planned.push({ item, key, before, saved, fallReason });
  });

  // 2. The new reports, inserted as the form leaves them: submitted, version 2.
  const fresh = planned.filter((x) => x.before === null);
  const ids = new Map<string, number>();
  if (fresh.length > 0) {
    const { rows } = await tx.query<{ id: string; indicator: string; region: string }>(
      `INSERT INTO reports (indicator, region, period, state, reported_value, narrative, fall_reason, source, version, created_by, updated_by, created_at, updated_at, submitted_at)
       SELECT w.indicator, w.region, $1, 'submitted', w.value::numeric, w.narrative, w.fall_reason, 'report', 2, $2, $2, $3::timestamptz, $3::timestamptz, $3::timestamptz
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS w(indicator, region, value, narrative, fall_reason, ord)
        ORDER BY w.ord
       ON CONFLICT (indicator, region, period) DO NOTHING RETURNING id, indicator, region`,
      [
        period,
        actor,
        when,
        fresh.map((x) => x.item.indicator),
        fresh.map((x) => x.item.region),
        fresh.map((x) => String(x.item.value)),
        fresh.map((x) => x.item.narrative),
        fresh.map((x) => x.saved.fallReason),
      ],
    );
    for (const r of rows) ids.set(`${r.indicator}|${r.region}`, Number(r.id));
    const lost = fresh.findIndex((x) => !ids.has(x.key));
    if (lost >= 0) throw new BatchRowFailed(planned.indexOf(fresh[lost]!), conflict("another report for this indicator, region and month was created at the same time; reload it"));
  }

  // 3. The drafts and returned reports, saved and submitted: version + 2.
  const edited = planned.filter((x) => x.before !== null);
  if (edited.length > 0) {
    const upd = await tx.query(
      `UPDATE reports r SET reported_value = w.value::numeric, narrative = w.narrative, fall_reason = w.fall_reason, state = 'submitted',
              verified_value = NULL, review_reason = NULL, version = r.version + 2, updated_by = $1, updated_at = $2::timestamptz, submitted_at = $2::timestamptz
         FROM unnest($3::bigint[], $4::int[], $5::text[], $6::text[], $7::text[]) AS w(id, version, value, narrative, fall_reason)
        WHERE r.id = w.id AND r.version = w.version`,
      [actor, when, edited.map((x) => x.before!.id), edited.map((x) => x.before!.version), edited.map((x) => String(x.item.value)), edited.map((x) => x.item.narrative), edited.map((x) => x.fallReason)],
    );
    if (upd.rowCount !== edited.length) throw conflict("a report changed while the batch was saved; reload it");
  }

  // 4. The audit entries, in the order the form writes them: each row's save, then its submission.
  const entries: AuditEntry[] = [];
  const out: { created: boolean; id: number }[] = [];
  for (const x of planned) {
    const id = x.before ? x.before.id : ids.get(x.key)!;
    const saved = { ...x.saved, id };
    entries.push(
      x.before
        ? { actor, action: "report.save", entity: "report", entityId: String(id), before: snapshot(x.before), after: snapshot(saved), at }
        : {
            actor,
            action: "report.save",
            entity: "report",
            entityId: String(id),
            before: null,
            after: { indicator: x.item.indicator, region: x.item.region, period, ...snapshot({ ...saved, reportedValue: x.item.value }) },
            at,
          },
      {
        actor,
        action: "report.submit",
        entity: "report",
        entityId: String(id),
        before: snapshot(saved),
        after: snapshot({ ...saved, state: "submitted", verifiedValue: null, reviewReason: null, fallReason: x.fallReason, version: saved.version + 1 }),
        at,
      },
    );
    out.push({ created: x.before === null, id });
  }
  await appendAuditMany(tx, entries);
  return out;
}

/** Regions a caller may see: its subtree, or null for everywhere (admin). */
export async function areaOf(p: Principal, deps: Deps): Promise<string[] | null> {
  await deps.regions.ready();
  return p.region === null ? null : deps.regions.subtree(p.region);
}

// ---------------------------------------------------------------------------------------------
// Due and missing reports

/** The last day to report a month: the domain's rule (calendar.ts). */
export const deadlineOf = reportingDeadline;

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
 * Indicator × region pairs that must be reported for the month in an area: regions holding a
 * target with no region below them holding one for the same indicator (a parent's figure is the
 * roll-up of its children), plans of the month's year, linked indicators excepted (they take the
 * linked indicator's figures). Those without a submitted or counted report are returned.
 */
export async function dueWithoutReport(deps: Deps, period: string, area: string[] | null, unit: string | null): Promise<DueRow[]> {
  const params: unknown[] = [period, periodYear(period)];
  let where = "pl.year = $2 AND i.linked_to IS NULL";
  if (area) {
    params.push(area);
    where += ` AND t.region = ANY($${params.length}::text[])`;
  }
  if (unit) {
    params.push(unit);
    where += ` AND pr.lead_unit = $${params.length}`;
  }
  const { rows } = await deps.db.query<DueRow>(
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
  // Regions holding a target, per indicator, to find those with a target further down.
  const indicators = [...new Set(rows.map((r) => r.indicator))];
  const all = indicators.length
    ? (await deps.db.query<{ indicator: string; region: string }>("SELECT indicator, region FROM targets WHERE indicator = ANY($1::text[])", [indicators])).rows
    : [];
  const targetRegions = new Map<string, string[]>();
  for (const t of all) (targetRegions.get(t.indicator) ?? targetRegions.set(t.indicator, []).get(t.indicator)!).push(t.region);
  await deps.regions.ready();
  const hasTargetBelow = (indicator: string, region: string) =>
    (targetRegions.get(indicator) ?? []).some((other) => other !== region && deps.regions.isWithin(other, region));
  return rows.filter((r) => !(r.state !== null && DONE.has(r.state)) && !hasTargetBelow(r.indicator, r.region));
}

const dueView = (r: DueRow) => ({
  indicator: { id: r.indicator, name: r.indicator_name, unit: r.indicator_unit, kind: r.indicator_kind },
  project: { id: r.project, title: r.project_title },
  unit: { id: r.lead_unit, name: r.unit_name },
  region: { code: r.region, name: r.region_name },
  target: Number(r.target),
  report: r.report_id !== null ? { id: Number(r.report_id), state: r.state!, version: Number(r.version) } : null,
  previous: r.previous_value !== null ? { period: r.previous_period!, value: Number(r.previous_value) } : null,
});

const figuresOf = (r: ReportScope): ReportFigures => ({ state: r.state, reportedValue: r.reportedValue, verifiedValue: r.verifiedValue, reason: r.reviewReason });

const previousMonth = previousPeriod;

// ---------------------------------------------------------------------------------------------
// Routes

export const reportRoutes = new Hono<AppEnv>()
  /** Reports the caller may see (its region's subtree), newest month first. */
  .get("/", queryOf(ListQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "reports.read");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    let area = await areaOf(p, deps);
    if (q.region !== undefined) {
      if (!deps.regions.get(q.region)) throw notFound(`region ${q.region}`);
      assertRegion(p, q.region, deps.regions);
      area = deps.regions.subtree(q.region);
    }
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (area) add((n) => `r.region = ANY(${n}::text[])`, area);
    // a unit's reporter reads its unit's projects only
    if (p.unit !== null) add((n) => `pr.lead_unit = ${n}`, p.unit);
    if (q.period) add((n) => `r.period = ${n}`, q.period);
    if (q.state) add((n) => `r.state = ${n}`, q.state);
    if (q.indicator) add((n) => `r.indicator = ${n}`, q.indicator);
    params.push(q.limit, q.offset);
    const { rows } = await deps.db.query<Row>(
      `${VIEW_SQL} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY r.period DESC, i.position, r.indicator, r.region LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    let total = rows[0] ? Number(rows[0].total) : 0;
    if (rows.length === 0 && q.offset > 0) {
      // Paged past the end: count without the page.
      const counted = await deps.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM reports r JOIN indicators i ON i.id = r.indicator JOIN projects pr ON pr.id = i.project ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`,
        params.slice(0, -2),
      );
      total = Number(counted.rows[0]!.n);
    }
    return c.json({ total, limit: q.limit, offset: q.offset, reports: rows.map(reportView) });
  })
  /** A reporter's to-do for the month (default: this month): what is due and not yet submitted. */
  .get("/tasks", queryOf(PeriodQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const deps = c.get("deps");
    const period = c.req.valid("query").period ?? periodAt(deps.now().getTime());
    const rows = await dueWithoutReport(deps, period, await areaOf(p, deps), p.unit);
    return c.json({ period, deadline: deadlineOf(period, deps.config.reportDeadlineDay), tasks: rows.map(dueView) });
  })
  /** For staff and reviewers: reports still missing after the month's deadline, per unit and region. */
  .get("/missing", queryOf(PeriodQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "reports.read");
    if (p.role === "reporter") throw forbidden("missing reports are for task-force staff and reviewers");
    const deps = c.get("deps");
    const now = deps.now().getTime();
    const current = periodAt(now);
    const period = c.req.valid("query").period ?? previousMonth(current);
    const deadline = deadlineOf(period, deps.config.reportDeadlineDay);
    const pastDeadline = chinaDate(now) > deadline;
    const rows = pastDeadline ? await dueWithoutReport(deps, period, await areaOf(p, deps), p.unit) : [];
    const groups = new Map<string, { unit: { id: string; name: string }; region: { code: string; name: string }; indicators: unknown[] }>();
    for (const r of rows) {
      const key = `${r.lead_unit}|${r.region}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { unit: { id: r.lead_unit, name: r.unit_name }, region: { code: r.region, name: r.region_name }, indicators: [] }));
      g.indicators.push({ id: r.indicator, name: r.indicator_name, project: r.project, state: r.state, reportId: r.report_id !== null ? Number(r.report_id) : null });
    }
    return c.json({ period, deadline, pastDeadline, total: rows.length, missing: [...groups.values()] });
  })
  /** Creates or updates the draft for {indicator, region, period} (a returned report stays returned until resubmitted). */
  .put("/", jsonBody(SaveBody), async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    const { db, regions } = deps;
    await regions.ready();
    const at = deps.now();
    const { created, id } = await db.transaction((tx) => saveDraft(tx, p, body, regions, at));
    return c.json(await viewOf(db, id), created ? 201 : 200);
  })
  .get("/:id", paramsOf(ReportIdParam), async (c) => {
    const p = requirePermission(c.get("principal"), "reports.read");
    const { id } = c.req.valid("param");
    const { db, regions } = c.get("deps");
    await regions.ready();
    const view = await viewOf(db, id);
    assertProjectScope(p, { region: view.region.code, leadUnit: view.project.leadUnit }, regions);
    return c.json({ ...view, evidence: await evidenceOfReport(db, id) });
  })
  /** Submits a draft or returned report for review; a fall versus last month needs a reason. */
  .post("/:id/submit", paramsOf(ReportIdParam), jsonBody(SubmitBody), async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    await deps.regions.ready();
    const at = deps.now();
    await deps.db.transaction((tx) => submitReport(tx, p, id, body, deps.regions, at));
    return c.json(await viewOf(deps.db, id));
  })
  /**
   * A reviewer's decision on the version it saw: verify, reduce (核减) to a lower verified value
   * with a reason, return with a reason, or reopen a decision. Two reviewers at once: one wins,
   * the other gets 409.
   */
  .post("/:id/review", paramsOf(ReportIdParam), jsonBody(ReviewBody), async (c) => {
    const p = requirePermission(c.get("principal"), "reports.review");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    if (body.action === "submit") throw invalid([{ path: "$.action", message: "submitting is the reporter's: POST /reports/:id/submit" }]);
    const deps = c.get("deps");
    await deps.regions.ready();
    const at = deps.now();
    await deps.db.transaction(async (tx) => {
      // Not locked: the version in the UPDATE below decides who wins a race.
      const before = await loadReportScope(tx, id);
      assertProjectScope(p, before, deps.regions);
      if (before.source === "import")
        throw new TransitionNotAllowed({ from: before.state, action: body.action, reason: "imported official figures are verified; they change only by importing a bundle" });
      if (body.version !== before.version)
        throw conflict(`the report changed since you read it (version ${before.version}, not ${body.version}); reload it`, { currentVersion: before.version });
      const next = Either.getOrThrowWith(applyReviewAction(figuresOf(before), body), (e) => e);
      const upd = await tx.query(
        `UPDATE reports SET state = $3, verified_value = $4, review_reason = $5, version = version + 1,
                reviewed_by = $6, reviewed_at = $7, updated_by = $6, updated_at = $7
          WHERE id = $1 AND version = $2`,
        [id, body.version, next.state, next.verifiedValue === null ? null : String(next.verifiedValue), next.reason, p.actor, at.toISOString()],
      );
      if (upd.rowCount === 0) throw conflict("another reviewer acted on this report first; reload it");
      await appendAudit(tx, {
        actor: p.actor,
        action: `report.${body.action}`,
        entity: "report",
        entityId: String(id),
        before: snapshot(before),
        after: snapshot({ ...before, state: next.state, verifiedValue: next.verifiedValue, reviewReason: next.reason, version: before.version + 1 }),
        at,
      });
    });
    return c.json(await viewOf(deps.db, id));
  })
  /** Attaches an evidence file (multipart, field `file`) to a draft or returned report. */
  .post("/:id/evidence", paramsOf(ReportIdParam), uploadLimit, async (c) => addEvidence(c, c.req.valid("param").id))
  .get("/:id/evidence", paramsOf(ReportIdParam), async (c) => {
    const p = requirePermission(c.get("principal"), "evidence.read");
    const { id } = c.req.valid("param");
    const { db, regions } = c.get("deps");
    await regions.ready();
    const report = await loadReportScope(db, id);
    assertProjectScope(p, report, regions);
    return c.json({ evidence: await evidenceOfReport(db, id) });
  });
