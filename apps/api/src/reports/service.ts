import {
  applyReviewAction,
  chinaDate,
  isEditableReportState,
  periodAt,
  periodYear,
  type PreviousCounted,
  type Problem,
  previousPeriod,
  type ReportFigures,
  type ReportState,
  reportingDeadline,
  reportStateLabel,
  type ReviewAction,
  type SubmitIssue,
  submitIssues,
  submittedFallReason,
} from "@minsheng/domain";
import { appendAudit, appendAuditMany, type AuditEntry, type Queryable } from "@minsheng/db";
import { Either } from "@minsheng/domain";
import { assertProjectScope, mayAccessRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import type { Deps } from "../lib/context.js";
import { CodedError, coded, fail, failWith } from "../lib/errors.js";
import type { RegionDirectory } from "../lib/regions.js";
import {
  type DueRow,
  findReportId,
  findReportScope,
  findReportView,
  type IndicatorFacts,
  indicatorFacts,
  insertDraft,
  insertSubmittedMany,
  lockReportsOfPairs,
  markSubmitted,
  previousCountedMany,
  recordReview,
  type ReportScope,
  type ReportView,
  submitEditedMany,
  targetRegionsOf,
  targetsOfMonth,
  updateDraft,
} from "./data.js";

/**
 * 月度填报与核验, the workflow: a reporter saves a draft of the cumulative value and narrative
 * (进展情况) for an indicator, region and month and submits it; a reviewer verifies, reduces
 * (核减), returns or reopens it. Only verified and reduced figures count in published numbers.
 * The checks and writes of the form are shared with the Excel import (imports/), which runs them
 * for many rows in one transaction.
 */

export type { IndicatorFacts, ReportScope, ReportView } from "./data.js";
export { indicatorFacts, previousCountedMany } from "./data.js";

/** Problems by field, each with its own code (the error table) and parameters. */
type Problems = Problem[];

// ---------------------------------------------------------------------------------------------
// Reading and scope

/** The report as listings show it, or 404. */
export async function viewOf(db: Queryable, id: number): Promise<ReportView> {
  const view = await findReportView(db, id);
  if (!view) throw fail("REPORT_NOT_FOUND", { id });
  return view;
}

/** The report (locked for update inside a transaction when `lock`), or 404. */
export async function loadReportScope(db: Queryable, id: number, lock = false): Promise<ReportScope> {
  const report = await findReportScope(db, id, lock);
  if (!report) throw fail("REPORT_NOT_FOUND", { id });
  return report;
}

/**
 * Whether the principal may change a report now (its figure, its evidence): 404 when there is
 * none, 403 outside the principal's area or unit (checked first: nobody learns anything about a
 * report outside their area), and `editable` whether its state lets a reporter write it.
 */
export async function reportEditableBy(db: Queryable, p: Principal, id: number, regions: RegionDirectory, lock = false): Promise<{ report: ReportScope; editable: boolean }> {
  const report = await loadReportScope(db, id, lock);
  assertProjectScope(p, report, regions);
  return { report, editable: isEditableReportState(report.state) };
}

/** Regions a caller may see: its subtree, or null for everywhere (admin). */
export async function areaOf(p: Principal, deps: Deps): Promise<string[] | null> {
  await deps.regions.ready();
  return p.region === null ? null : deps.regions.subtree(p.region);
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

const figuresOf = (r: ReportScope): ReportFigures => ({ state: r.state, reportedValue: r.reportedValue, verifiedValue: r.verifiedValue, reason: r.reviewReason });

const notEditable = (state: ReportState) => fail("REPORT_NOT_EDITABLE", { state: reportStateLabel[state] });

/** 409: the version sent is not the report's (the answer names the current one). */
const stale = (current: number, sent: number) =>
  new CodedError("REPORT_VERSION_STALE", { current, sent }, undefined, [], { currentVersion: current });

// ---------------------------------------------------------------------------------------------
// Saving and submitting

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
  if (!ind) problems.push({ path: "$.indicator", message: `unknown indicator "${d.indicator}"`, ...coded("REPORT_INDICATOR_UNKNOWN", { indicator: d.indicator }) });
  else {
    if (ind.linkedTo !== null)
      problems.push({ path: "$.indicator", message: `takes its figures from the linked indicator ${ind.linkedTo}; report there`, ...coded("REPORT_INDICATOR_LINKED", { linkedTo: ind.linkedTo }) });
    if (p.unit !== null && ind.leadUnit !== p.unit)
      problems.push({ path: "$.indicator", message: `belongs to a project led by ${ind.leadUnit}, not your unit ${p.unit}`, ...coded("REPORT_PROJECT_NOT_YOUR_UNIT", { leadUnit: ind.leadUnit, unit: p.unit }) });
    if (ind.year !== periodYear(d.period))
      problems.push({ path: "$.period", message: `is not in the plan's year ${ind.year}`, ...coded("REPORT_PERIOD_OUTSIDE_PLAN_YEAR", { period: d.period, year: ind.year }) });
    if (ind.kind === "milestone" && d.value > 100) problems.push({ path: "$.value", message: "is a milestone percent: at most 100", ...coded("REPORT_VALUE_MILESTONE_OVER_100") });
  }
  if (d.period > periodAt(at.getTime())) problems.push({ path: "$.period", message: "is a month that has not begun yet", ...coded("REPORT_PERIOD_NOT_BEGUN", { period: d.period }) });
  if (!regions.get(d.region)) problems.push({ path: "$.region", message: `unknown region "${d.region}"`, ...coded("REPORT_REGION_UNKNOWN", { region: d.region }) });
  else if (!mayAccessRegion(p, d.region, regions)) problems.push({ path: "$.region", message: `is outside your area (${p.region})`, ...coded("REPORT_REGION_NOT_YOURS") });
  else if (ind && !ind.targetRegions.some((t) => regions.isWithin(t, d.region)))
    problems.push({ path: "$.region", message: `has no target for ${d.indicator} (itself or below)`, ...coded("REPORT_REGION_NO_TARGET", { indicator: d.indicator }) });
  return problems;
}

/** A submission's issue (the domain's rule) as a problem: its error's code and parameters. */
const problemOf = (issue: SubmitIssue): Problem => ({ path: issue.path, message: issue.message, code: issue.code, params: "params" in issue ? issue.params : {} });

/** Why a report may not be submitted (the domain's rule), by field: no narrative, or a fall without a reason. */
export const submitProblems = (r: { narrative: string; reportedValue: number }, previous: PreviousCounted | null, fallReason: string | null): Problems =>
  submitIssues(r, previous, fallReason).map(problemOf);

/** The error of a draft's problems (400, every problem named). */
const draftInvalid = (problems: Problems) => failWith("REPORT_DRAFT_INVALID", {}, problems);

/** The error of a submission's problems (400): the first problem's code, every problem named. */
function submitRefused(r: { narrative: string; reportedValue: number }, previous: PreviousCounted | null, fallReason: string | null): CodedError | null {
  const issues = submitIssues(r, previous, fallReason);
  const [first] = issues;
  if (!first) return null;
  const problems = issues.map(problemOf);
  return first.code === "REPORT_FALL_NEEDS_REASON" ? failWith(first.code, first.params, problems) : failWith(first.code, {}, problems);
}

/** What PUT /reports takes. */
export interface DraftInput {
  indicator: string;
  region: string;
  period: string;
  value: number;
  narrative: string;
  fallReason?: string | undefined;
  /** the version last seen, when updating: a stale one is a 409 */
  version?: number | undefined;
}

/**
 * Saves a draft as PUT /reports does, inside the caller's transaction: checks it (400 naming every
 * problem), creates it or updates a draft or returned report (409 on a stale version), audits it.
 */
export async function saveDraft(
  tx: Queryable,
  p: Principal,
  body: DraftInput,
  regions: RegionDirectory,
  at: Date,
  /** the indicator's facts when the caller read them already */
  known?: { facts: IndicatorFacts | undefined },
): Promise<{ created: boolean; id: number }> {
  const facts = known ? known.facts : (await indicatorFacts(tx, [body.indicator])).get(body.indicator);
  const problems = draftProblems(p, body, facts, regions, at);
  if (problems.length > 0) throw draftInvalid(problems);

  const found = await findReportId(tx, body);
  const fields = { reportedValue: body.value, narrative: body.narrative, fallReason: body.fallReason ?? null };
  if (found === null) {
    const newId = await insertDraft(tx, body, fields, p.actor, at);
    if (newId === null) throw fail("REPORT_CREATED_MEANWHILE");
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
  const before = await loadReportScope(tx, found, true);
  if (!isEditableReportState(before.state)) throw notEditable(before.state);
  if (body.version !== undefined && body.version !== before.version) throw stale(before.version, body.version);
  if (!(await updateDraft(tx, before.id, before.version, fields, p.actor, at))) throw fail("REPORT_CHANGED_MEANWHILE");
  await appendAudit(tx, { actor: p.actor, action: "report.save", entity: "report", entityId: String(before.id), before: snapshot(before), after: snapshot({ ...before, ...fields, version: before.version + 1 }), at });
  return { created: false, id: before.id };
}

/**
 * Submits a draft or returned report as POST /reports/{id}/submit does, inside the caller's
 * transaction: scope, version, transition, narrative and fall checks, the update, the audit entry.
 */
export async function submitReport(
  tx: Queryable,
  p: Principal,
  id: number,
  body: { version?: number | undefined; fallReason?: string | undefined },
  regions: RegionDirectory,
  at: Date,
): Promise<void> {
  const before = await loadReportScope(tx, id, true);
  assertProjectScope(p, before, regions);
  if (body.version !== undefined && body.version !== before.version) throw stale(before.version, body.version);
  const next = Either.getOrThrowWith(applyReviewAction(figuresOf(before), { action: "submit" }), (e) => e);
  const fallReason = submittedFallReason(body.fallReason, before.fallReason);
  const previous = (await previousCountedMany(tx, [before], before.period)).get(`${before.indicator}|${before.region}`) ?? null;
  const refused = submitRefused(before, previous, fallReason);
  if (refused) throw refused;
  if (!(await markSubmitted(tx, id, before.version, next.state, fallReason, p.actor, at))) throw fail("REPORT_CHANGED_MEANWHILE");
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

/**
 * A reviewer's decision on the version it saw, inside the caller's transaction: verify, reduce
 * (核减), return or reopen. Two reviewers at once: one wins, the other gets 409.
 */
export async function reviewReport(
  tx: Queryable,
  p: Principal,
  id: number,
  body: { version: number } & Exclude<ReviewAction, { action: "submit" }>,
  regions: RegionDirectory,
  at: Date,
): Promise<void> {
  // Not locked: the version in the UPDATE decides who wins a race.
  const before = await loadReportScope(tx, id);
  assertProjectScope(p, before, regions);
  if (before.source === "import") throw fail("REPORT_IMPORTED_NOT_REVIEWABLE");
  if (body.version !== before.version) throw stale(before.version, body.version);
  const next = Either.getOrThrowWith(applyReviewAction(figuresOf(before), body), (e) => e);
  if (!(await recordReview(tx, id, body.version, next, p.actor, at))) throw fail("REPORT_REVIEWED_MEANWHILE");
  await appendAudit(tx, {
    actor: p.actor,
    action: `report.${body.action}`,
    entity: "report",
    entityId: String(id),
    before: snapshot(before),
    after: snapshot({ ...before, state: next.state, verifiedValue: next.verifiedValue, reviewReason: next.reason, version: before.version + 1 }),
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
  known?: { facts: Map<string, IndicatorFacts>; previous: Map<string, PreviousCounted> },
): Promise<{ created: boolean; id: number }[]> {
  if (items.length === 0) return [];
  const pairs = items.map((x) => ({ indicator: x.indicator, region: x.region }));
  const facts = known?.facts ?? (await indicatorFacts(tx, [...new Set(items.map((x) => x.indicator))]));
  const previous = known?.previous ?? (await previousCountedMany(tx, pairs, period));
  // The reports already there, locked as saveDraft locks each one.
  const existing = await lockReportsOfPairs(tx, period, pairs);
  const actor = p.actor;

  // 1. Every check, in row order, before any write.
  type Planned = { item: BatchReport; key: string; before: ReportScope | null; saved: ReportScope; fallReason: string | null };
  const planned: Planned[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const stop = (e: unknown): never => {
      throw new BatchRowFailed(index, e);
    };
    const key = `${item.indicator}|${item.region}`;
    const ind = facts.get(item.indicator);
    const problems = draftProblems(p, { indicator: item.indicator, region: item.region, period, value: item.value }, ind, regions, at);
    if (problems.length > 0) stop(draftInvalid(problems));
    // The same report twice: the form would find the first already submitted.
    if (seen.has(key)) stop(notEditable("submitted"));
    seen.add(key);
    const fields = { reportedValue: Number(String(item.value)), narrative: item.narrative, fallReason: item.fallReason ?? null };
    const before = existing.get(key) ?? null;
    if (before && !isEditableReportState(before.state)) stop(notEditable(before.state));
    // The report as submitReport reads it back after the save.
    const saved: ReportScope = before
      ? { ...before, ...fields, version: before.version + 1 }
      : { id: 0, region: item.region, state: "draft", version: 1, source: "report", leadUnit: ind!.leadUnit, verifiedValue: null, reviewReason: null, indicator: item.indicator, period, ...fields };
    try {
      assertProjectScope(p, saved, regions);
    } catch (e) {
      stop(e);
    }
    const next = applyReviewAction(figuresOf(saved), { action: "submit" });
    if (Either.isLeft(next)) stop(next.left);
    const fallReason = submittedFallReason(item.fallReason, saved.fallReason);
    const refused = submitRefused(saved, previous.get(key) ?? null, fallReason);
    if (refused) stop(refused);
    planned.push({ item, key, before, saved, fallReason });
  });

  // 2. The new reports, inserted as the form leaves them: submitted, version 2.
  const fresh = planned.filter((x) => x.before === null);
  let ids = new Map<string, number>();
  if (fresh.length > 0) {
    ids = await insertSubmittedMany(
      tx,
      period,
      fresh.map((x) => ({ indicator: x.item.indicator, region: x.item.region, value: x.item.value, narrative: x.item.narrative, fallReason: x.saved.fallReason })),
      actor,
      at,
    );
    const lost = fresh.findIndex((x) => !ids.has(x.key));
    if (lost >= 0) throw new BatchRowFailed(planned.indexOf(fresh[lost]!), fail("REPORT_CREATED_MEANWHILE"));
  }

  // 3. The drafts and returned reports, saved and submitted: version + 2.
  const edited = planned.filter((x) => x.before !== null);
  if (edited.length > 0) {
    const n = await submitEditedMany(
      tx,
      edited.map((x) => ({ id: x.before!.id, version: x.before!.version, value: x.item.value, narrative: x.item.narrative, fallReason: x.fallReason })),
      actor,
      at,
    );
    if (n !== edited.length) throw fail("REPORT_CHANGED_MEANWHILE");
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

// ---------------------------------------------------------------------------------------------
// Due and missing reports

/** The last day to report a month: the domain's rule (calendar.ts). */
export const deadlineOf = reportingDeadline;

const DONE = new Set<ReportState>(["submitted", "verified", "reduced"]);

/**
 * Indicator × region pairs that must be reported for the month in an area: regions holding a
 * target with no region below them holding one for the same indicator (a parent's figure is the
 * roll-up of its children), plans of the month's year, linked indicators excepted (they take the
 * linked indicator's figures). Those without a submitted or counted report are returned.
 */
export async function dueWithoutReport(deps: Deps, period: string, area: string[] | null, unit: string | null): Promise<DueRow[]> {
  const rows = await targetsOfMonth(deps.db, period, periodYear(period), area, unit);
  // Regions holding a target, per indicator, to find those with a target further down.
  const targetRegions = await targetRegionsOf(deps.db, [...new Set(rows.map((r) => r.indicator))]);
  await deps.regions.ready();
  const hasTargetBelow = (indicator: string, region: string) =>
    (targetRegions.get(indicator) ?? []).some((other) => other !== region && deps.regions.isWithin(other, region));
  return rows.filter((r) => !(r.state !== null && DONE.has(r.state)) && !hasTargetBelow(r.indicator, r.region));
}

/** A reporter's to-do for the month: what is due and not yet submitted. */
export async function tasksOf(p: Principal, deps: Deps, period: string) {
  const rows = await dueWithoutReport(deps, period, await areaOf(p, deps), p.unit);
  return {
    period,
    deadline: deadlineOf(period, deps.config.reportDeadlineDay),
    tasks: rows.map((r) => ({
      indicator: { id: r.indicator, name: r.indicator_name, unit: r.indicator_unit, kind: r.indicator_kind },
      project: { id: r.project, title: r.project_title },
      unit: { id: r.lead_unit, name: r.unit_name },
      region: { code: r.region, name: r.region_name },
      target: Number(r.target),
      report: r.report_id !== null ? { id: Number(r.report_id), state: r.state!, version: Number(r.version) } : null,
      previous: r.previous_value !== null ? { period: r.previous_period!, value: Number(r.previous_value) } : null,
    })),
  };
}

/** Reports still missing after the month's deadline (default: last month), per unit and region; none before the deadline. */
export async function missingOf(p: Principal, deps: Deps, asked: string | undefined) {
  const now = deps.now().getTime();
  const period = asked ?? previousPeriod(periodAt(now));
  const deadline = deadlineOf(period, deps.config.reportDeadlineDay);
  const pastDeadline = chinaDate(now) > deadline;
  const rows = pastDeadline ? await dueWithoutReport(deps, period, await areaOf(p, deps), p.unit) : [];
  type Group = {
    unit: { id: string; name: string };
    region: { code: string; name: string };
    indicators: { id: string; name: string; project: string; state: ReportState | null; reportId: number | null }[];
  };
  const groups = new Map<string, Group>();
  for (const r of rows) {
    const key = `${r.lead_unit}|${r.region}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { unit: { id: r.lead_unit, name: r.unit_name }, region: { code: r.region, name: r.region_name }, indicators: [] }));
    g.indicators.push({ id: r.indicator, name: r.indicator_name, project: r.project, state: r.state, reportId: r.report_id !== null ? Number(r.report_id) : null });
  }
  return { period, deadline, pastDeadline, total: rows.length, missing: [...groups.values()] };
}
