import { readFileSync } from "node:fs";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readUpload } from "./workbook.js";
import { readFast } from "./xlsx-fast.js";
import { fixturePath, type Harness, makeHarness, type TestResponse } from "../../test/harness.js";

const API = "/api/v1";
const fixture = JSON.parse(readFileSync(fixturePath, "utf8")) as {
  indicators: { id: string; project: string; linkedTo?: string }[];
  projects: { id: string; leadUnit: string }[];
  targets: { indicator: string; region: string; value: number }[];
  progress: { indicator: string; region: string; period: string; value: number }[];
};

let h: Harness;
let reporter: string;
let edu: string;
let city: string;

beforeAll(async () => {
  h = await makeHarness();
  [reporter, edu, city] = (await Promise.all(["reporter", "reporter-edu", "city"].map((u) => h.login(u)))) as [string, string, string];
}, 120_000);
afterAll(() => h?.dispose());

async function template(cookie: string, query: string): Promise<ExcelJS.Workbook> {
  const res = await h.call(cookie, "GET", `${API}/imports/reports/template?${query}`);
  expect(res.status, await res.clone().text().catch(() => "")).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await res.arrayBuffer());
  return wb;
}

/** Data rows of the template sheet: row number → {indicator, region, …} by header. */
function rowsOf(wb: ExcelJS.Workbook) {
  const ws = wb.getWorksheet("月度填报")!;
  const headers = (ws.getRow(2).values as unknown[]).map((v) => String(v ?? "").replace(/\*$/, ""));
  const col = (name: string) => headers.indexOf(name);
  const out: { row: number; indicator: string; region: string; previous: unknown; target: unknown }[] = [];
  ws.eachRow((row, n) => {
    if (n <= 2) return;
    out.push({ row: n, indicator: String(row.getCell(col("指标编号")).value), region: String(row.getCell(col("区划代码")).value), previous: row.getCell(col("上期已核验累计值")).value, target: row.getCell(col("全年目标")).value });
  });
  return { ws, col, rows: out };
}

type Fill = { value?: unknown; narrative?: string; fallReason?: string; indicator?: string; region?: string };

/** Fills rows of a template (by indicator@region) and returns the workbook's bytes. */
async function filled(wb: ExcelJS.Workbook, fills: Record<string, Fill>, extra: Array<Fill & { indicator: string; region: string }> = []): Promise<Uint8Array> {
  const { ws, col, rows } = rowsOf(wb);
  for (const r of rows) {
    const f = fills[`${r.indicator}@${r.region}`];
    if (!f) continue;
    const row = ws.getRow(r.row);
    if (f.indicator !== undefined) row.getCell(col("指标编号")).value = f.indicator;
    if (f.region !== undefined) row.getCell(col("区划代码")).value = f.region;
    if (f.value !== undefined) row.getCell(col("本月累计完成值")).value = f.value as ExcelJS.CellValue;
    if (f.narrative !== undefined) row.getCell(col("进展情况")).value = f.narrative;
    if (f.fallReason !== undefined) row.getCell(col("下降原因")).value = f.fallReason;
  }
  let next = ws.rowCount + 1;
  for (const e of extra) {
    const row = ws.getRow(next++);
    row.getCell(col("指标编号")).value = e.indicator;
    row.getCell(col("区划代码")).value = e.region;
    if (e.value !== undefined) row.getCell(col("本月累计完成值")).value = e.value as ExcelJS.CellValue;
    if (e.narrative !== undefined) row.getCell(col("进展情况")).value = e.narrative;
    row.commit();
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

const upload = (cookie: string, bytes: Uint8Array, query = "", name = "填报.xlsx", extra: Record<string, string> = {}): Promise<TestResponse> => {
  const form = new FormData();
  form.append("file", new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  return h.call(cookie, "POST", `${API}/imports/reports${query}`, form);
};

const octoberCount = async () => Number((await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM reports WHERE period = '2024-10'")).rows[0]!.n);
const auditCount = async (action: string) => Number((await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = $1", [action])).rows[0]!.n);
const sept = (indicator: string, region: string) => fixture.progress.find((p) => p.indicator === indicator && p.region === region && p.period === "2024-09")!.value;

describe("the template", () => {
  it("lists what 邵阳县 reports for the month: indicators, regions, last month's counted value, target", async () => {
    const wb = await template(reporter, "period=2024-10");
    const { rows } = rowsOf(wb);
    const linked = new Set(fixture.indicators.filter((i) => i.linkedTo).map((i) => i.id));
    const due = fixture.targets.filter((t) => t.region === "430523" && !linked.has(t.indicator)).map((t) => `${t.indicator}@${t.region}`).sort();
    expect(rows.map((r) => `${r.indicator}@${r.region}`).sort()).toEqual(due);
    const tuowei = rows.find((r) => r.indicator === "hn2024-p04-a")!;
    expect(tuowei.previous).toBe(164); // September's verified figure, a number
    expect(tuowei.target).toBe(360);
    expect(String(wb.getWorksheet("填报说明")!.getCell("B2").value)).toBe("2024-10");
  });

  it("gives a unit's reporter only its unit's projects, and keeps reporters in their area", async () => {
    const { rows } = rowsOf(await template(edu, "period=2024-10"));
    const eduProjects = new Set(fixture.projects.filter((p) => p.leadUnit === "edu").map((p) => p.id));
    const projectOf = new Map(fixture.indicators.map((i) => [i.id, i.project]));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(eduProjects.has(projectOf.get(r.indicator)!)).toBe(true);
    expect((await h.call(reporter, "GET", `${API}/imports/reports/template?period=2024-10&region=430524`)).status).toBe(403);
    expect((await h.call(edu, "GET", `${API}/imports/reports/template?period=2024-10&unit=zj`)).status).toBe(403);
    expect((await h.call(city, "GET", `${API}/imports/reports/template?period=2024-10`)).status).toBe(403); // staff do not report
  });
});

describe("an upload with problems", () => {
  it("reports every problem by sheet, row and column, and writes nothing", async () => {
    const wb = await template(reporter, "period=2024-10");
    const at = (indicator: string) => rowsOf(wb).rows.find((r) => r.indicator === indicator)!.row;
    const dup = rowsOf(wb).rows.length + 3; // the row appended after the last
    const rows = { p04: at("hn2024-p04-a"), p02: at("hn2024-p02-a"), p03: at("hn2024-p03-a"), p08: at("hn2024-p08-a"), p05: at("hn2024-p05-a"), p09: at("hn2024-p09-a"), p10: at("hn2024-p10-a") };
    const bytes = await filled(
      wb,
      {
        "hn2024-p04-a@430523": { value: 100, narrative: "核减后回落" }, // below September's 164, no reason
        "hn2024-p02-a@430523": { value: "一百二十", narrative: "已完成" }, // not a number
        "hn2024-p03-a@430523": { indicator: "hn2024-p99-z", value: 10, narrative: "x" }, // unknown indicator
        "hn2024-p08-a@430523": { region: "430524", value: 10, narrative: "隆回县的" }, // outside the reporter's area
        "hn2024-p05-a@430523": { value: 120, narrative: "形象进度" }, // a milestone over 100
        "hn2024-p09-a@430523": { value: 410 }, // no narrative
        "hn2024-p10-a@430523": { value: -3, narrative: "负数" },
      },
      [{ indicator: "hn2024-p05-a", region: "430523", value: 80, narrative: "重复" }], // a duplicate of the milestone row
    );
    const before = await octoberCount();
    const res = await upload(reporter, bytes);
    expect(res.status).toBe(400);
    const error = (await res.json()).error;
    expect(error.code).toBe("IMPORT_ROWS_INVALID");
    expect(error.message).toContain("nothing was imported");
    const got = error.problems.map((p: { path: string; sheet: string; row: number; column: string; field: string }) => `${p.path} ${p.field}`).sort();
    expect(got).toEqual(
      [
        `月度填报!A${dup} 指标编号`,
        `月度填报!A${rows.p03} 指标编号`,
        `月度填报!B${rows.p08} 区划代码`,
        `月度填报!J${rows.p02} 本月累计完成值`,
        `月度填报!J${rows.p05} 本月累计完成值`,
        `月度填报!J${rows.p10} 本月累计完成值`,
        `月度填报!K${rows.p09} 进展情况`,
        `月度填报!L${rows.p04} 下降原因`,
      ].sort(),
    );
    const message = (path: string) => error.problems.find((p: { path: string }) => p.path === path)?.message as string;
    expect(message(`月度填报!L${rows.p04}`)).toContain("below 2024-09's counted 164");
    expect(message(`月度填报!J${rows.p02}`)).toContain("is not a number");
    expect(message(`月度填报!A${rows.p03}`)).toContain('unknown indicator "hn2024-p99-z"');
    expect(message(`月度填报!B${rows.p08}`)).toContain("outside your area");
    expect(message(`月度填报!J${rows.p05}`)).toContain("at most 100");
    expect(message(`月度填报!A${dup}`)).toContain(`duplicates row ${rows.p05}`);
    expect(message(`月度填报!J${rows.p10}`)).toContain("must not be negative");
    // each problem has its own code and figures, which the console says in Chinese
    const kind = (path: string) => {
      const p = error.problems.find((x: { path: string }) => x.path === path);
      return { code: p?.code, params: p?.params };
    };
    expect(kind(`月度填报!L${rows.p04}`)).toEqual({ code: "REPORT_FALL_NEEDS_REASON", params: { value: 100, previous: sept("hn2024-p04-a", "430523"), previousPeriod: "2024-09" } });
    expect(kind(`月度填报!J${rows.p02}`)).toEqual({ code: "IMPORT_VALUE_NOT_NUMBER", params: { text: "一百二十" } });
    expect(kind(`月度填报!A${rows.p03}`)).toEqual({ code: "REPORT_INDICATOR_UNKNOWN", params: { indicator: "hn2024-p99-z" } });
    expect(kind(`月度填报!B${rows.p08}`)).toEqual({ code: "REPORT_REGION_NOT_YOURS", params: {} });
    expect(kind(`月度填报!J${rows.p05}`)).toEqual({ code: "REPORT_VALUE_MILESTONE_OVER_100", params: {} });
    expect(kind(`月度填报!A${dup}`)).toEqual({ code: "IMPORT_ROW_DUPLICATE", params: { first: rows.p05 } });
    expect(kind(`月度填报!J${rows.p10}`)).toMatchObject({ code: "too_small", params: { minimum: 0 } });
    expect(kind(`月度填报!K${rows.p09}`)).toEqual({ code: "REPORT_NEEDS_NARRATIVE", params: {} });
    for (const p of error.problems) expect(p.sheet).toBe("月度填报");
    expect(await octoberCount()).toBe(before);
  });

  it("refuses what is not an .xlsx, an empty or missing file, and another month's template", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect((await upload(reporter, png, "", "伪装.xlsx")).status).toBe(415);
    expect((await upload(reporter, new TextEncoder().encode("指标编号,区划代码\nhn2024-p04-a,430523"), "", "a.xlsx")).status).toBe(415);
    expect((await upload(reporter, new Uint8Array(0))).status).toBe(400);
    expect((await h.call(reporter, "POST", `${API}/imports/reports`, new FormData())).status).toBe(400);
    expect((await h.call(reporter, "POST", `${API}/imports/reports`, { file: "x" })).status).toBe(415);
    const big = new Uint8Array(5 * 1024 * 1024 + 200 * 1024);
    expect((await upload(reporter, big)).status).toBe(413);
    const september = await filled(await template(reporter, "period=2024-09"), {});
    const res = await upload(reporter, september, "?period=2024-10");
    expect(res.status).toBe(400);
    const problem = (await res.json()).error.problems[0];
    expect(problem).toMatchObject({ path: "填报说明!B2", sheet: "填报说明", row: 2, column: "B" });
    expect(problem.message).toContain("template of 2024-09, not of 2024-10");
    expect(problem).toMatchObject({ code: "IMPORT_MONTH_MISMATCH", params: { template: "2024-09", period: "2024-10" } });
    const nothing = await upload(reporter, await filled(await template(reporter, "period=2024-10"), {}));
    expect(nothing.status).toBe(400);
    expect((await nothing.json()).error.problems[0]).toMatchObject({ message: expect.stringContaining("no row is filled in"), code: "IMPORT_NO_ROWS" });
  });
});

describe("a valid upload", () => {
  it("checks only with dryRun, then submits every row as the form would, in one go, audited", async () => {
    const wb = await template(reporter, "period=2024-10");
    const bytes = await filled(wb, {
      "hn2024-p04-a@430523": { value: 150, narrative: "核减后回落", fallReason: "9 月数据经核验核减" },
      "hn2024-p02-a@430523": { value: "1,250", narrative: "新建校舍完工" },
      "hn2024-p05-a@430523": { value: 100, narrative: "提标补发完成" },
    });
    const before = await octoberCount();
    const dry = await upload(reporter, bytes, "?dryRun=true");
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ dryRun: true, period: "2024-10", rows: 3, imported: 0 });
    expect(await octoberCount()).toBe(before);

    const [saves, submits, imports] = await Promise.all([auditCount("report.save"), auditCount("report.submit"), auditCount("reports.import")]);
    const res = await upload(reporter, bytes);
    expect(res.status).toBe(201);
    const result = await res.json();
    expect(result).toMatchObject({ dryRun: false, period: "2024-10", rows: 3, imported: 3, created: 3, updated: 0 });
    expect(await octoberCount()).toBe(before + 3);
    expect(await auditCount("report.save")).toBe(saves + 3);
    expect(await auditCount("report.submit")).toBe(submits + 3);
    expect(await auditCount("reports.import")).toBe(imports + 1);

    const view = async (id: number) => (await h.call(reporter, "GET", `${API}/reports/${id}`)).json();
    const tuowei = await view(result.reports.find((r: { indicator: string }) => r.indicator === "hn2024-p04-a").id);
    expect(tuowei).toMatchObject({ state: "submitted", reportedValue: 150, narrative: "核减后回落", fallReason: "9 月数据经核验核减", source: "report", createdBy: "user:reporter", version: 2 });
    expect(tuowei.fall).toEqual({ previous: sept("hn2024-p04-a", "430523"), previousPeriod: "2024-09", value: 150 });
    expect((await view(result.reports.find((r: { indicator: string }) => r.indicator === "hn2024-p02-a").id)).reportedValue).toBe(1250);

    // The same report made with the form ends in the same state.
    const form = await (await h.call(reporter, "PUT", `${API}/reports`, { indicator: "hn2024-p06-a", region: "430523", period: "2024-10", value: 100, narrative: "提标补发完成" })).json();
    const submitted = await (await h.call(reporter, "POST", `${API}/reports/${form.id}/submit`, {})).json();
    const imported = await view(result.reports.find((r: { indicator: string }) => r.indicator === "hn2024-p05-a").id);
    const same = (r: Record<string, unknown>) => ({ state: r.state, reportedValue: r.reportedValue, verifiedValue: r.verifiedValue, narrative: r.narrative, source: r.source, version: r.version, createdBy: r.createdBy, updatedBy: r.updatedBy });
    expect(same(imported)).toEqual(same(submitted));

    // Submitted reports cannot be replaced by another upload.
    const again = await upload(reporter, bytes);
    expect(again.status).toBe(400);
    expect((await again.json()).error.problems[0]).toMatchObject({ message: expect.stringContaining("already submitted"), code: "IMPORT_REPORT_NOT_REPLACEABLE", params: { period: "2024-10", state: "待核验" } });
  });

  it("replaces a returned report's figure and resubmits it", async () => {
    const reviewer = await h.login("reviewer");
    const { rows } = await h.deps.db.query<{ id: string; version: number }>("SELECT id, version FROM reports WHERE indicator = 'hn2024-p02-a' AND region = '430523' AND period = '2024-10'");
    const returned = await h.call(reviewer, "POST", `${API}/reports/${rows[0]!.id}/review`, { version: rows[0]!.version, action: "return", reason: "佐证材料不足" });
    expect(returned.status).toBe(200);
    const wb = await template(reporter, "period=2024-10");
    const row = rowsOf(wb).rows.find((r) => r.indicator === "hn2024-p02-a");
    expect(row).toBeDefined(); // a returned report is due again, with its figures filled in
    const res = await upload(reporter, await filled(wb, { "hn2024-p02-a@430523": { value: 1300, narrative: "补充佐证后重报" } }));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ imported: 1, created: 0, updated: 1 });
    const { rows: after } = await h.deps.db.query<{ state: string; reported_value: string }>("SELECT state, reported_value::text FROM reports WHERE id = $1", [rows[0]!.id]);
    expect(after[0]).toEqual({ state: "submitted", reported_value: "1300" });
  });
});

describe("a report created by someone else while the upload is written", () => {
  it("answers 409 naming the row, and writes nothing of the upload", async () => {
    const wb = await template(reporter, "period=2024-10");
    const existing = new Set((await h.deps.db.query<{ k: string }>("SELECT indicator || '@' || region AS k FROM reports WHERE period = '2024-10'")).rows.map((r) => r.k));
    const due = rowsOf(wb).rows.filter((r) => r.region === "430523" && !existing.has(`${r.indicator}@${r.region}`)).slice(0, 2);
    expect(due.length).toBe(2); // rows with no report yet this month: the batch inserts them
    // last month's counted value again: no fall, nothing for the checks to refuse
    const bytes = await filled(wb, Object.fromEntries(due.map((r) => [`${r.indicator}@${r.region}`, { value: Number(r.previous ?? 0), narrative: "并发写入测试" }])));
    const [reports, saves, imports] = [await octoberCount(), await auditCount("report.save"), await auditCount("reports.import")];
    // Between the batch's checks and its insert, another writer creates the second row's report
    // (on PostgreSQL another connection can; here it is planted in the same transaction, just before).
    const transaction = h.deps.db.transaction;
    let planted = 0;
    h.deps.db.transaction = ((fn: Parameters<typeof transaction>[0]) =>
      transaction.call(h.deps.db, (tx) =>
        fn({
          ...tx,
          query: (async (sql: string, params?: readonly unknown[]) => {
            if (/^\s*INSERT INTO reports\b/.test(sql) && sql.includes("unnest") && planted++ === 0) {
              await tx.query(
                `INSERT INTO reports (indicator, region, period, state, reported_value, narrative, source, version, created_by, updated_by)
                 VALUES ($1, $2, '2024-10', 'draft', 1, '他人填报', 'report', 1, 'user:other', 'user:other')`,
                [due[1]!.indicator, due[1]!.region],
              );
            }
            return tx.query(sql, params);
          }) as typeof tx.query,
        }),
      )) as typeof transaction;
    let res: TestResponse;
    try {
      res = await upload(reporter, bytes);
    } finally {
      h.deps.db.transaction = transaction;
    }
    expect(planted).toBe(1);
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error.message).toContain(`row ${due[1]!.row}`);
    expect(body.error.message).toContain("nothing was imported");
    // the whole transaction rolled back: the planted report too, and none of the upload's rows or audit entries
    expect(await octoberCount()).toBe(reports);
    expect(await auditCount("report.save")).toBe(saves);
    expect(await auditCount("reports.import")).toBe(imports);
    // the retry, with nothing in the way, goes through
    const retry = await upload(reporter, bytes);
    expect(retry.status).toBe(201);
    expect(await retry.json()).toMatchObject({ imported: 2, created: 2 });
  });
});

describe("the upload writes what the form writes", () => {
  // Two databases from the same seed and clock: one fed through the form (PUT + submit per row),
  // the other the same rows through the upload; reports and audit entries must come out equal.
  let form: Harness;
  let excel: Harness;
  beforeAll(async () => {
    [form, excel] = await Promise.all([makeHarness(), makeHarness()]);
  }, 120_000);
  afterAll(async () => {
    await form?.dispose();
    await excel?.dispose();
  });

  const period = "2024-10";
  /** The same starting point in both: a saved draft, and a report submitted then returned. */
  async function prepare(x: Harness) {
    const rep = await x.login("reporter");
    const reviewer = await x.login("reviewer");
    const draft = await x.call(rep, "PUT", `${API}/reports`, { indicator: "hn2024-p09-a", region: "430523", period, value: 40, narrative: "草稿" });
    expect(draft.status).toBe(201);
    const saved = await (await x.call(rep, "PUT", `${API}/reports`, { indicator: "hn2024-p10-a", region: "430523", period, value: 260, narrative: "首次报送", fallReason: "口径调整" })).json();
    const submitted = await (await x.call(rep, "POST", `${API}/reports/${saved.id}/submit`, {})).json();
    const returned = await x.call(reviewer, "POST", `${API}/reports/${saved.id}/review`, { version: submitted.version, action: "return", reason: "佐证材料不足" });
    expect(returned.status).toBe(200);
    const { rows } = await x.deps.db.query<{ seq: string }>("SELECT coalesce(max(seq), 0) AS seq FROM audit_log");
    return { rep, mark: Number(rows[0]!.seq) };
  }

  const rowsFilled: Record<string, Fill> = {
    "hn2024-p04-a@430523": { value: 150, narrative: "核减后回落", fallReason: "9 月数据经核验核减" }, // a fall with its reason
    "hn2024-p02-a@430523": { value: sept("hn2024-p02-a", "430523") + 0.1, narrative: "新建校舍完工" },
    "hn2024-p05-a@430523": { value: 100, narrative: "提标补发完成" },
    "hn2024-p09-a@430523": { value: sept("hn2024-p09-a", "430523") + 5, narrative: "草稿改为正式" }, // the saved draft
    "hn2024-p10-a@430523": { value: sept("hn2024-p10-a", "430523") + 7.25, narrative: "补充佐证后重报", fallReason: "口径调整已说明" }, // the returned report (the template fills in its old reason; this replaces it)
    "hn2024-p08-a@430523": { value: sept("hn2024-p08-a", "430523"), narrative: "与上月持平" },
  };

  const reportsOf = async (x: Harness) =>
    // every column of the month's reports (the seeded ones carry the seeding's own clock time)
    (await x.deps.db.query("SELECT * FROM reports WHERE period = $1 ORDER BY id", [period])).rows.map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
  const auditOf = async (x: Harness, mark: number) =>
    (
      await x.deps.db.query<Record<string, unknown>>(
        "SELECT at, actor, action, entity, entity_id, before, after FROM audit_log WHERE seq > $1 AND action LIKE 'report.%' ORDER BY seq",
        [mark],
      )
    ).rows.map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);

  it("gives the same reports (ids, states, versions, values, times) and the same audit entries in the same order", async () => {
    const [a, b] = await Promise.all([prepare(form), prepare(excel)]);
    expect(await reportsOf(form)).toEqual(await reportsOf(excel));

    // Through the upload.
    const wb = await (async () => {
      const res = await excel.call(b.rep, "GET", `${API}/imports/reports/template?period=${period}`);
      const w = new ExcelJS.Workbook();
      await w.xlsx.load(await res.arrayBuffer());
      return w;
    })();
    const order = rowsOf(wb)
      .rows.filter((r) => rowsFilled[`${r.indicator}@${r.region}`])
      .map((r) => `${r.indicator}@${r.region}`);
    expect(order.length).toBe(Object.keys(rowsFilled).length);
    const form_ = new FormData();
    form_.append("file", new Blob([(await filled(wb, rowsFilled)) as Uint8Array<ArrayBuffer>]), "填报.xlsx");
    const res = await excel.call(b.rep, "POST", `${API}/imports/reports`, form_);
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toMatchObject({ imported: 6, created: 4, updated: 2 });

    // Through the form, row by row in the workbook's order.
    for (const key of order) {
      const [indicator, region] = key.split("@") as [string, string];
      const f = rowsFilled[key]!;
      const saved = await form.call(a.rep, "PUT", `${API}/reports`, { indicator, region, period, value: f.value, narrative: f.narrative, ...(f.fallReason ? { fallReason: f.fallReason } : {}) });
      expect([200, 201]).toContain(saved.status);
      const submitted = await form.call(a.rep, "POST", `${API}/reports/${(await saved.json()).id}/submit`, f.fallReason ? { fallReason: f.fallReason } : {});
      expect(submitted.status).toBe(200);
    }

    expect(await reportsOf(excel)).toEqual(await reportsOf(form));
    const viaForm = await auditOf(form, a.mark);
    const viaUpload = await auditOf(excel, b.mark);
    expect(viaForm.map((e) => e.action)).toEqual(order.flatMap(() => ["report.save", "report.submit"]));
    expect(viaUpload).toEqual(viaForm);
    const { verifyAuditChain } = await import("@minsheng/db");
    expect(await verifyAuditChain(excel.deps.db)).toMatchObject({ ok: true });
    const imports = await excel.deps.db.query<{ after: { rows: number; reportIds: number[] } }>("SELECT after FROM audit_log WHERE action = 'reports.import'");
    expect(imports.rows.map((r) => r.after.rows)).toEqual([6]);
  });
});

describe("the fast reader of uploads", () => {
  // Every workbook is read twice, by the fast reader (when it models the workbook) and by exceljs:
  // the rows, columns, month and problems must be the same.
  const both = async (bytes: Uint8Array) => [await readUpload(bytes), await readUpload(bytes, { fast: false })] as const;

  async function varied(options: { sharedStrings?: boolean; move?: boolean } = {}) {
    const wb = await template(reporter, "period=2024-10");
    const { ws, col, rows } = rowsOf(wb);
    const values: ExcelJS.CellValue[] = [
      12.5,
      "1,250",
      "一百",
      { formula: "100+50", result: 150 },
      { formula: "A1", result: "文本结果" },
      { error: "#N/A" },
      true,
      0,
      -3,
      1e-7,
      "  42 ",
      null,
      { richText: [{ text: "富" }, { text: "文本", font: { bold: true } }] },
    ];
    const narratives: ExcelJS.CellValue[] = ["进展 <正常> & \"顺利\" 's", { richText: [{ text: "分段" }, { text: "说明" }] }, "  前后空格  ", "", "😀 表情", 123, null];
    rows.forEach((r, i) => {
      const row = ws.getRow(r.row);
      row.getCell(col("本月累计完成值")).value = values[i % values.length]!;
      row.getCell(col("进展情况")).value = narratives[i % narratives.length]!;
      if (i % 4 === 0) row.getCell(col("下降原因")).value = `原因 ${i}`;
    });
    // a blank row in the middle and one after the end
    ws.getRow(rows[2]!.row).getCell(col("本月累计完成值")).value = null;
    ws.getRow(rows[2]!.row).getCell(col("进展情况")).value = null;
    ws.getRow(rows[2]!.row).getCell(col("下降原因")).value = null;
    ws.getRow(ws.rowCount + 3).getCell(1).value = "hn2024-p04-a";
    if (options.move) ws.spliceColumns(3, 1); // columns moved: 项目 removed, the rest shift left
    return new Uint8Array(await wb.xlsx.writeBuffer({ useSharedStrings: options.sharedStrings ?? true } as ExcelJS.XlsxWriteOptions));
  }

  it("reads shared and inline strings, numbers, formulas, errors, booleans, rich text and moved columns as exceljs does", async () => {
    for (const bytes of [await varied(), await varied({ sharedStrings: false }), await varied({ move: true })]) {
      const why: string[] = [];
      expect(readFast(bytes, (w) => why.push(w)), `the fast reader models this workbook (${why.join("")})`).not.toBeNull();
      const [fast, slow] = await both(bytes);
      expect(fast.rows.length).toBeGreaterThan(5);
      expect(fast).toEqual(slow);
    }
    // the template as downloaded, nothing filled
    const plain = await filled(await template(reporter, "period=2024-10"), {});
    expect(readFast(plain)).not.toBeNull();
    const [fast, slow] = await both(plain);
    expect(fast).toEqual(slow);
  });

  it("leaves to exceljs what it does not model (dates, merged cells, hyperlinks) and what is not a workbook", async () => {
    const cases: Array<(ws: ExcelJS.Worksheet, col: (name: string) => number, row: number) => void> = [
      // a date where no number format is set (exceljs gives it a date format; read back, a Date)
      (ws, col, row) => (ws.getRow(row).getCell(col("进展情况")).value = new Date("2024-10-01T00:00:00Z")),
      (ws, col, row) => ws.mergeCells(row, col("进展情况"), row + 1, col("进展情况")),
      (ws, col, row) => (ws.getRow(row).getCell(col("进展情况")).value = { text: "链接", hyperlink: "https://example.org" }),
    ];
    const reasons = ["a date", "merged cells below the first row", "hyperlinks"];
    for (const change of cases) {
      const wb = await template(reporter, "period=2024-10");
      const { ws, col, rows } = rowsOf(wb);
      for (const r of rows.slice(0, 3)) {
        ws.getRow(r.row).getCell(col("本月累计完成值")).value = 7;
        ws.getRow(r.row).getCell(col("进展情况")).value = "进展";
      }
      change(ws, col, rows[0]!.row);
      const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
      const why: string[] = [];
      expect(readFast(bytes, (w) => why.push(w))).toBeNull();
      expect(why).toEqual([reasons[cases.indexOf(change)]]);
      const [a, b] = await both(bytes);
      expect(a).toEqual(b);
    }
    expect(readFast(new TextEncoder().encode("not a zip"))).toBeNull();
    // Tags never closed: refused after one linear pass (a lazy regex would backtrack quadratically).
    const hostile = new JSZip();
    hostile.file("xl/workbook.xml", '<workbook><sheets><sheet name="月度填报" sheetId="1" r:id="rId1"/></sheets></workbook>');
    hostile.file("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>');
    hostile.file("xl/worksheets/sheet1.xml", `<worksheet><sheetData>${'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is>'.repeat(200_000)}</sheetData></worksheet>`);
    const why: string[] = [];
    expect(readFast(new Uint8Array(await hostile.generateAsync({ type: "uint8array", compression: "DEFLATE" })), (w) => why.push(w))).toBeNull();
    expect(why).toEqual(["unclosed <row>"]);
    const [a, b] = await both(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]));
    expect(a).toEqual(b);
  });
});
