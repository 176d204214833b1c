import { z } from "zod";
import type { ApiOperation } from "./openapi.js";
import { entries } from "./openapi-entry.js";
import { ImportQuery, TemplateQuery } from "./routes/report-import.js";

/**
 * The OpenAPI entries of the Excel import of monthly figures, kept beside the registry in
 * openapi.ts, which lists them; and the tags of both 通报 (declared in bulletins/routes.ts) and the import.
 */

export const bulletinTags = {
  bulletins: "通报 · Monthly bulletins: preview, narrative drafts, issued snapshots (.docx / .xlsx)",
  imports: "Excel 导入 · Monthly figures from a filled Excel template",
} as const;

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

export const bulletinOperations: ApiOperation[] = [
  // Excel import of monthly figures
  ...entries({ tag: "imports" }, [
    {
      key: "GET /imports/reports/template", operationId: "reportTemplate", access: "reports.write",
      summary: ["下载填报模板", "The Excel template of a month: indicators and regions due, last month's value, target"],
      scope: "the region within your area; a unit's reporter gets its unit's projects only",
      description: "One row per indicator and region still to report (no report, a draft or a returned one; drafts filled in), for the caller's unit or region.",
      query: TemplateQuery, examples: { period: "2024-10" },
      success: { status: 200, description: "the template", media: xlsx },
      errors: [404],
    },
    {
      key: "POST /imports/reports", operationId: "importReports", access: "reports.write",
      summary: ["导入填报 Excel", "Upload a filled template: check every row; if all pass, save and submit them"],
      scope: "each row's region within your area and, for a unit's reporter, a project of that unit",
      description:
        "The file must really be an .xlsx (content checked; ≤ 5 MB). Every row is checked with the form's rules (unknown indicator, region outside your area, not a number, a fall below last month's counted value without a reason, duplicates, reports already submitted); problems answer 400 with {path: '月度填报!J12', sheet, row, column, field, message} each and nothing is written. Otherwise every row is saved and submitted as the form does, in one transaction.",
      query: ImportQuery, upload: { field: "file", description: "the filled template (.xlsx); a `period` field may name the month" },
      success: { status: 201, description: "the reports submitted (200 with dryRun=true: checked, nothing written)", schema: ImportResult, alsoStatus: 200 },
      errors: [413, 415],
    },
  ]),
];
