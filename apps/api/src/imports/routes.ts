import { Period, periodAt } from "@minsheng/domain";
import { z } from "zod";
import { assertRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { acceptsBody, MULTIPART_OVERHEAD } from "../lib/body-limit.js";
import { CodedError, coded, fail } from "../lib/errors.js";
import { readUpload as readFormFile } from "../lib/upload.js";
import { defineOperation, router } from "../lib/operation.js";
import { contentDisposition, sniff } from "../lib/sniff.js";
import { deadlineOf } from "../reports/service.js";
import { unitName } from "./data.js";
import { checkImport, importRows, refuse, templateRows } from "./service.js";
import { buildTemplate, cellProblem, DATA_SHEET, MAX_IMPORT_BYTES, MAX_UNPACKED_BYTES, META_SHEET, PERIOD_CELL, readUpload, unpackedSize } from "./workbook.js";

/**
 * Excel import of monthly figures (月度填报 Excel 导入): a template per unit (or region) and month,
 * and the upload of the filled template, checked and written by imports/service.ts.
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

const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const ImportResult = z.object({
  dryRun: z.boolean(),
  period: z.string(),
  rows: z.number().int().describe("rows filled in"),
  imported: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  reports: z.array(z.object({ row: z.number().int(), id: z.number().int(), indicator: z.string(), region: z.string(), value: z.number(), created: z.boolean() })),
});

/** The workbook, up to MAX_IMPORT_BYTES (lib/body-limit.ts enforces it as the body streams). */
const importLimit = acceptsBody(() => MAX_IMPORT_BYTES, "the workbook", MULTIPART_OVERHEAD);

const tag = "imports";

export const reportTemplateOp = defineOperation({
  tag, method: "get", path: "/reports/template", operationId: "reportTemplate", access: "reports.write",
  summary: ["下载填报模板", "The Excel template of a month: indicators and regions due, last month's value, target"],
  scope: "the region within your area; a unit's reporter gets its unit's projects only",
  description: "One row per indicator and region still to report (no report, a draft or a returned one; drafts filled in), for the caller's unit or region.",
  query: TemplateQuery, examples: { period: "2024-10" },
  success: { status: 200, description: "the template", media: xlsx },
  errors: [404],
});

export const importReportsOp = defineOperation({
  tag, method: "post", path: "/reports", operationId: "importReports", access: "reports.write",
  summary: ["导入填报 Excel", "Upload a filled template: check every row; if all pass, save and submit them"],
  scope: "each row's region within your area and, for a unit's reporter, a project of that unit",
  description:
    "The file must really be an .xlsx (content checked; ≤ 5 MB). Every row is checked with the form's rules (unknown indicator, region outside your area, not a number, a fall below last month's counted value without a reason, duplicates, reports already submitted); problems answer 400 with {path: '月度填报!J12', sheet, row, column, field, message} each and nothing is written. Otherwise every row is saved and submitted as the form does, in one transaction.",
  query: ImportQuery, upload: { field: "file", description: "the filled template (.xlsx); a `period` field may name the month" },
  success: { status: 201, description: "the reports submitted (200 with dryRun=true: checked, nothing written)", schema: ImportResult, alsoStatus: 200 },
  errors: [413, 415],
});

export const reportImportRoutes = router()
  /** The template (.xlsx) of a month for the caller's unit or region: indicators, regions, last month's value, target. */
  .openapi(reportTemplateOp, async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const { db, regions } = deps;
    await regions.ready();
    const region = q.region ?? p.region;
    if (region !== null) {
      if (!regions.get(region)) throw fail("IMPORT_REGION_NOT_FOUND", { region });
      assertRegion(p, region, regions);
    }
    if (q.unit !== undefined && p.unit !== null && q.unit !== p.unit) throw fail("IMPORT_UNIT_NOT_YOURS", { unit: q.unit, yours: p.unit });
    const unit = p.unit ?? q.unit ?? null;
    let name: string | null = null;
    if (unit !== null) {
      name = await unitName(db, unit);
      if (name === null) throw fail("IMPORT_UNIT_NOT_FOUND", { unit });
    }
    const rows = await templateRows(deps, q.period, region === null ? null : regions.subtree(region), unit);
    const regionName = region === null ? "全部地区" : regions.get(region)!.name;
    const scope = name ? `${name}（${regionName}）` : regionName;
    const bytes = await buildTemplate(rows, {
      period: q.period,
      scope,
      generatedAt: deps.now().toISOString(),
      deadline: deadlineOf(q.period, deps.config.reportDeadlineDay),
    });
    return c.body(new Uint8Array(bytes), 200, {
      "Content-Type": xlsx,
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
  .openapi({ ...importReportsOp, middleware: importLimit }, async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    const { db, regions } = deps;
    await regions.ready();
    const { bytes, form, name: fileName } = await readFormFile(c, "file", MAX_IMPORT_BYTES, "the workbook");
    // What the bytes are, not what the name or the declared type say.
    if (sniff(bytes)?.kind !== "xlsx") throw fail("IMPORT_NOT_XLSX");
    // Counted as it inflates (declared sizes are not trusted), before anything reads the workbook.
    const unpacked = await unpackedSize(bytes, MAX_UNPACKED_BYTES);
    if (unpacked === null) throw fail("IMPORT_ZIP_UNREADABLE").at("$.file", "is not a readable .xlsx archive");
    if (unpacked > MAX_UNPACKED_BYTES) throw new CodedError("IMPORT_UNPACKS_TOO_LARGE", { limit: `${MAX_UNPACKED_BYTES / 1024 / 1024} MB` }, `the workbook unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MB`);

    const parsed = await readUpload(bytes);
    if (parsed.problems.length > 0) refuse(parsed.problems, parsed.rows.length);
    const formPeriod = typeof form.period === "string" && form.period !== "" ? form.period : undefined;
    const asked = q.period ?? formPeriod;
    if (asked !== undefined && !Period.safeParse(asked).success) throw fail("IMPORT_PERIOD_INVALID").at("$.period", "must be a month written YYYY-MM");
    const metaCell = (message: string, kind: ReturnType<typeof coded>) => cellProblem(META_SHEET, PERIOD_CELL.row, PERIOD_CELL.column, "填报月份", message, kind);
    if (parsed.period !== null && !Period.safeParse(parsed.period).success)
      refuse([metaCell(`"${parsed.period}" is not a month written YYYY-MM`, coded("IMPORT_MONTH_INVALID", { text: parsed.period.slice(0, 40) }))], parsed.rows.length);
    if (asked !== undefined && parsed.period !== null && asked !== parsed.period)
      refuse(
        [metaCell(`the workbook is the template of ${parsed.period}, not of ${asked}: download the template of ${asked}`, coded("IMPORT_MONTH_MISMATCH", { template: parsed.period, period: asked }))],
        parsed.rows.length,
      );
    const period = asked ?? parsed.period;
    if (period === null) refuse([metaCell("no month: use the downloaded template (its 填报说明 sheet names the month) or pass period", coded("IMPORT_MONTH_MISSING"))], parsed.rows.length);
    const at = deps.now();
    if (period > periodAt(at.getTime())) refuse([metaCell(`${period} is a month that has not begun yet`, coded("REPORT_PERIOD_NOT_BEGUN", { period }))], parsed.rows.length);
    if (parsed.rows.length === 0) refuse([cellProblem(DATA_SHEET, null, null, null, "no row is filled in: enter this month's cumulative value and progress in the yellow columns", coded("IMPORT_NO_ROWS"))], 0);

    if (q.dryRun === "true") {
      await checkImport(db, p, regions, at, period, parsed);
      return c.json({ dryRun: true, period, rows: parsed.rows.length, imported: 0, created: 0, updated: 0, reports: [] }, 200);
    }
    const reports = await importRows(db, p, regions, at, period, parsed, { bytes, name: fileName || null });
    return c.json(
      { dryRun: false, period, rows: parsed.rows.length, imported: reports.length, created: reports.filter((r) => r.created).length, updated: reports.filter((r) => !r.created).length, reports },
      201,
    );
  });
