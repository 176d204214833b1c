import { Rational, reportStateLabel } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";
import { deadlineOf } from "./service.js";

// The fixture holds official (imported) figures up to 2024-09; the clock stands at 2024-10-08
// (China time), so 2024-10 is the month being reported. Each test uses its own indicator.

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.dispose());

// oxlint-disable-next-line typescript/no-explicit-any -- response bodies are checked field by field
type Json = any;
const body = async (res: Response): Promise<Json> => res.json();
const paths = (b: Json): string[] => b.error.problems.map((p: { path: string }) => p.path).sort();
/** Each problem's path and its own code (the console says it in Chinese by code). */
const kinds = (b: Json): string[] => b.error.problems.map((p: { path: string; code: string }) => `${p.path} ${p.code}`).sort();

const put = (cookie: string | null, draft: Record<string, unknown>) => h.call(cookie, "PUT", "/api/v1/reports", draft);
const submit = (cookie: string | null, id: number, payload: Record<string, unknown> = {}) => h.call(cookie, "POST", `/api/v1/reports/${id}/submit`, payload);
const review = (cookie: string | null, id: number, payload: Record<string, unknown>) => h.call(cookie, "POST", `/api/v1/reports/${id}/review`, payload);

/** The imported (official) figure of September for an indicator and region. */
async function september(cookie: string, indicator: string, region: string): Promise<number> {
  const res = await h.call(cookie, "GET", `/api/v1/reports?indicator=${indicator}&region=${region}&period=2024-09`);
  const b = await body(res);
  expect(b.reports).toHaveLength(1);
  expect(b.reports[0]).toMatchObject({ source: "import", state: "verified" });
  return b.reports[0].verifiedValue as number;
}

/** A submitted report for 430523 in 2024-10 (as the county's reporter). */
async function submitted(indicator: string, value: number, extra: Record<string, unknown> = {}): Promise<Json> {
  const reporter = await h.login("reporter");
  const saved = await put(reporter, { indicator, region: "430523", period: "2024-10", value, narrative: "本月完成情况", ...extra });
  expect(saved.status).toBe(201);
  const res = await submit(reporter, (await body(saved)).id);
  expect(res.status).toBe(200);
  return body(res);
}

async function history(id: number): Promise<Json[]> {
  const reviewer = await h.login("reviewer");
  const res = await h.call(reviewer, "GET", `/api/v1/audit/history?entity=report&id=${id}`);
  expect(res.status).toBe(200);
  return (await body(res)).entries;
}

describe("the monthly cycle", () => {
  it("saves a draft, updates it, submits it and has it verified, each step audited", async () => {
    const reporter = await h.login("reporter");
    const sept = await september(reporter, "hn2024-p02-a", "430523");
    const created = await put(reporter, { indicator: "hn2024-p02-a", region: "430523", period: "2024-10", value: sept + 3, narrative: "开展培训3场" });
    expect(created.status).toBe(201);
    const draft = await body(created);
    expect(draft).toMatchObject({
      state: "draft",
      stateLabel: "草稿",
      reportedValue: sept + 3,
      verifiedValue: null,
      countedValue: null,
      version: 1,
      source: "report",
      fall: null,
      previous: { period: "2024-09", value: sept },
      indicator: { id: "hn2024-p02-a" },
      region: { code: "430523", name: "邵阳县" },
      createdBy: "user:reporter",
    });

    const updated = await put(reporter, { indicator: "hn2024-p02-a", region: "430523", period: "2024-10", value: sept + 5, narrative: "开展培训5场", version: 1 });
    expect(updated.status).toBe(200);
    expect(await body(updated)).toMatchObject({ id: draft.id, reportedValue: sept + 5, narrative: "开展培训5场", version: 2, state: "draft" });

    const sub = await submit(reporter, draft.id, { version: 2 });
    expect(sub.status).toBe(200);
    const submittedReport = await body(sub);
    expect(submittedReport).toMatchObject({ state: "submitted", version: 3 });
    expect(submittedReport.submittedAt).not.toBeNull();

    const reviewer = await h.login("reviewer");
    const verified = await review(reviewer, draft.id, { action: "verify", version: 3 });
    expect(verified.status).toBe(200);
    expect(await body(verified)).toMatchObject({ state: "verified", reportedValue: sept + 5, verifiedValue: sept + 5, countedValue: sept + 5, version: 4, reviewedBy: "user:reviewer" });

    const entries = await history(draft.id);
    expect(entries.map((e) => e.action)).toEqual(["report.save", "report.save", "report.submit", "report.verify"]);
    expect(entries[0].before).toBeNull();
    expect(entries[1].before).toMatchObject({ reportedValue: sept + 3, version: 1 });
    expect(entries[1].after).toMatchObject({ reportedValue: sept + 5, version: 2 });
    expect(entries[3].before).toMatchObject({ state: "submitted" });
    expect(entries[3].after).toMatchObject({ state: "verified", verifiedValue: sept + 5 });
    expect(entries.every((e) => e.actor === (e.action === "report.verify" ? "user:reviewer" : "user:reporter"))).toBe(true);
  });

  it("counts only verified figures: a reduction (核减) is what the city's published rate reflects", async () => {
    const city = await h.login("city");
    const progress = async () => {
      const res = await h.call(city, "GET", "/api/v1/plans/hn2024/progress?period=2024-10&region=430500");
      expect(res.status).toBe(200);
      const b = await body(res);
      return b.indicators.find((i: Json) => i.indicator === "hn2024-p03-a" && i.region === "430500") as { actual: number; target: number; rate: number };
    };
    const before = await progress();
    const sept = await september(city, "hn2024-p03-a", "430523");

    const report = await submitted("hn2024-p03-a", sept + 200);
    // Submitted is not counted yet.
    expect(await progress()).toEqual(before);

    const reviewer = await h.login("reviewer");
    const res = await review(reviewer, report.id, { action: "reduce", verifiedValue: sept + 50, reason: "佐证材料仅支持新增50人", version: report.version });
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ state: "reduced", stateLabel: "已核减", reportedValue: sept + 200, verifiedValue: sept + 50, reviewReason: "佐证材料仅支持新增50人" });

    const after = await progress();
    expect(after.target).toBe(before.target);
    expect(after.actual).toBe(before.actual + 50);
    expect(after.rate).toBe(Rational.percent(Rational.div(Rational.fromNumber(before.actual + 50), Rational.fromNumber(before.target))));
    expect(after.rate).toBeGreaterThan(before.rate);

    // The listing keeps reported and verified apart.
    const listed = await body(await h.call(city, "GET", `/api/v1/reports?indicator=hn2024-p03-a&period=2024-10`));
    expect(listed.reports).toHaveLength(1);
    expect(listed.reports[0]).toMatchObject({ reportedValue: sept + 200, verifiedValue: sept + 50, state: "reduced" });
  });

  it("returns a report with a reason; the reporter edits and resubmits it", async () => {
    const report = await submitted("hn2024-p04-a", 170);
    const reviewer = await h.login("reviewer");
    const noReason = await review(reviewer, report.id, { action: "return", version: report.version });
    expect(noReason.status).toBe(400);
    expect(paths(await body(noReason))).toEqual(["$.reason"]);

    const returned = await review(reviewer, report.id, { action: "return", reason: "缺少托位验收照片", version: report.version });
    expect(returned.status).toBe(200);
    const r = await body(returned);
    expect(r).toMatchObject({ state: "returned", reviewReason: "缺少托位验收照片", verifiedValue: null });

    const reporter = await h.login("reporter");
    const edited = await put(reporter, { indicator: "hn2024-p04-a", region: "430523", period: "2024-10", value: 168, narrative: "补充验收照片" });
    expect(edited.status).toBe(200);
    expect(await body(edited)).toMatchObject({ state: "returned", reportedValue: 168, version: r.version + 1, reviewReason: "缺少托位验收照片" });

    const again = await submit(reporter, report.id);
    expect(again.status).toBe(200);
    expect(await body(again)).toMatchObject({ state: "submitted", reviewReason: null, reportedValue: 168 });
    expect((await history(report.id)).map((e) => e.action)).toEqual(["report.save", "report.submit", "report.return", "report.save", "report.submit"]);
  });

  it("reopens a verified report for review again", async () => {
    const report = await submitted("hn2024-p08-a", 12500);
    const reviewer = await h.login("reviewer");
    const verified = await body(await review(reviewer, report.id, { action: "verify", version: report.version }));
    const reopened = await review(reviewer, report.id, { action: "reopen", version: verified.version });
    expect(reopened.status).toBe(200);
    expect(await body(reopened)).toMatchObject({ state: "submitted", verifiedValue: null, countedValue: null });
    const reduced = await review(reviewer, report.id, { action: "reduce", verifiedValue: 12400, reason: "重复统计100人", version: verified.version + 1 });
    expect(reduced.status).toBe(200);
    expect((await history(report.id)).map((e) => e.action)).toEqual(["report.save", "report.submit", "report.verify", "report.reopen", "report.reduce"]);
  });
});

describe("optimistic concurrency", () => {
  it("lets one of two simultaneous reviews win; the other gets 409", async () => {
    const report = await submitted("hn2024-p09-a", 410);
    const reviewer = await h.login("reviewer");
    const admin = await h.login("admin");
    const [a, b] = await Promise.all([
      review(reviewer, report.id, { action: "verify", version: report.version }),
      review(admin, report.id, { action: "return", reason: "数据存疑", version: report.version }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    // the version it read is stale, or the other review's UPDATE came first
    expect((await body(loser)).error.code).toMatch(/^REPORT_(VERSION_STALE|REVIEWED_MEANWHILE)$/);
    const now = await body(await h.call(reviewer, "GET", `/api/v1/reports/${report.id}`));
    expect(now.version).toBe(report.version + 1);
    expect(["verified", "returned"]).toContain(now.state);
    const reviews = (await history(report.id)).filter((e) => e.action === "report.verify" || e.action === "report.return");
    expect(reviews).toHaveLength(1);
  });

  it("refuses a review or an edit made on a stale version with 409 and the current version", async () => {
    const reporter = await h.login("reporter");
    const saved = await body(await put(reporter, { indicator: "hn2024-p11-a", region: "430523", period: "2024-10", value: 4700, narrative: "新增就业" }));
    await put(reporter, { indicator: "hn2024-p11-a", region: "430523", period: "2024-10", value: 4710, narrative: "新增就业" });
    const stale = await put(reporter, { indicator: "hn2024-p11-a", region: "430523", period: "2024-10", value: 4720, narrative: "x", version: saved.version });
    expect(stale.status).toBe(409);
    expect((await body(stale)).error).toMatchObject({ code: "REPORT_VERSION_STALE", currentVersion: saved.version + 1 });
    const staleSubmit = await submit(reporter, saved.id, { version: saved.version });
    expect(staleSubmit.status).toBe(409);
    const sub = await body(await submit(reporter, saved.id));
    const reviewer = await h.login("reviewer");
    const staleReview = await review(reviewer, saved.id, { action: "verify", version: sub.version - 1 });
    expect(staleReview.status).toBe(409);
    expect((await body(staleReview)).error.currentVersion).toBe(sub.version);
  });
});

describe("falls versus the previous month (环比下降)", () => {
  it("flags a cumulative value below last month's counted one and requires a reason to submit it", async () => {
    const reporter = await h.login("reporter");
    const sept = await september(reporter, "hn2024-p10-a", "430523");
    const saved = await put(reporter, { indicator: "hn2024-p10-a", region: "430523", period: "2024-10", value: sept - 3, narrative: "重新核对后减少" });
    expect(saved.status).toBe(201);
    const draft = await body(saved);
    expect(draft.fall).toEqual({ previous: sept, previousPeriod: "2024-09", value: sept - 3 });

    const refused = await submit(reporter, draft.id);
    expect(refused.status).toBe(400);
    const why = await body(refused);
    expect(paths(why)).toEqual(["$.fallReason"]);
    expect(why.error.problems[0]).toMatchObject({ code: "REPORT_FALL_NEEDS_REASON", params: { value: sept - 3, previous: sept, previousPeriod: "2024-09" } });
    expect(why.error).toMatchObject({ code: "REPORT_FALL_NEEDS_REASON", params: { value: sept - 3, previous: sept, previousPeriod: "2024-09" } });
    const tooShort = await submit(reporter, draft.id, { fallReason: " " });
    expect(tooShort.status).toBe(400);

    const ok = await submit(reporter, draft.id, { fallReason: "3户重复登记已剔除" });
    expect(ok.status).toBe(200);
    expect(await body(ok)).toMatchObject({ state: "submitted", fallReason: "3户重复登记已剔除", fall: { previous: sept, value: sept - 3 } });

    const listed = await body(await h.call(reporter, "GET", "/api/v1/reports?indicator=hn2024-p10-a&period=2024-10"));
    expect(listed.reports[0].fall).toMatchObject({ previous: sept, value: sept - 3 });
  });

  it("flags a fall caused by a reduction, and the progress evaluation shows it too", async () => {
    const reporter = await h.login("reporter");
    const sept = await september(reporter, "hn2024-p12-a", "430523");
    const report = await submitted("hn2024-p12-a", sept + 1);
    expect(report.fall).toBeNull();
    const reviewer = await h.login("reviewer");
    const reduced = await body(await review(reviewer, report.id, { action: "reduce", verifiedValue: sept - 1, reason: "1个项目未通过验收", version: report.version }));
    expect(reduced.fall).toEqual({ previous: sept, previousPeriod: "2024-09", value: sept - 1 });
    const county = await h.login("county");
    const evaluation = await body(await h.call(county, "GET", "/api/v1/plans/hn2024/progress?period=2024-10&region=430523"));
    expect(evaluation.falls).toContainEqual(expect.objectContaining({ indicator: "hn2024-p12-a", region: "430523", previous: sept, value: sept - 1 }));
  });
});

describe("state transitions", () => {
  it("answers 409 to transitions the workflow does not allow", async () => {
    const reporter = await h.login("reporter");
    const reviewer = await h.login("reviewer");
    const draft = await body(await put(reporter, { indicator: "hn2024-p13-a", region: "430523", period: "2024-10", value: 340, narrative: "进展顺利" }));
    const verifyDraft = await review(reviewer, draft.id, { action: "verify", version: draft.version });
    expect(verifyDraft.status).toBe(409);
    expect((await body(verifyDraft)).error).toMatchObject({ code: "REPORT_TRANSITION_NOT_ALLOWED", params: { from: "草稿", action: "核验通过" } });
    expect((await review(reviewer, draft.id, { action: "reopen", version: draft.version })).status).toBe(409);

    const sub = await body(await submit(reporter, draft.id));
    expect(sub.state).toBe("submitted");
    expect((await submit(reporter, draft.id)).status).toBe(409);
    const edit = await put(reporter, { indicator: "hn2024-p13-a", region: "430523", period: "2024-10", value: 331, narrative: "x" });
    expect(edit.status).toBe(409);
    expect((await body(edit)).error).toMatchObject({ code: "REPORT_NOT_EDITABLE", params: { state: reportStateLabel.submitted } });
    // A reduction must be below the reported value.
    const notLower = await review(reviewer, draft.id, { action: "reduce", verifiedValue: 340, reason: "核减", version: sub.version });
    expect(notLower.status).toBe(409);

    const verified = await body(await review(reviewer, draft.id, { action: "verify", version: sub.version }));
    expect((await review(reviewer, draft.id, { action: "return", reason: "再看看", version: verified.version })).status).toBe(409);
    expect((await put(reporter, { indicator: "hn2024-p13-a", region: "430523", period: "2024-10", value: 1, narrative: "x" })).status).toBe(409);
  });

  it("treats imported figures as verified: not editable, not reviewable", async () => {
    const reporter = await h.login("reporter");
    const reviewer = await h.login("reviewer");
    const imported = (await body(await h.call(reviewer, "GET", "/api/v1/reports?indicator=hn2024-p15-a&region=430523&period=2024-09"))).reports[0];
    expect(imported).toMatchObject({ source: "import", state: "verified" });
    expect(imported.countedValue).toBe(imported.reportedValue);
    expect((await put(reporter, { indicator: "hn2024-p15-a", region: "430523", period: "2024-09", value: 1, narrative: "x" })).status).toBe(409);
    expect((await review(reviewer, imported.id, { action: "reopen", version: imported.version })).status).toBe(409);
    expect((await submit(reporter, imported.id)).status).toBe(409);
  });
});

describe("validation", () => {
  it("names every missing field", async () => {
    const reporter = await h.login("reporter");
    const res = await put(reporter, {});
    expect(res.status).toBe(400);
    expect(paths(await body(res))).toEqual(["$.indicator", "$.period", "$.region", "$.value"]);
    const neg = await put(reporter, { indicator: "hn2024-p16-a", region: "430523", period: "2024-13", value: -1 });
    expect(paths(await body(neg))).toEqual(["$.period", "$.value"]);
  });

  it("checks the indicator, region and month against the plan and the reporter's area", async () => {
    const reporter = await h.login("reporter");
    const ask = async (draft: Record<string, unknown>) => {
      const res = await put(reporter, { narrative: "x", value: 1, period: "2024-10", region: "430523", ...draft });
      expect(res.status).toBe(400);
      return kinds(await body(res));
    };
    expect(await ask({ indicator: "no-such-indicator" })).toEqual(["$.indicator REPORT_INDICATOR_UNKNOWN"]);
    expect(await ask({ indicator: "hn2024-p16-a", region: "999999" })).toEqual(["$.region REPORT_REGION_UNKNOWN"]);
    // 隆回县 is outside 邵阳县's reporter's area
    expect(await ask({ indicator: "hn2024-p16-a", region: "430524" })).toEqual(["$.region REPORT_REGION_NOT_YOURS"]);
    // ⑰ has no target in 邵阳县 (nor below)
    expect(await ask({ indicator: "hn2024-p17-a" })).toEqual(["$.region REPORT_REGION_NO_TARGET"]);
    expect(await ask({ indicator: "hn2024-p16-a", period: "2024-12" })).toEqual(["$.period REPORT_PERIOD_NOT_BEGUN"]);
    expect(await ask({ indicator: "hn2024-p16-a", period: "2023-10" })).toEqual(["$.period REPORT_PERIOD_OUTSIDE_PLAN_YEAR"]);
    // a milestone is a percent
    expect(await ask({ indicator: "hn2024-p16-a", value: 120 })).toEqual(["$.value REPORT_VALUE_MILESTONE_OVER_100"]);
    // a linked indicator takes its figures from the province indicator
    expect(await ask({ indicator: "sy2024-p03-a", region: "430523" })).toEqual(["$.indicator REPORT_INDICATOR_LINKED", "$.region REPORT_REGION_NO_TARGET"]);
    const linked = await body(await put(reporter, { narrative: "x", value: 1, period: "2023-10", region: "430523", indicator: "sy2024-p03-a" }));
    expect(linked.error.problems.find((p: { code: string }) => p.code === "REPORT_INDICATOR_LINKED").params.linkedTo).toMatch(/^hn2024-/);
    expect(linked.error.problems.find((p: { code: string }) => p.code === "REPORT_PERIOD_OUTSIDE_PLAN_YEAR").params).toEqual({ period: "2023-10", year: 2024 });
    const list = await h.call(reporter, "GET", "/api/v1/reports?period=2024-9");
    expect(list.status).toBe(400);
    expect(paths(await body(list))).toEqual(["$.query.period"]);
  });

  it("keeps a unit's reporter to the projects its unit leads", async () => {
    const edu = await h.login("reporter-edu");
    const other = await put(edu, { indicator: "hn2024-p03-a", region: "430524", period: "2024-10", value: 4000, narrative: "x" });
    expect(other.status).toBe(400);
    expect((await body(other)).error.problems).toEqual([
      { path: "$.indicator", message: expect.stringContaining("not your unit"), code: "REPORT_PROJECT_NOT_YOUR_UNIT", params: { leadUnit: expect.any(String), unit: expect.any(String) } },
    ]);
    const own = await put(edu, { indicator: "hn2024-p01-a", region: "430524", period: "2024-10", value: 95, narrative: "主体完工" });
    expect(own.status).toBe(201);
  });

  it("requires a narrative to submit and validates review bodies", async () => {
    const reporter = await h.login("reporter");
    const reviewer = await h.login("reviewer");
    const draft = await body(await put(reporter, { indicator: "hn2024-p16-a", region: "430523", period: "2024-10", value: 90 }));
    const res = await submit(reporter, draft.id);
    expect(res.status).toBe(400);
    const why = await body(res);
    expect(kinds(why)).toEqual(["$.narrative REPORT_NEEDS_NARRATIVE"]);
    expect(why.error.code).toBe("REPORT_NEEDS_NARRATIVE");
    expect(paths(await body(await review(reviewer, draft.id, { action: "verify" })))).toEqual(["$.version"]);
    expect(paths(await body(await review(reviewer, draft.id, { action: "approve", version: 1 })))).toContain("$.action");
    const submitting = await body(await review(reviewer, draft.id, { action: "submit", version: 1 }));
    expect(paths(submitting)).toEqual(["$.action"]);
    expect(submitting.error.code).toBe("REPORT_REVIEW_CANNOT_SUBMIT");
    expect(paths(await body(await review(reviewer, draft.id, { action: "reduce", version: 1 })))).toEqual(["$.reason", "$.verifiedValue"]);
    expect((await h.call(reviewer, "GET", "/api/v1/reports/abc")).status).toBe(400);
  });

  it("answers 404 for reports that do not exist", async () => {
    const reporter = await h.login("reporter");
    const reviewer = await h.login("reviewer");
    expect((await h.call(reviewer, "GET", "/api/v1/reports/987654")).status).toBe(404);
    expect((await submit(reporter, 987654)).status).toBe(404);
    expect((await review(reviewer, 987654, { action: "verify", version: 1 })).status).toBe(404);
    expect((await h.call(reviewer, "GET", "/api/v1/reports?region=999999")).status).toBe(404);
  });
});

describe("access", () => {
  it("lists only the caller's region subtree", async () => {
    const reporter = await h.login("reporter");
    const mine = await body(await h.call(reporter, "GET", "/api/v1/reports?period=2024-09"));
    expect(mine.total).toBeGreaterThan(0);
    expect(mine.reports.every((r: Json) => r.region.code === "430523")).toBe(true);
    expect((await h.call(reporter, "GET", "/api/v1/reports?region=430524")).status).toBe(403);

    const city = await h.login("city");
    const all = await body(await h.call(city, "GET", "/api/v1/reports?period=2024-09&limit=5000"));
    expect(new Set(all.reports.map((r: Json) => r.region.code)).size).toBeGreaterThan(10);
    const submittedInSeptember = await body(await h.call(city, "GET", "/api/v1/reports?period=2024-09&state=submitted"));
    expect(submittedInSeptember.total).toBe(0);
    const paged = await body(await h.call(city, "GET", "/api/v1/reports?period=2024-09&limit=2&offset=2"));
    expect(paged.reports).toHaveLength(2);
    expect(paged.total).toBe(all.total);
    const past = await body(await h.call(city, "GET", "/api/v1/reports?period=2024-09&offset=100000"));
    expect(past).toMatchObject({ reports: [], total: all.total });
  });

  it("keeps 邵阳县's reporter out of 隆回县", async () => {
    const city = await h.login("city");
    const longhui = (await body(await h.call(city, "GET", "/api/v1/reports?indicator=hn2024-p02-a&region=430524&period=2024-09"))).reports[0];
    const reporter = await h.login("reporter");
    expect((await h.call(reporter, "GET", `/api/v1/reports/${longhui.id}`)).status).toBe(403);
    const county = await h.login("county");
    expect((await h.call(county, "GET", `/api/v1/reports/${longhui.id}`)).status).toBe(403);

    // a 隆回县 draft (by the city's education reporter) cannot be submitted by 邵阳县's reporter
    const edu = await h.login("reporter-edu");
    const draft = await body(await put(edu, { indicator: "hn2024-p14-a", region: "430524", period: "2024-10", value: 80, narrative: "建设中" }));
    const res = await submit(reporter, draft.id);
    expect(res.status).toBe(403);
    const stillDraft = await body(await h.call(city, "GET", `/api/v1/reports/${draft.id}`));
    expect(stillDraft).toMatchObject({ state: "draft", version: draft.version });
    // and the education reporter cannot submit a figure of a project it does not lead
    const own = await body(await put(reporter, { indicator: "hn2024-p20-a", region: "430523", period: "2024-10", value: 18, narrative: "改造中" }));
    expect((await submit(edu, own.id)).status).toBe(403);
  });

  it("lets only reviewers review and only reporters report", async () => {
    const reporter = await h.login("reporter");
    const reviewer = await h.login("reviewer");
    const observer = await h.login("observer");
    const county = await h.login("county");
    const draft = await body(await put(reporter, { indicator: "hn2024-p22-a", region: "430523", period: "2024-10", value: 60, narrative: "施工中" }));
    const sub = await body(await submit(reporter, draft.id));
    expect(sub.state).toBe("submitted");
    expect((await review(reporter, draft.id, { action: "verify", version: sub.version })).status).toBe(403);
    expect((await review(county, draft.id, { action: "verify", version: sub.version })).status).toBe(403);
    expect((await put(reviewer, { indicator: "hn2024-p22-b", region: "430523", period: "2024-10", value: 1, narrative: "x" })).status).toBe(403);
    expect((await put(observer, { indicator: "hn2024-p22-b", region: "430523", period: "2024-10", value: 1, narrative: "x" })).status).toBe(403);
    expect((await h.call(observer, "GET", "/api/v1/reports")).status).toBe(403);
    expect((await put(null, { indicator: "hn2024-p22-b", region: "430523", period: "2024-10", value: 1 })).status).toBe(401);
    expect((await h.call(null, "GET", "/api/v1/reports")).status).toBe(401);
    expect((await review(null, draft.id, { action: "verify", version: sub.version })).status).toBe(401);
    expect((await h.call(reviewer, "GET", `/api/v1/reports/${draft.id}`)).status).toBe(200);
  });
});

describe("what is due and what is missing", () => {
  it("gives a reporter this month's to-do in its area, without linked indicators or roll-up regions", async () => {
    const reporter = await h.login("reporter");
    const res = await h.call(reporter, "GET", "/api/v1/reports/tasks?period=2024-10");
    expect(res.status).toBe(200);
    const b = await body(res);
    expect(b).toMatchObject({ period: "2024-10", deadline: "2024-11-05" });
    expect(b.tasks.every((t: Json) => t.region.code === "430523")).toBe(true);
    const ids = b.tasks.map((t: Json) => t.indicator.id);
    expect(ids).toContain("hn2024-p23-a");
    expect(ids).not.toContain("sy2024-p03-a");
    expect(ids).not.toContain("hn2024-p17-a");
    const task = b.tasks.find((t: Json) => t.indicator.id === "hn2024-p23-a");
    expect(task).toMatchObject({ target: 150.167, report: null, unit: { id: "sl" } });
    expect(task.previous.period).toBe("2024-09");

    // A draft is still due; once submitted it is not.
    const draft = await body(await put(reporter, { indicator: "hn2024-p23-a", region: "430523", period: "2024-10", value: 140, narrative: "治理中" }));
    expect(draft.fall).toBeNull();
    const withDraft = await body(await h.call(reporter, "GET", "/api/v1/reports/tasks?period=2024-10"));
    expect(withDraft.tasks.find((t: Json) => t.indicator.id === "hn2024-p23-a").report).toMatchObject({ id: draft.id, state: "draft" });
    expect((await submit(reporter, draft.id)).status).toBe(200);
    const after = await body(await h.call(reporter, "GET", "/api/v1/reports/tasks?period=2024-10"));
    expect(after.tasks.map((t: Json) => t.indicator.id)).not.toContain("hn2024-p23-a");

    // Without a period: this month (China time).
    expect((await body(await h.call(reporter, "GET", "/api/v1/reports/tasks"))).period).toBe("2024-10");
    // September is complete: imported figures count as done.
    expect((await body(await h.call(reporter, "GET", "/api/v1/reports/tasks?period=2024-09"))).tasks).toEqual([]);
  });

  it("limits a unit's reporter to its unit's projects", async () => {
    const edu = await h.login("reporter-edu");
    const b = await body(await h.call(edu, "GET", "/api/v1/reports/tasks?period=2024-10"));
    expect(b.tasks.length).toBeGreaterThan(0);
    expect(new Set(b.tasks.map((t: Json) => t.unit.id))).toEqual(new Set(["edu"]));
    const reviewer = await h.login("reviewer");
    expect((await h.call(reviewer, "GET", "/api/v1/reports/tasks")).status).toBe(403);
  });

  it("lists missing reports per unit and region once the deadline (5th of next month, China time) has passed", async () => {
    const saved = h.clock.now;
    try {
      const city0 = await h.login("city");
      const early = await body(await h.call(city0, "GET", "/api/v1/reports/missing?period=2024-10"));
      expect(early).toMatchObject({ period: "2024-10", deadline: "2024-11-05", pastDeadline: false, missing: [] });
      // Without a period: last month, whose deadline has passed; September is complete.
      expect(await body(await h.call(city0, "GET", "/api/v1/reports/missing"))).toMatchObject({ period: "2024-09", deadline: "2024-10-05", pastDeadline: true, total: 0, missing: [] });

      h.clock.now = new Date("2024-11-05T15:59:00Z"); // 23:59 on the 5th in China
      const city1 = await h.login("city");
      expect((await body(await h.call(city1, "GET", "/api/v1/reports/missing?period=2024-10"))).pastDeadline).toBe(false);

      h.clock.now = new Date("2024-11-05T16:01:00Z"); // 00:01 on the 6th in China
      const reporter = await h.login("reporter");
      const sub = await body(await put(reporter, { indicator: "hn2024-p24-a", region: "430523", period: "2024-10", value: 29, narrative: "完工" }));
      expect((await submit(reporter, sub.id)).status).toBe(200);
      const draft = await body(await put(reporter, { indicator: "hn2024-p22-c", region: "430523", period: "2024-10", value: 15, narrative: "施工中" }));

      const city = await h.login("city");
      const res = await h.call(city, "GET", "/api/v1/reports/missing?period=2024-10");
      expect(res.status).toBe(200);
      const b = await body(res);
      expect(b.pastDeadline).toBe(true);
      expect(b.total).toBeGreaterThan(0);
      const group = (unit: string, region: string) => b.missing.find((g: Json) => g.unit.id === unit && g.region.code === region);
      expect(group("wjw", "430524")).toMatchObject({ unit: { name: "市卫生健康委员会" }, region: { name: "隆回县" } });
      expect(group("wjw", "430524").indicators.map((i: Json) => i.id)).toEqual(["hn2024-p03-a", "hn2024-p04-a", "sy2024-p05-a", "sy2024-p05-b"]);
      expect(group("hj", "430523")).toBeUndefined(); // submitted
      // a draft is not a report yet
      expect(group("jt", "430523").indicators).toContainEqual({ id: "hn2024-p22-c", name: expect.any(String), project: "hn2024-p22", state: "draft", reportId: draft.id });
      expect(b.missing.some((g: Json) => g.region.code === "430500")).toBe(false); // the city's own targets of linked indicators

      const county = await h.login("county");
      const mine = await body(await h.call(county, "GET", "/api/v1/reports/missing?period=2024-10"));
      expect(mine.missing.length).toBeGreaterThan(0);
      expect(mine.missing.every((g: Json) => g.region.code === "430523")).toBe(true);
      expect((await h.call(reporter, "GET", "/api/v1/reports/missing?period=2024-10")).status).toBe(403);
      expect((await h.call(await h.login("observer"), "GET", "/api/v1/reports/missing?period=2024-10")).status).toBe(403);
    } finally {
      h.clock.now = saved;
    }
  });
});

describe("the deadline", () => {
  it("is the configured day of the following month, clamped to the month's length", () => {
    expect(deadlineOf("2024-10", 5)).toBe("2024-11-05");
    expect(deadlineOf("2024-12", 10)).toBe("2025-01-10");
    expect(deadlineOf("2024-01", 31)).toBe("2024-02-29");
    expect(deadlineOf("2023-01", 31)).toBe("2023-02-28");
  });
});
