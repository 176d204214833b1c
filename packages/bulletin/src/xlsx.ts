/**
 * renderXlsx: the bulletin's annex tables as a workbook, one sheet per annex with the same rows
 * as the document, plus the figures behind them: rates are numbers in a percent format (0.8846
 * shown as 88.46%), item cells are merged as in seed 003's 附件1, headers styled, widths set.
 * Further sheets: every indicator's figures (指标明细), the disclosure scores and, when given, the
 * unit ranking.
 */
import { disclosureBandLabel } from "@minsheng/domain";
import ExcelJS from "exceljs";
import { annexColumnLabel, type AnnexTable, type BulletinModel } from "./model.js";

const PERCENT = "0.00%";
const thin: Partial<ExcelJS.Border> = { style: "thin", color: { argb: "FF000000" } };
const borders: Partial<ExcelJS.Borders> = { top: thin, bottom: thin, left: thin, right: thin };
const headerFill: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFD9D9D9" } };
const FONT = "仿宋";
const HEADER_FONT = "黑体";

interface Column {
  header: string;
  width: number;
  /** cell value of a data row */
  value: (i: number) => ExcelJS.CellValue;
  numFmt?: string;
  wrap?: boolean;
  align?: "center" | "left" | "right";
}

/** Sheet names: at most 31 characters, none of []:*?/\ . */
const sheetName = (s: string) => s.replace(/[[\]:*?/\\]/g, "").slice(0, 31);

function addSheet(
  wb: ExcelJS.Workbook,
  name: string,
  title: string,
  columns: Column[],
  rowCount: number,
  merges: Array<{ column: number; from: number; span: number }> = [],
): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(sheetName(name), {
    views: [{ state: "frozen", ySplit: 2 }],
    pageSetup: { paperSize: 9, orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true },
  });
  ws.columns = columns.map((c) => ({ width: c.width }));
  // Row 1: the title over every column.
  ws.mergeCells(1, 1, 1, columns.length);
  const t = ws.getCell(1, 1);
  t.value = title;
  t.font = { name: "方正小标宋简体", size: 16, bold: true };
  t.alignment = { horizontal: "center", vertical: "middle", wrapText: true };
  ws.getRow(1).height = 36;
  // Row 2: headers.
  const header = ws.getRow(2);
  columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.font = { name: HEADER_FONT, size: 12, bold: true };
    cell.fill = headerFill;
    cell.border = borders;
    cell.alignment = { horizontal: "center", vertical: "middle", wrapText: true };
  });
  header.height = 24;
  for (let r = 0; r < rowCount; r++) {
    const row = ws.getRow(r + 3);
    columns.forEach((c, i) => {
      const cell = row.getCell(i + 1);
      cell.value = c.value(r);
      cell.font = { name: FONT, size: 11 };
      cell.border = borders;
      cell.alignment = { horizontal: c.align ?? "center", vertical: "middle", wrapText: c.wrap ?? false };
      if (c.numFmt) cell.numFmt = c.numFmt;
    });
  }
  for (const m of merges) if (m.span > 1) ws.mergeCells(m.from + 3, m.column + 1, m.from + 3 + m.span - 1, m.column + 1);
  ws.autoFilter = { from: { row: 2, column: 1 }, to: { row: 2, column: columns.length } };
  return ws;
}

function annexSheet(wb: ExcelJS.Workbook, annex: AnnexTable): void {
  const rows = annex.rows;
  const columns: Column[] = [];
  for (const c of annex.columns) {
    if (c === "no") columns.push({ header: annexColumnLabel.no, width: 7, value: (i) => rows[i]!.itemNo });
    else if (c === "item") columns.push({ header: annexColumnLabel.item, width: 22, value: (i) => rows[i]!.itemTitle, wrap: true });
    else if (c === "project")
      columns.push({ header: annexColumnLabel.project, width: 30, value: (i) => `${rows[i]!.projectMark}${rows[i]!.projectTitle}`, wrap: true, align: "left" });
    else columns.push({ header: annexColumnLabel.progress, width: 70, value: (i) => rows[i]!.progressText, wrap: true, align: "left" });
  }
  columns.push(
    { header: "项目进度", width: 11, value: (i) => rows[i]!.progress / 100, numFmt: PERCENT, align: "right" },
    { header: "序时进度", width: 11, value: (i) => rows[i]!.due / 100, numFmt: PERCENT, align: "right" },
    { header: "状态", width: 12, value: (i) => rows[i]!.statusLabel },
  );
  const merges: Array<{ column: number; from: number; span: number }> = [];
  rows.forEach((r, i) => {
    if (r.itemRowSpan > 1)
      annex.columns.forEach((c, col) => {
        if (c === "no" || c === "item") merges.push({ column: col, from: i, span: r.itemRowSpan });
      });
  });
  const ws = addSheet(wb, `${annex.label.replace(/\s/g, "")} ${annex.plan}`, `${annex.label}  ${annex.title}`, columns, rows.length, merges);
  // Taller rows for the wrapped progress text (about 35 characters a line at width 70).
  rows.forEach((r, i) => {
    ws.getRow(i + 3).height = Math.max(30, Math.ceil(r.progressText.length / 34) * 16 + 6);
  });
}

function indicatorSheet(wb: ExcelJS.Workbook, model: BulletinModel): void {
  const rows = model.annexes.flatMap((a) => a.indicators.map((r) => ({ ...r, annex: a.label, plan: a.plan })));
  const columns: Column[] = [
    { header: "附件", width: 8, value: (i) => rows[i]!.annex },
    { header: "序号", width: 6, value: (i) => rows[i]!.itemNo },
    { header: "项目名称", width: 30, value: (i) => `${rows[i]!.projectMark}${rows[i]!.projectTitle}`, wrap: true, align: "left" },
    { header: "指标", width: 30, value: (i) => rows[i]!.name, wrap: true, align: "left" },
    { header: "单位", width: 9, value: (i) => rows[i]!.unit },
    { header: "目标任务", width: 13, value: (i) => rows[i]!.target, numFmt: "#,##0.###", align: "right" },
    { header: "累计完成", width: 13, value: (i) => rows[i]!.actual, numFmt: "#,##0.###", align: "right" },
    { header: "完成率", width: 10, value: (i) => rows[i]!.rate / 100, numFmt: PERCENT, align: "right" },
    { header: "序时进度", width: 10, value: (i) => rows[i]!.due / 100, numFmt: PERCENT, align: "right" },
    { header: "状态", width: 11, value: (i) => rows[i]!.statusLabel },
    { header: "统一调度", width: 9, value: (i) => (rows[i]!.linked ? "是" : "") },
    { header: "未达序时地区", width: 28, value: (i) => rows[i]!.behindRegions, wrap: true, align: "left" },
  ];
  addSheet(wb, "指标明细", `${model.regionName} ${model.period} 指标完成情况`, columns, rows.length);
}

function disclosureSheet(wb: ExcelJS.Workbook, model: BulletinModel): void {
  const d = model.disclosure;
  if (!d) return;
  const rows = [...d.good, ...d.fair, ...d.poor];
  const columns: Column[] = [
    { header: "排名", width: 7, value: (i) => i + 1 },
    { header: "地区", width: 18, value: (i) => rows[i]!.name },
    { header: "已履行", width: 10, value: (i) => rows[i]!.compliant },
    { header: "应公开", width: 10, value: (i) => rows[i]!.total },
    { header: "得分", width: 10, value: (i) => rows[i]!.score, numFmt: "0.0000", align: "right" },
    { header: `满分`, width: 8, value: () => d.fullMarks },
    { header: "等次", width: 8, value: (i) => disclosureBandLabel[rows[i]!.band] },
  ];
  addSheet(wb, "信息公开", `信息公开指标得分（满分 ${d.fullMarks} 分）`, columns, rows.length);
}

function rankingSheet(wb: ExcelJS.Workbook, model: BulletinModel): void {
  const r = model.ranking;
  if (!r) return;
  const rows = r.rows;
  const columns: Column[] = [
    { header: "排名", width: 7, value: (i) => rows[i]!.rank },
    { header: "责任单位", width: 26, value: (i) => rows[i]!.name, align: "left" },
    { header: "得分", width: 10, value: (i) => rows[i]!.score, numFmt: "0.####", align: "right" },
    { header: "加减分情况", width: 60, value: (i) => rows[i]!.detail, wrap: true, align: "left" },
    { header: "预警", width: 8, value: (i) => (r.warnings.includes(rows[i]!.unit) ? "预警" : "") },
  ];
  addSheet(wb, "考评排名", "责任单位考评排名", columns, rows.length);
}

/** Prints the bulletin's tables as an .xlsx workbook. */
export async function renderXlsx(model: BulletinModel): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = model.masthead.issuer;
  wb.title = model.title;
  // Deterministic: the document's own date, not the clock.
  wb.created = new Date(`${model.date}T00:00:00+08:00`);
  wb.modified = wb.created;
  for (const a of model.annexes) annexSheet(wb, a);
  indicatorSheet(wb, model);
  disclosureSheet(wb, model);
  rankingSheet(wb, model);
  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}
