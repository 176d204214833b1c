import { createHash } from "node:crypto";
import { type ErrorCode, errorCodes, isEditableReportState, type PreviousCounted, type Problem, reportStateLabel } from "@minsheng/domain";
import { appendAudit, type Queryable } from "@minsheng/db";
import type { Principal } from "../auth/principal.js";
import type { Deps } from "../lib/context.js";
import { CodedError, coded } from "../lib/errors.js";
import { problemsOf } from "../lib/validate.js";
import type { RegionDirectory } from "../lib/regions.js";
import { figuresOfReports, reportStatesOf } from "../reports/data.js";
import { SaveBody } from "../reports/schemas.js";
import {
  BatchRowFailed,
  draftProblems,
  dueWithoutReport,
  type IndicatorFacts,
  indicatorFacts,
  previousCountedMany,
  saveAndSubmitMany,
  submitProblems,
} from "../reports/service.js";
import { type CellProblem, cellProblem, COLUMNS, type ColumnKey, DATA_SHEET, type ParsedUpload, type TemplateRow, type UploadRow } from "./workbook.js";

/**
 * Excel import of monthly figures, the workflow: every row is checked with the reports' own rules
 * (the form's schema, draftProblems, submitProblems) and each problem named by sheet, row and
 * column; nothing is written unless every row passes, and then every row is saved and submitted
 * as the form does (reports/service.ts saveAndSubmitMany: the same rows and audit entries),
 * set-based, in one transaction, audited.
 */

/** Problems listed at most in one answer (the count says how many there were). */
const MAX_PROBLEMS = 2000;

type Columns = Partial<Record<ColumnKey, number>>;

const columnOf = (key: ColumnKey, columns: Columns) => columns[key] ?? null;
const headerOf = (key: ColumnKey) => COLUMNS.find((c) => c.key === key)!.header;

/** Maps a problem of the form ($.value …) to the cell of the row that holds that field. */
function atCell(row: number, columns: Columns, problem: Problem, period: string): CellProblem {
  const field = problem.path.replace(/^\$\./, "").split(/[.[]/)[0] as string;
  const key: ColumnKey | null = field === "period" ? "indicator" : (["indicator", "region", "value", "narrative", "fallReason"] as const).find((k) => k === field) ?? null;
  // a month's problem names the month (its code's text does too, from its params)
  const message = field === "period" ? `month ${period} ${problem.message}` : problem.message;
  return key ? cellProblem(DATA_SHEET, row, columnOf(key, columns), headerOf(key), message, problem) : cellProblem(DATA_SHEET, row, null, null, `${problem.path}: ${message}`, problem);
}

/** 400 naming every problem by cell (at most MAX_PROBLEMS; `total` counts them all): nothing is written. */
export function refuse(problems: CellProblem[], rows: number): never {
  const failing = new Set(problems.map((p) => p.row)).size;
  throw new CodedError(
    "IMPORT_ROWS_INVALID",
    { rows, failing, count: problems.length },
    `${problems.length} problem(s) in ${failing} of ${rows} row(s); nothing was imported`,
    problems.slice(0, MAX_PROBLEMS),
    { total: problems.length, truncated: problems.length > MAX_PROBLEMS },
  );
}

interface CheckedRow {
  row: UploadRow;
  value: number;
}

/** What the checks read, handed to the writes so they do not read it again. */
interface CheckFacts {
  facts: Map<string, IndicatorFacts>;
  previous: Map<string, PreviousCounted>;
}

/**
 * Checks every row against the database as the form would, reading what the checks need in a
 * few queries for the whole upload. Returns the problems (empty: every row may be written).
 */
async function checkRows(
  db: Queryable,
  p: Principal,
  regions: RegionDirectory,
  at: Date,
  period: string,
  rows: readonly UploadRow[],
  columns: Columns,
): Promise<{ problems: CellProblem[]; checked: CheckedRow[]; known: CheckFacts }> {
  const problems: CellProblem[] = [];
  const checked: CheckedRow[] = [];
  const ids = [...new Set(rows.map((r) => r.indicator).filter((s) => s !== ""))];
  const facts = await indicatorFacts(db, ids);
  const pairs = rows.filter((r) => r.indicator !== "" && r.region !== "").map((r) => ({ indicator: r.indicator, region: r.region }));
  const previous = await previousCountedMany(db, pairs, period);
  const existing = await reportStatesOf(db, period, ids);
  const firstRow = new Map<string, number>();
  const cell = (r: UploadRow, key: ColumnKey, message: string, kind: ReturnType<typeof coded>) => cellProblem(DATA_SHEET, r.row, columnOf(key, columns), headerOf(key), message, kind);

  for (const r of rows) {
    const before = problems.length;
    const key = `${r.indicator}|${r.region}`;
    if (r.indicator !== "" && r.region !== "") {
      const first = firstRow.get(key);
      if (first !== undefined) problems.push(cell(r, "indicator", `duplicates row ${first}: the same indicator and region twice`, coded("IMPORT_ROW_DUPLICATE", { first })));
      else firstRow.set(key, r.row);
    }
    if (typeof r.value === "string") problems.push(cell(r, "value", `is not a number: "${r.value.slice(0, 40)}"`, coded("IMPORT_VALUE_NOT_NUMBER", { text: r.value.slice(0, 40) })));
    else if (r.value === null) problems.push(cell(r, "value", "is empty: fill in this month's cumulative value, or clear the whole row", coded("IMPORT_VALUE_EMPTY")));
    // The form's own schema: field formats, lengths and ranges.
    const parsed = SaveBody.safeParse({
      indicator: r.indicator,
      region: r.region,
      period,
      value: typeof r.value === "number" ? r.value : 0,
      narrative: r.narrative,
      ...(r.fallReason !== "" ? { fallReason: r.fallReason } : {}),
    });
    if (!parsed.success) {
      for (const issue of problemsOf(parsed.error)) problems.push(atCell(r.row, columns, issue, period));
      continue;
    }
    if (problems.length > before) continue;
    const value = r.value as number;
    const draft = draftProblems(p, { indicator: r.indicator, region: r.region, period, value }, facts.get(r.indicator), regions, at);
    for (const pr of draft) problems.push(atCell(r.row, columns, pr, period));
    if (draft.length > 0) continue;
    const state = existing.get(key) ?? null;
    if (!isEditableReportState(state)) {
      problems.push(
        cell(r, "value", `the ${period} report of this indicator and region is already ${state}; only a draft or a returned report can be replaced`, coded("IMPORT_REPORT_NOT_REPLACEABLE", { period, state: reportStateLabel[state!] })),
      );
      continue;
    }
    for (const pr of submitProblems({ narrative: r.narrative, reportedValue: value }, previous.get(key) ?? null, r.fallReason === "" ? null : r.fallReason))
      problems.push(atCell(r.row, columns, pr, period));
    if (problems.length === before) checked.push({ row: r, value });
  }
  return { problems, checked, known: { facts, previous } };
}

/** The template's rows: what is due in the area for the unit and month, with saved drafts filled in. */
export async function templateRows(deps: Deps, period: string, area: string[] | null, unit: string | null): Promise<TemplateRow[]> {
  const due = await dueWithoutReport(deps, period, area, unit);
  const drafts = await figuresOfReports(deps.db, due.map((d) => d.report_id).filter((x): x is string => x !== null));
  return due.map((d) => {
    const draft = d.report_id !== null ? drafts.get(String(d.report_id)) : undefined;
    return {
      indicator: d.indicator,
      region: d.region,
      project: d.project_title,
      indicatorName: d.indicator_name,
      unit: d.indicator_unit,
      regionName: d.region_name,
      target: Number(d.target),
      previous: d.previous_value !== null ? { period: d.previous_period!, value: Number(d.previous_value) } : null,
      ...(draft ? { value: draft.value, narrative: draft.narrative, fallReason: draft.fallReason } : {}),
    };
  });
}

export interface ImportedRow {
  row: number;
  id: number;
  indicator: string;
  region: string;
  value: number;
  created: boolean;
}

/** Checks the rows only (dry run): 400 naming every problem, else nothing. */
export async function checkImport(db: Queryable, p: Principal, regions: RegionDirectory, at: Date, period: string, parsed: ParsedUpload): Promise<void> {
  const { problems } = await checkRows(db, p, regions, at, period, parsed.rows, parsed.columns);
  if (problems.length > 0) refuse(problems, parsed.rows.length);
}

/**
 * Checks and writes every row in one transaction (nothing unless all pass), audited as one
 * import of the workbook (its SHA-256 and name).
 */
export async function importRows(
  db: Deps["db"],
  p: Principal,
  regions: RegionDirectory,
  at: Date,
  period: string,
  parsed: ParsedUpload,
  file: { bytes: Uint8Array; name: string | null },
): Promise<ImportedRow[]> {
  const sha256 = createHash("sha256").update(file.bytes).digest("hex");
  return db.transaction(async (tx) => {
    const { problems, checked, known } = await checkRows(tx, p, regions, at, period, parsed.rows, parsed.columns);
    if (problems.length > 0) refuse(problems, parsed.rows.length);
    let written: { created: boolean; id: number }[];
    try {
      // The form's save + submit for every row, set-based.
      const items = checked.map(({ row, value }) => ({ indicator: row.indicator, region: row.region, value, narrative: row.narrative, ...(row.fallReason !== "" ? { fallReason: row.fallReason } : {}) }));
      written = await saveAndSubmitMany(tx, p, period, items, regions, at, known);
    } catch (failed) {
      if (!(failed instanceof BatchRowFailed)) throw failed;
      // Checked above, so only a change made meanwhile lands here: name the row, keep the status.
      const row = checked[failed.index]!.row;
      const e = failed.cause;
      if (e instanceof CodedError && errorCodes[e.code as ErrorCode].status === 400 && e.problems.length > 0)
        refuse(e.problems.map((pr) => atCell(row.row, parsed.columns, pr, period)), parsed.rows.length);
      if (e instanceof CodedError) throw new CodedError(e.code, e.params, `${DATA_SHEET} row ${row.row}: ${e.message}; nothing was imported`, e.problems, e.extra);
      throw e;
    }
    const reports = checked.map(({ row, value }, i) => ({ row: row.row, id: written[i]!.id, indicator: row.indicator, region: row.region, value, created: written[i]!.created }));
    await appendAudit(tx, {
      actor: p.actor,
      action: "reports.import",
      entity: "report-import",
      entityId: sha256.slice(0, 16),
      before: null,
      after: {
        period,
        sha256,
        filename: file.name === null ? null : file.name.slice(0, 200),
        rows: reports.length,
        created: reports.filter((r) => r.created).length,
        reportIds: reports.map((r) => r.id),
      },
      at,
    });
    return reports;
  });
}
