import { isReviewerAction, periodAt } from "@minsheng/domain";
import { z } from "zod";
import { assertProjectScope, assertRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { evidenceOfReport, listReports } from "./data.js";
import { EvidenceView, ListQuery, Missing, PeriodQuery, ReportIdParam, ReportList, ReportView, ReviewBody, SaveBody, SubmitBody, Tasks } from "./schemas.js";
import { areaOf, missingOf, reviewReport, saveDraft, submitReport, tasksOf, viewOf } from "./service.js";

/**
 * 月度填报与核验: a reporter saves a draft of the cumulative value and narrative (进展情况) for an
 * indicator, region and month, attaches evidence (evidence/) and submits it; a reviewer verifies,
 * reduces (核减), returns or reopens it. Only verified and reduced figures count in published numbers.
 */

const tag = "reports";

export const listReportsOp = defineOperation({
  tag, method: "get", path: "/", operationId: "listReports", access: "reports.read",
  summary: ["填报列表", "Reports in your area, newest month first"],
  scope: "your region's subtree; `region` narrows it and must lie within your area",
  query: ListQuery, examples: { period: "2024-09", region: "430523", limit: "20" },
  success: { status: 200, description: "a page of reports, reported and verified values kept apart", schema: ReportList },
  errors: [404],
});

export const reportTasksOp = defineOperation({
  tag, method: "get", path: "/tasks", operationId: "reportTasks", access: "reports.write",
  summary: ["本月待填报", "What is due from me for the month and not yet submitted"],
  scope: "your region's subtree and, for a reporter tied to a unit, that unit's projects",
  query: PeriodQuery, examples: { period: "2024-10" },
  success: { status: 200, description: "due indicator-regions with the report so far, if any", schema: Tasks },
});

export const missingReportsOp = defineOperation({
  tag, method: "get", path: "/missing", operationId: "missingReports", access: "reports.read", notFor: ["reporter"],
  summary: ["逾期未报", "Reports still missing after the month's deadline, per unit and region"],
  scope: "your region's subtree",
  query: PeriodQuery, examples: { period: "2024-09" },
  success: { status: 200, description: "missing reports grouped by unit and region (none before the deadline)", schema: Missing },
});

export const saveReportOp = defineOperation({
  tag, method: "put", path: "/", operationId: "saveReport", keepsPublicPages: true, access: "reports.write",
  summary: ["保存填报草稿", "Create or update the draft for an indicator, region and month"],
  scope: "`region` within your area; a reporter tied to a unit reports only that unit's projects",
  description: "Every problem is listed at once (400), a region outside your area included. A stale `version` is a 409; a submitted or verified report cannot be edited (409).",
  body: SaveBody, bodyExample: { indicator: "hn2024-p14-a", region: "430523", period: "2024-10", value: 85, narrative: "进展情况" },
  success: { status: 201, alsoStatus: 200, description: "201 created, 200 updated: the report", schema: ReportView },
  errors: [409],
});

export const getReportOp = defineOperation({
  tag, method: "get", path: "/{id}", operationId: "getReport", access: "reports.read",
  summary: ["填报详情", "One report with its evidence"],
  scope: "the report's region must lie within your area",
  params: ReportIdParam, examples: { id: "1" },
  success: { status: 200, description: "the report", schema: ReportView.extend({ evidence: z.array(EvidenceView) }) },
  errors: [404],
});

export const submitReportOp = defineOperation({
  tag, method: "post", path: "/{id}/submit", operationId: "submitReport", keepsPublicPages: true, access: "reports.write",
  summary: ["提交核验", "Submit a draft or returned report for review"],
  scope: "the report's region within your area and, for a unit's reporter, a project of that unit",
  description: "Needs a narrative; a value below last month's counted one needs a `fallReason` (环比下降).",
  params: ReportIdParam, body: SubmitBody, bodyExample: {},
  success: { status: 200, description: "the submitted report", schema: ReportView },
  errors: [404, 409],
});

export const reviewReportOp = defineOperation({
  tag, method: "post", path: "/{id}/review", operationId: "reviewReport", access: "reports.review",
  summary: ["核验", "Verify, reduce (核减), return or reopen a report"],
  scope: "the report's region must lie within your area",
  description: "Acts on the version you saw; of two reviewers at once one wins and the other gets 409. Imported official figures cannot be reviewed (409).",
  params: ReportIdParam, body: ReviewBody, bodyExample: { version: 2, action: "verify" },
  success: { status: 200, description: "the reviewed report", schema: ReportView },
  errors: [404, 409],
});

export const reportRoutes = router()
  /** Reports the caller may see (its region's subtree), newest month first. */
  .openapi(listReportsOp, async (c) => {
    const p = requirePermission(c.get("principal"), "reports.read");
    const q = c.req.valid("query");
    const deps = c.get("deps");
    let area = await areaOf(p, deps);
    if (q.region !== undefined) {
      if (!deps.regions.get(q.region)) throw fail("REPORT_REGION_NOT_FOUND", { region: q.region });
      assertRegion(p, q.region, deps.regions);
      area = deps.regions.subtree(q.region);
    }
    const filter = { area, unit: p.unit, ...(q.period ? { period: q.period } : {}), ...(q.state ? { state: q.state } : {}), ...(q.indicator ? { indicator: q.indicator } : {}) };
    const { total, reports } = await listReports(deps.db, filter, q.limit, q.offset);
    return c.json({ total, limit: q.limit, offset: q.offset, reports }, 200);
  })
  /** A reporter's to-do for the month (default: this month): what is due and not yet submitted. */
  .openapi(reportTasksOp, async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const deps = c.get("deps");
    return c.json(await tasksOf(p, deps, c.req.valid("query").period ?? periodAt(deps.now().getTime())), 200);
  })
  /** For staff and reviewers: reports still missing after the month's deadline, per unit and region. */
  .openapi(missingReportsOp, async (c) => {
    const p = requirePermission(c.get("principal"), "reports.read");
    if (p.role === "reporter") throw fail("REPORT_MISSING_STAFF_ONLY");
    return c.json(await missingOf(p, c.get("deps"), c.req.valid("query").period), 200);
  })
  /** Creates or updates the draft for {indicator, region, period} (a returned report stays returned until resubmitted). */
  .openapi(saveReportOp, async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const body = c.req.valid("json");
    const { db, regions, now } = c.get("deps");
    await regions.ready();
    const at = now();
    const { created, id } = await db.transaction((tx) => saveDraft(tx, p, body, regions, at));
    return c.json(await viewOf(db, id), created ? 201 : 200);
  })
  .openapi(getReportOp, async (c) => {
    const p = requirePermission(c.get("principal"), "reports.read");
    const { id } = c.req.valid("param");
    const { db, regions } = c.get("deps");
    await regions.ready();
    const view = await viewOf(db, id);
    assertProjectScope(p, { region: view.region.code, leadUnit: view.project.leadUnit }, regions);
    return c.json({ ...view, evidence: await evidenceOfReport(db, id) }, 200);
  })
  /** Submits a draft or returned report for review; a fall versus last month needs a reason. */
  .openapi(submitReportOp, async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { db, regions, now } = c.get("deps");
    await regions.ready();
    const at = now();
    await db.transaction((tx) => submitReport(tx, p, id, body, regions, at));
    return c.json(await viewOf(db, id), 200);
  })
  /**
   * A reviewer's decision on the version it saw: verify, reduce (核减) to a lower verified value
   * with a reason, return with a reason, or reopen a decision. Two reviewers at once: one wins,
   * the other gets 409.
   */
  .openapi(reviewReportOp, async (c) => {
    const p = requirePermission(c.get("principal"), "reports.review");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    if (!isReviewerAction(body)) throw fail("REPORT_REVIEW_CANNOT_SUBMIT").at("$.action", "submitting is the reporter's: POST /reports/:id/submit");
    const { db, regions, now } = c.get("deps");
    await regions.ready();
    const at = now();
    await db.transaction((tx) => reviewReport(tx, p, id, body, regions, at));
    return c.json(await viewOf(db, id), 200);
  });
