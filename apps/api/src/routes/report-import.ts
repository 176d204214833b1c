import { createHash } from "node:crypto";
import { Period, periodAt, type Problem, type ReportState } from "@minsheng/domain";
import { appendAudit, type Queryable } from "@minsheng/db";
import { Hono } from "hono";
import { z } from "zod";
import { assertRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import type { Principal } from "../auth/principal.js";
import { acceptsBody, MULTIPART_OVERHEAD, tooLarge } from "../lib/body-limit.js";
import type { AppEnv, Deps } from "../lib/context.js";
import { ApiError, forbidden, notFound } from "../lib/errors.js";
import type { RegionDirectory } from "../lib/regions.js";
import {
  buildTemplate,
  type CellProblem,
  cellProblem,
  COLUMNS,
  type ColumnKey,
  DATA_SHEET,
  MAX_IMPORT_BYTES,
  MAX_UNPACKED_BYTES,
  META_SHEET,
  PERIOD_CELL,
  readUpload,
  type TemplateRow,
  type UploadRow,
  unpackedSize,
} from "../lib/report-import.js";
import { contentDisposition, sniff } from "../lib/sniff.js";
import { queryOf } from "../lib/validate.js";
import {
  BatchRowFailed,
  deadlineOf,
  draftProblems,
  dueWithoutReport,
  editableState,
  type IndicatorFacts,
  indicatorFacts,
  previousCountedMany,
  SaveBody,
  saveAndSubmitMany,
  submitProblems,
} from "./reports.js";

/**
 * Excel import of monthly figures (月度填报 Excel 导入): a template per unit (or region) and month,
 * and the upload of the filled template. Every row is checked with the reports route's own rules
 * (the form's schema, draftProblems, submitProblems) and each problem named by sheet, row and
 * column; nothing is written unless every row passes, and then every row is saved and submitted
 * as the form does (saveDraft + submitReport: the same rows and audit entries), set-based, in one
 * transaction, audited.
 */

const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
export const TemplateQuery = z.object({
  period: Period,
  region: RegionCode.optional().describe("default: your own region (admins: required to narrow the template)"),
  unit: z.string().min(1).max(64).optional().describe("only projects this unit leads (a unit's reporter: always its own unit)"),
});
export const ImportQuery = z.object({
  dryRun: z.enum(["true", "false"]).default("false").describe("true: check only, write nothing"),
  period: Period.optional().describe("the month imported; default: the month the template says (填报说明!B2)"),
});

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/** Problems listed at most in one answer (the count says how many there were). */
const MAX_PROBLEMS = 2000;

/** The workbook, up to MAX_IMPORT_BYTES (lib/body-limit.ts enforces it as the body streams). */
const importLimit = acceptsBody(() => MAX_IMPORT_BYTES, "the workbook", MULTIPART_OVERHEAD);

const columnOf = (key: ColumnKey, columns: Partial<Record<ColumnKey, number>>) => columns[key] ?? null;
const headerOf = (key: ColumnKey) => COLUMNS.find((c) => c.key === key)!.header;

/** Maps a problem of the form ($.value …) to the cell of the row that holds that field. */
function atCell(row: number, columns: Partial<Record<ColumnKey, number>>, problem: Problem, period: string): CellProblem {
  const field = problem.path.replace(/^\$\./, "").split(/[.[]/)[0] as string;
  const key: ColumnKey | null = field === "period" ? "indicator" : (["indicator", "region", "value", "narrative", "fallReason"] as const).find((k) => k === field) ?? null;
  const message = field === "period" ? `month ${period} ${problem.message}` : problem.message;
  return key ? cellProblem(DATA_SHEET, row, columnOf(key, columns), headerOf(key), message) : cellProblem(DATA_SHEET, row, null, null, `${problem.path}: ${message}`);
}

interface CheckedRow {
  row: UploadRow;
  value: number;
}

/** What the checks read, handed to the writes so they do not read it again. */
interface CheckFacts {
  facts: Map<string, IndicatorFacts>;
  previous: Map<string, { period: string; value: number }>;
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
  columns: Partial<Record<ColumnKey, number>>,
): Promise<{ problems: CellProblem[]; checked: CheckedRow[]; known: CheckFacts }> {
  const problems: CellProblem[] = [];
  const checked: CheckedRow[] = [];
  const ids = [...new Set(rows.map((r) => r.indicator).filter((s) => s !== ""))];
  const facts = await indicatorFacts(db, ids);
  const pairs = rows.filter((r) => r.indicator !== "" && r.region !== "").map((r) => ({ indicator: r.indicator, region: r.region }));
  const previous = await previousCountedMany(db, pairs, period);
  const existing = new Map<string, string>();
  if (ids.length > 0) {
    const { rows: found } = await db.query<{ indicator: string; region: string; state: string }>(
      "SELECT indicator, region, state FROM reports WHERE period = $1 AND indicator = ANY($2::text[])",
      [period, ids],
    );
    for (const r of found) existing.set(`${r.indicator}|${r.region}`, r.state);
  }
  const firstRow = new Map<string, number>();
  const cell = (r: UploadRow, key: ColumnKey, message: string) => cellProblem(DATA_SHEET, r.row, columnOf(key, columns), headerOf(key), message);

  for (const r of rows) {
    const before = problems.length;
    const key = `${r.indicator}|${r.region}`;
    if (r.indicator !== "" && r.region !== "") {
      const first = firstRow.get(key);
      if (first !== undefined) problems.push(cell(r, "indicator", `duplicates row ${first}: the same indicator and region twice`));
      else firstRow.set(key, r.row);
    }
    if (typeof r.value === "string") problems.push(cell(r, "value", `is not a number: "${r.value.slice(0, 40)}"`));
    else if (r.value === null) problems.push(cell(r, "value", "is empty: fill in this month's cumulative value, or clear the whole row"));
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
      for (const issue of parsed.error.issues) problems.push(atCell(r.row, columns, { path: `$.${issue.path.join(".")}`, message: issue.message }, period));
      continue;
    }
    if (problems.length > before) continue;
    const value = r.value as number;
    const draft = draftProblems(p, { indicator: r.indicator, region: r.region, period, value }, facts.get(r.indicator), regions, at);
    for (const pr of draft) problems.push(atCell(r.row, columns, pr, period));
    if (draft.length > 0) continue;
    const state = existing.get(key) ?? null;
    if (!editableState(state as ReportState | null)) {
      problems.push(cell(r, "value", `the ${period} report of this indicator and region is already ${state}; only a draft or a returned report can be replaced`));
      continue;
    }
    for (const pr of submitProblems({ narrative: r.narrative, reportedValue: value }, previous.get(key) ?? null, r.fallReason === "" ? null : r.fallReason))
      problems.push(atCell(r.row, columns, pr, period));
    if (problems.length === before) checked.push({ row: r, value });
  }
  return { problems, checked, known: { facts, previous } };
}

function refuse(problems: CellProblem[], rows: number): never {
  const rowsWithProblems = new Set(problems.map((p) => p.row)).size;
  throw new ApiError(
    "ValidationFailed",
    `${problems.length} problem(s) in ${rowsWithProblems} of ${rows} row(s); nothing was imported`,
    problems.slice(0, MAX_PROBLEMS),
    { total: problems.length, truncated: problems.length > MAX_PROBLEMS },
  );
}

/** The template's rows: what is due in the area for the unit and month, with saved drafts filled in. */
async function templateRows(deps: Deps, period: string, area: string[] | null, unit: string | null): Promise<TemplateRow[]> {
  const due = await dueWithoutReport(deps, period, area, unit);
  const ids = due.map((d) => d.report_id).filter((x): x is string => x !== null);
  const drafts = new Map<string, { value: number; narrative: string; fallReason: string | null }>();
  if (ids.length > 0) {
    const { rows } = await deps.db.query<{ id: string; value: string; narrative: string; fall_reason: string | null }>(
      "SELECT id, reported_value::text AS value, narrative, fall_reason FROM reports WHERE id = ANY($1::bigint[])",
      [ids],
    );
    for (const r of rows) drafts.set(String(r.id), { value: Number(r.value), narrative: r.narrative, fallReason: r.fall_reason });
  }
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

export const reportImportRoutes = new Hono<AppEnv>()
  /** The template (.xlsx) of a month for the caller's unit or region: indicators, regions, last month's value, target. */
  .get("/reports/template", queryOf(TemplateQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const { db, regions } = deps;
    await regions.ready();
    const region = q.region ?? p.region;
    if (region !== null) {
      if (!regions.get(region)) throw notFound(`region ${region}`);
      assertRegion(p, region, regions);
    }
    if (q.unit !== undefined && p.unit !== null && q.unit !== p.unit) throw forbidden(`you report for unit ${p.unit}, not ${q.unit}`);
    const unit = p.unit ?? q.unit ?? null;
    let unitName: string | null = null;
    if (unit !== null) {
      const { rows } = await db.query<{ name: string }>("SELECT name FROM units WHERE id = $1", [unit]);
      if (!rows[0]) throw notFound(`unit ${unit}`);
      unitName = rows[0].name;
    }
    const rows = await templateRows(deps, q.period, region === null ? null : regions.subtree(region), unit);
    const regionName = region === null ? "全部地区" : regions.get(region)!.name;
    const scope = unitName ? `${unitName}（${regionName}）` : regionName;
    const now = deps.now();
    const bytes = await buildTemplate(rows, {
      period: q.period,
      scope,
      generatedAt: now.toISOString(),
      deadline: deadlineOf(q.period, deps.config.reportDeadlineDay),
    });
    return c.body(new Uint8Array(bytes), 200, {
      "Content-Type": xlsxType,
      "Content-Length": String(bytes.byteLength),
      "Content-Disposition": contentDisposition(`${scope}${q.period}月度填报模板.xlsx`),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
      "X-Template-Rows": String(rows.length),
    });
  })
  /**
   * The filled template (multipart, field `file`): every row checked and each problem named by
   * sheet, row and column (400, nothing written); when all pass, each row is saved and submitted
   * as the form does, in one transaction. `dryRun=true` checks only.
   */
  .post("/reports", importLimit, queryOf(ImportQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const { db, regions } = deps;
    await regions.ready();
    const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (mediaType !== "multipart/form-data") throw new ApiError("UnsupportedMediaType", "send the workbook as multipart/form-data in the field `file`");
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody();
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw new ApiError("ValidationFailed", "the multipart body could not be read", [{ path: "$.file", message: "could not be read" }]);
    }
    const file = form.file;
    if (!(file instanceof Blob)) throw new ApiError("ValidationFailed", "no file", [{ path: "$.file", message: "is required: the filled template in the multipart field `file`" }]);
    if (file.size > MAX_IMPORT_BYTES) throw tooLarge(MAX_IMPORT_BYTES, "the workbook");
    if (file.size === 0) throw new ApiError("ValidationFailed", "empty file", [{ path: "$.file", message: "is empty" }]);
    const bytes = new Uint8Array(await file.arrayBuffer());
    // What the bytes are, not what the name or the declared type say.
    if (sniff(bytes)?.kind !== "xlsx") throw new ApiError("UnsupportedMediaType", "the file is not an Excel workbook (.xlsx); its content is checked, not its name");
    // Counted as it inflates (declared sizes are not trusted), before anything reads the workbook.
    const unpacked = await unpackedSize(bytes, MAX_UNPACKED_BYTES);
    if (unpacked === null) throw new ApiError("ValidationFailed", "the workbook's ZIP structure could not be read", [{ path: "$.file", message: "is not a readable .xlsx archive" }]);
    if (unpacked > MAX_UNPACKED_BYTES) throw new ApiError("PayloadTooLarge", `the workbook unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MB`);
    const sha256 = createHash("sha256").update(bytes).digest("hex");

    const parsed = await readUpload(bytes);
    if (parsed.problems.length > 0) refuse(parsed.problems, parsed.rows.length);
    const formPeriod = typeof form.period === "string" && form.period !== "" ? form.period : undefined;
    const asked = q.period ?? formPeriod;
    if (asked !== undefined && !Period.safeParse(asked).success) throw new ApiError("ValidationFailed", "invalid month", [{ path: "$.period", message: "must be a month written YYYY-MM" }]);
    const metaCell = (message: string) => cellProblem(META_SHEET, PERIOD_CELL.row, PERIOD_CELL.column, "填报月份", message);
    if (parsed.period !== null && !Period.safeParse(parsed.period).success) refuse([metaCell(`"${parsed.period}" is not a month written YYYY-MM`)], parsed.rows.length);
    if (asked !== undefined && parsed.period !== null && asked !== parsed.period)
      refuse([metaCell(`the workbook is the template of ${parsed.period}, not of ${asked}: download the template of ${asked}`)], parsed.rows.length);
    const period = asked ?? parsed.period;
    if (period === null) refuse([metaCell("no month: use the downloaded template (its 填报说明 sheet names the month) or pass period")], parsed.rows.length);
    const at = deps.now();
    if (period > periodAt(at.getTime())) refuse([metaCell(`${period} is a month that has not begun yet`)], parsed.rows.length);
    if (parsed.rows.length === 0) refuse([cellProblem(DATA_SHEET, null, null, null, "no row is filled in: enter this month's cumulative value and progress in the yellow columns")], 0);

    if (q.dryRun === "true") {
      const { problems } = await checkRows(db, p, regions, at, period, parsed.rows, parsed.columns);
      if (problems.length > 0) refuse(problems, parsed.rows.length);
      return c.json({ dryRun: true, period, rows: parsed.rows.length, imported: 0, created: 0, updated: 0, reports: [] });
    }

    const result = await db.transaction(async (tx) => {
      const { problems, checked, known } = await checkRows(tx, p, regions, at, period, parsed.rows, parsed.columns);
      if (problems.length > 0) refuse(problems, parsed.rows.length);
      let written: { created: boolean; id: number }[];
      try {
        // The form's save + submit for every row, set-based (routes/reports.ts saveAndSubmitMany).
        const items = checked.map(({ row, value }) => ({ indicator: row.indicator, region: row.region, value, narrative: row.narrative, ...(row.fallReason !== "" ? { fallReason: row.fallReason } : {}) }));
        written = await saveAndSubmitMany(tx, p, period, items, regions, at, known);
      } catch (failed) {
        if (!(failed instanceof BatchRowFailed)) throw failed;
        // Checked above, so only a change made meanwhile lands here: name the row, keep the status.
        const row = checked[failed.index]!.row;
        const e = failed.cause;
        if (e instanceof ApiError && e._tag === "ValidationFailed") refuse(e.problems.map((pr) => atCell(row.row, parsed.columns, pr, period)), parsed.rows.length);
        if (e instanceof ApiError) throw new ApiError(e._tag, `${DATA_SHEET} row ${row.row}: ${e.message}; nothing was imported`, e.problems, e.extra);
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
          filename: typeof (file as File).name === "string" ? (file as File).name.slice(0, 200) : null,
          rows: reports.length,
          created: reports.filter((r) => r.created).length,
          reportIds: reports.map((r) => r.id),
        },
        at,
      });
      return reports;
    });
    return c.json(
      { dryRun: false, period, rows: parsed.rows.length, imported: result.length, created: result.filter((r) => r.created).length, updated: result.filter((r) => !r.created).length, reports: result },
      201,
    );
  });
