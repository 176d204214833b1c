// exceljs takes ~0.4 s to load: imported on first use, not at server start (BENCHMARKS.md, issue 3).
import type ExcelJS from "exceljs";
import { coded } from "../lib/errors.js";
import { readFast, Refused, UnpackedTooLarge } from "./xlsx-fast.js";

/**
 * The Excel side of importing monthly figures: the template a unit fills in (one row per
 * indicator and region due, with last month's counted value and the target beside the cells to
 * fill) and the reading of a filled one into rows with their cell addresses, so that every
 * problem can be reported by sheet, row and column. Checks against the database are the reports
 * route's own (imports/service.ts runs them).
 */

export const DATA_SHEET = "月度填报";
export const META_SHEET = "填报说明";
/** The cell of the meta sheet holding the month the template is for. */
export const PERIOD_CELL = { row: 2, column: 2, ref: "B2" } as const;
/** Rows read at most (a province-wide template is a few thousand). */
export const MAX_ROWS = 20_000;
/** Uploads larger than this are refused before they are read (a 5,000-row template is about 250 KB). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export { MAX_UNPACKED_BYTES, unpackedSize } from "./xlsx-fast.js";

export type ColumnKey =
  | "indicator"
  | "region"
  | "project"
  | "indicatorName"
  | "unit"
  | "regionName"
  | "target"
  | "previousPeriod"
  | "previous"
  | "value"
  | "narrative"
  | "fallReason";

interface ColumnSpec {
  key: ColumnKey;
  header: string;
  width: number;
  /** filled in by the unit (the others are given) */
  input?: boolean;
  /** the upload must have this column */
  required?: boolean;
  numFmt?: string;
}

export const COLUMNS: readonly ColumnSpec[] = [
  { key: "indicator", header: "指标编号", width: 16, required: true },
  { key: "region", header: "区划代码", width: 11, required: true },
  { key: "project", header: "项目", width: 30 },
  { key: "indicatorName", header: "指标", width: 30 },
  { key: "unit", header: "计量单位", width: 9 },
  { key: "regionName", header: "区划", width: 14 },
  { key: "target", header: "全年目标", width: 11, numFmt: "#,##0.######" },
  { key: "previousPeriod", header: "上期月份", width: 10 },
  { key: "previous", header: "上期已核验累计值", width: 14, numFmt: "#,##0.######" },
  { key: "value", header: "本月累计完成值", width: 14, input: true, required: true, numFmt: "#,##0.######" },
  { key: "narrative", header: "进展情况", width: 44, input: true, required: true },
  { key: "fallReason", header: "下降原因", width: 28, input: true },
];

export const columnLetter = (n: number): string => {
  let s = "";
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
};

/** One row of the template. */
export interface TemplateRow {
  indicator: string;
  region: string;
  project: string;
  indicatorName: string;
  unit: string;
  regionName: string;
  target: number;
  previous: { period: string; value: number } | null;
  /** a saved draft or a returned report: its figures are filled in */
  value?: number | null;
  narrative?: string;
  fallReason?: string | null;
}

export interface TemplateMeta {
  period: string;
  /** 邵阳县 / 市教育局 */
  scope: string;
  generatedAt: string;
  deadline: string;
}

const HEADER_ROW = 2;
const thin: Partial<ExcelJS.Border> = { style: "thin", color: { argb: "FF999999" } };
const borders: Partial<ExcelJS.Borders> = { top: thin, bottom: thin, left: thin, right: thin };
const givenFill: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFF2F2F2" } };
const inputFill: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFF8DC" } };
const headerFill: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFD9D9D9" } };

/** The template workbook: the rows to fill, and a sheet saying what the month is and how to fill it. */
export async function buildTemplate(rows: readonly TemplateRow[], meta: TemplateMeta): Promise<Buffer> {
  const wb = new (await import("exceljs")).default.Workbook();
  wb.creator = "民生实事平台";
  wb.created = new Date(meta.generatedAt);
  const ws = wb.addWorksheet(DATA_SHEET, { views: [{ state: "frozen", ySplit: HEADER_ROW, xSplit: 2 }] });
  ws.columns = COLUMNS.map((c) => ({ width: c.width }));
  ws.mergeCells(1, 1, 1, COLUMNS.length);
  const title = ws.getCell(1, 1);
  title.value = `${meta.scope} ${meta.period} 月度进展填报（累计值，截至当月底；${meta.deadline} 前报送）`;
  title.font = { name: "黑体", size: 14, bold: true };
  title.alignment = { horizontal: "center", vertical: "middle" };
  ws.getRow(1).height = 28;
  const header = ws.getRow(HEADER_ROW);
  COLUMNS.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.input ? `${c.header}${c.required ? "*" : ""}` : c.header;
    cell.font = { name: "黑体", size: 11, bold: true };
    cell.fill = headerFill;
    cell.border = borders;
    cell.alignment = { horizontal: "center", vertical: "middle", wrapText: true };
  });
  header.height = 30;
  rows.forEach((r, i) => {
    const row = ws.getRow(HEADER_ROW + 1 + i);
    const values: Record<ColumnKey, ExcelJS.CellValue> = {
      indicator: r.indicator,
      region: r.region,
      project: r.project,
      indicatorName: r.indicatorName,
      unit: r.unit,
      regionName: r.regionName,
      target: r.target,
      previousPeriod: r.previous?.period ?? null,
      previous: r.previous?.value ?? null,
      value: r.value ?? null,
      narrative: r.narrative ?? null,
      fallReason: r.fallReason ?? null,
    };
    COLUMNS.forEach((c, j) => {
      const cell = row.getCell(j + 1);
      cell.value = values[c.key] === "" ? null : values[c.key];
      cell.border = borders;
      cell.fill = c.input ? inputFill : givenFill;
      if (c.numFmt) cell.numFmt = c.numFmt;
      if (c.key === "narrative" || c.key === "fallReason" || c.key === "project" || c.key === "indicatorName") cell.alignment = { wrapText: true, vertical: "top" };
    });
  });
  // Excel itself refuses a non-number in the value column: one rule over the range (per cell it costs a third of the build).
  if (rows.length > 0) {
    const letter = columnLetter(COLUMNS.findIndex((c) => c.key === "value") + 1);
    (ws as unknown as { dataValidations: { add(address: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`${letter}${HEADER_ROW + 1}:${letter}${HEADER_ROW + rows.length}`, {
      type: "decimal",
      operator: "greaterThanOrEqual",
      formulae: [0],
      allowBlank: true,
      showErrorMessage: true,
      errorTitle: "数值无效",
      error: "请填写不小于 0 的数字（累计值）",
    });
  }

  const info = wb.addWorksheet(META_SHEET);
  info.columns = [{ width: 16 }, { width: 80 }];
  const lines: Array<[string, string]> = [
    ["项目", "内容"],
    ["填报月份", meta.period],
    ["填报范围", meta.scope],
    ["报送截止", meta.deadline],
    ["生成时间", meta.generatedAt],
    ["填写说明", "在“月度填报”表的黄色列填写：本月累计完成值（截至当月底的全年累计数，数字）、进展情况（必填），低于上期已核验累计值时须填写下降原因。"],
    ["", "灰色列为系统给出的信息，请勿修改指标编号、区划代码；不需填报的行可整行留空或删除。"],
    ["", "上传后系统逐行检查，全部通过才会写入，并按填报页面同样的规则生成“已提交”的月报，待核验。"],
  ];
  lines.forEach(([a, b], i) => {
    const row = info.getRow(i + 1);
    row.getCell(1).value = a;
    row.getCell(2).value = b;
    row.getCell(1).font = { bold: true };
    row.getCell(2).alignment = { wrapText: true };
  });
  info.getCell(PERIOD_CELL.ref).numFmt = "@";
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---------------------------------------------------------------------------------------------
// Reading a filled workbook

/** A problem at a cell (or a whole row / sheet when column is null). */
export interface CellProblem {
  /** 月度填报!J12, the address a spreadsheet user types */
  path: string;
  message: string;
  sheet: string;
  row: number | null;
  column: string | null;
  /** the column's header, e.g. 本月累计完成值 */
  field: string | null;
  /** what kind of problem (an error code of the table, or zod's issue code), and its figures */
  code?: string;
  params?: Readonly<Record<string, unknown>>;
}

/** A problem at a cell; `kind` is its code and parameters (`coded("IMPORT_VALUE_EMPTY")`, or a form's problem's). */
export const cellProblem = (
  sheet: string,
  row: number | null,
  column: number | null,
  field: string | null,
  message: string,
  kind?: { code?: string; params?: Readonly<Record<string, unknown>> },
): CellProblem => {
  const letter = column === null ? null : columnLetter(column);
  const path = row === null ? sheet : letter === null ? `${sheet}!${row}:${row}` : `${sheet}!${letter}${row}`;
  return { path, message, sheet, row, column: letter, field, ...(kind?.code !== undefined ? { code: kind.code, params: kind.params ?? {} } : {}) };
};

/** A data row read from the upload: raw values by column, and where each column is. */
export interface UploadRow {
  row: number;
  indicator: string;
  region: string;
  /** a number, or the text found when it is not one */
  value: number | string | null;
  narrative: string;
  fallReason: string;
}

export interface ParsedUpload {
  /** the month the workbook says it is for, if it says */
  period: string | null;
  rows: UploadRow[];
  problems: CellProblem[];
  /** column number of each key found */
  columns: Partial<Record<ColumnKey, number>>;
}

/** The text of a cell whatever its type (rich text, formulas, hyperlinks, dates). */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === "object") {
    if ("richText" in v && Array.isArray(v.richText)) return v.richText.map((t) => t.text).join("");
    if ("formula" in v || "sharedFormula" in v) return cellText((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ("text" in v) return String((v as { text: unknown }).text);
    if ("error" in v) return String((v as { error: unknown }).error);
  }
  return String(v);
}

/** A number cell, a formula with a number result, or text that is plainly a decimal ("1,234.5"); else the text. */
function cellNumber(v: ExcelJS.CellValue): number | string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return v;
  if (typeof v === "object" && !(v instanceof Date) && ("formula" in v || "sharedFormula" in v)) return cellNumber((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  const text = cellText(v).trim();
  if (text === "") return null;
  const plain = text.replace(/[,，\s]/g, "");
  return /^-?\d+(\.\d+)?$/.test(plain) ? Number(plain) : text;
}

const normaliseHeader = (s: string) => s.replace(/[\s*＊]/g, "");

/**
 * Reads the filled template: finds the header row of the data sheet by its titles (columns may
 * be moved), reads every non-empty row, and the month from the meta sheet. Problems of shape
 * (missing sheet or columns, too many rows) are returned; the values are checked by the caller.
 */
export async function readUpload(bytes: Uint8Array, options: { fast?: boolean } = {}): Promise<ParsedUpload> {
  // The fast reader when it models the workbook exactly (xlsx-fast.ts), else exceljs.
  let fast: ReturnType<typeof readFast> = null;
  try {
    fast = options.fast === false ? null : readFast(bytes);
  } catch (e) {
    // What no honest workbook holds is refused, not handed to exceljs (unbounded unpacking, quadratic patterns).
    if (e instanceof Refused || e instanceof UnpackedTooLarge) {
      const kind = e instanceof Refused ? e.problem : coded("IMPORT_WORKBOOK_UNPACKS_TOO_LARGE", { limit: e.limit / 1024 / 1024 });
      return { period: null, rows: [], columns: {}, problems: [cellProblem("(workbook)", null, null, null, `the workbook could not be read: ${e.message}`, kind)] };
    }
    throw e;
  }
  if (fast) return readBook(fast as unknown as Book);
  const wb = new (await import("exceljs")).default.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    return {
      period: null,
      rows: [],
      columns: {},
      problems: [cellProblem("(workbook)", null, null, null, `the workbook could not be read: ${(e as Error).message}`, coded("IMPORT_WORKBOOK_UNREADABLE"))],
    };
  }
  return readBook(wb);
}

/** What readBook uses of a workbook: exceljs's, or the fast reader's (which gives the same values). */
type Book = Pick<ExcelJS.Workbook, "getWorksheet">;

function readBook(wb: Book): ParsedUpload {
  const problems: CellProblem[] = [];
  const info = wb.getWorksheet(META_SHEET);
  const period = info ? cellText(info.getCell(PERIOD_CELL.ref).value).trim() || null : null;
  const ws = wb.getWorksheet(DATA_SHEET);
  if (!ws) {
    problems.push(cellProblem(DATA_SHEET, null, null, null, `the workbook has no sheet named "${DATA_SHEET}": fill in the template downloaded for the month`, coded("IMPORT_SHEET_MISSING", { sheet: DATA_SHEET })));
    return { period, rows: [], columns: {}, problems };
  }
  // The header row: the first of the first ten holding 指标编号.
  let headerRow = 0;
  const columns: Partial<Record<ColumnKey, number>> = {};
  for (let r = 1; r <= Math.min(10, ws.rowCount) && headerRow === 0; r++) {
    const row = ws.getRow(r);
    const found: Partial<Record<ColumnKey, number>> = {};
    row.eachCell((cell, col) => {
      const text = normaliseHeader(cellText(cell.value));
      const spec = COLUMNS.find((c) => c.header === text);
      if (spec && found[spec.key] === undefined) found[spec.key] = col;
    });
    if (found.indicator !== undefined) {
      headerRow = r;
      Object.assign(columns, found);
    }
  }
  if (headerRow === 0) {
    const titles = COLUMNS.filter((c) => c.required).map((c) => c.header);
    problems.push(cellProblem(DATA_SHEET, null, null, null, `no header row: the first rows must hold the template's column titles (${titles.join("、")})`, coded("IMPORT_HEADER_MISSING", { columns: titles.join("、") })));
    return { period, rows: [], columns, problems };
  }
  for (const c of COLUMNS) if (c.required && columns[c.key] === undefined) problems.push(cellProblem(DATA_SHEET, headerRow, null, c.header, `the column "${c.header}" is missing`, coded("IMPORT_COLUMN_MISSING", { column: c.header })));
  if (problems.length > 0) return { period, rows: [], columns, problems };

  const rows: UploadRow[] = [];
  const col = (k: ColumnKey) => columns[k];
  const last = ws.actualRowCount > 0 ? ws.rowCount : 0;
  if (last - headerRow > MAX_ROWS) {
    problems.push(cellProblem(DATA_SHEET, null, null, null, `more than ${MAX_ROWS} rows: split the upload`, coded("IMPORT_TOO_MANY_ROWS", { max: MAX_ROWS })));
    return { period, rows: [], columns, problems };
  }
  for (let r = headerRow + 1; r <= last; r++) {
    const row = ws.getRow(r);
    if (!row.hasValues) continue;
    const text = (k: ColumnKey) => {
      const n = col(k);
      return n === undefined ? "" : cellText(row.getCell(n).value).trim();
    };
    const valueCell = row.getCell(col("value")!).value;
    const value = cellNumber(valueCell);
    const narrative = text("narrative");
    const fallReason = text("fallReason");
    // A row with nothing filled in is a row the unit does not report this time.
    if (value === null && narrative === "" && fallReason === "") continue;
    rows.push({ row: r, indicator: text("indicator"), region: text("region"), value, narrative, fallReason });
  }
  return { period, rows, columns, problems };
}
