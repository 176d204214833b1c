import { readFileSync } from "node:fs";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { errorText } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturePath, type Harness, makeHarness, type TestResponse } from "../../test/harness.js";

const API = "/api/v1";
const Q = "plan=hn2024,sy2024&region=430500&period=2024-09";

let h: Harness;
let admin: string;
let city: string;
let county: string;
let reporter: string;
let province: string;

beforeAll(async () => {
  h = await makeHarness();
  [admin, city, county, reporter, province] = (await Promise.all(["admin", "city", "county", "reporter", "province"].map((u) => h.login(u)))) as [string, string, string, string, string];
}, 120_000);
afterAll(() => h?.dispose());

const decode = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");

/** The text of a .docx answer, one paragraph a line (runs joined), read with a ZIP reader. */
async function docxText(res: TestResponse): Promise<string> {
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  const zip = await JSZip.loadAsync(Buffer.from(await res.arrayBuffer()));
  const xml = (await zip.file("word/document.xml")!.async("string")) ?? "";
  return xml
    .split(/<\/w:p>/)
    .map((p) => [...p.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => decode(m[1]!)).join(""))
    .filter((t) => t.length > 0)
    .join("\n");
}

async function workbook(res: TestResponse): Promise<ExcelJS.Workbook> {
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await res.arrayBuffer());
  return wb;
}

const auditCount = async (action: string) =>
  Number((await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = $1", [action])).rows[0]!.n);

describe("GET /bulletins: the bulletin from live data", () => {
  it("composes seed 003's summary from the database's verified figures", async () => {
    const res = await h.call(city, "GET", `${API}/bulletins?${Q}`);
    expect(res.status).toBe(200);
    const model = await res.json();
    expect(model.format).toBe("minsheng.bulletin/v1");
    expect(model.masthead.issueNo).toBe(1); // nothing issued yet: the next number
    const province = model.summaries[0];
    expect([province.total, province.completed, province.onSchedule]).toEqual([24, 11, 13]);
    expect(province.text).toContain("全市省定十大重点民生实事 24 个项目进展顺利，11 个项目已提前完成全年目标任务，13 个项目按序时进度正常推进");
    expect(model.annexes.map((a: { label: string }) => a.label)).toEqual(["附件 1", "附件 2"]);
  });

  it("downloads the .docx with the fixture's figures", async () => {
    const text = await docxText(await h.call(city, "GET", `${API}/bulletins?${Q}&format=docx&issueNo=7&date=2024-10-09`));
    expect(text).toContain("第 7 期");
    expect(text).toContain("2024年10月9日");
    expect(text).toContain("全市新增普惠性托位 3450 个，完成率 88.46%。其中，邵阳县未达序时，进度为 45.56%。");
    expect(text).toContain("隆回县（5.4783 分）");
  });

  it("downloads the annex tables as .xlsx with real numbers", async () => {
    const res = await h.call(city, "GET", `${API}/bulletins?${Q}&format=xlsx`);
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const wb = await workbook(res);
    const annex1 = wb.worksheets[0]!;
    const cells: string[] = [];
    annex1.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
    expect(cells.some((c) => c.includes("全市新增普惠性托位 3450 个，完成率 88.46%"))).toBe(true);
    // the indicator sheet carries rates as numbers in a percent format
    const detail = wb.worksheets.find((w) => w.name.includes("指标"))!;
    let rate: ExcelJS.Cell | undefined;
    detail.eachRow((row) => row.eachCell((c) => {
      if (typeof c.value === "number" && Math.abs(c.value - 0.8846) < 1e-9) rate = c;
    }));
    expect(rate).toBeDefined();
    expect(rate!.numFmt).toBe("0.00%");
  });

  it("audits every file download, not the JSON view", async () => {
    const before = await auditCount("bulletin.preview.download");
    await h.call(city, "GET", `${API}/bulletins?${Q}`);
    expect(await auditCount("bulletin.preview.download")).toBe(before);
    expect((await h.call(city, "GET", `${API}/bulletins?${Q}&format=xlsx`)).status).toBe(200);
    expect(await auditCount("bulletin.preview.download")).toBe(before + 1);
  });

  it("is for the task force of the region and above, and the admin", async () => {
    expect((await h.call(province, "GET", `${API}/bulletins?${Q}`)).status).toBe(200);
    expect((await h.call(admin, "GET", `${API}/bulletins?${Q}`)).status).toBe(200);
    expect((await h.call(county, "GET", `${API}/bulletins?${Q}`)).status).toBe(403); // the city is above the county's area
    expect((await h.call(county, "GET", `${API}/bulletins?plan=hn2024,sy2024&region=430523&period=2024-09`)).status).toBe(200);
    expect((await h.call(reporter, "GET", `${API}/bulletins?plan=hn2024&region=430523&period=2024-09`)).status).toBe(403);
    expect((await h.call(null, "GET", `${API}/bulletins?${Q}`)).status).toBe(401);
  });

  it("names what is wrong with the query", async () => {
    const res = await h.call(city, "GET", `${API}/bulletins?plan=hn2024,,x&region=43&period=2024-13&format=pdf`);
    expect(res.status).toBe(400);
    const paths = (await res.json()).error.problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(["$.query.format", "$.query.period", "$.query.plan", "$.query.region"]);
    const plan = await h.call(city, "GET", `${API}/bulletins?plan=hn2024,nope&region=430500&period=2024-09`);
    expect(plan.status).toBe(404);
    expect((await plan.json()).error).toMatchObject({ code: "BULLETIN_PLAN_NOT_FOUND", params: { plan: "nope" }, message: errorText("BULLETIN_PLAN_NOT_FOUND", { plan: "nope" }), problems: [{ path: "$.query.plan" }] });
    const region = await h.call(city, "GET", `${API}/bulletins/draft?plan=hn2024&region=439999&period=2024-09`);
    expect(region.status).toBe(404);
    expect((await region.json()).error).toMatchObject({ code: "BULLETIN_REGION_NOT_FOUND", params: { region: "439999" }, problems: [{ path: "$.query.region" }] });
  });
});

describe("narrative drafts", () => {
  const key = { plans: ["hn2024", "sy2024"], region: "430500", period: "2024-08" };

  it("keeps what was typed, appears in the preview, and refuses a stale version", async () => {
    const empty = await (await h.call(city, "GET", `${API}/bulletins/draft?plan=hn2024,sy2024&region=430500&period=2024-08`)).json();
    expect(empty.draft).toBeNull();
    const content = { issueNo: 6, date: "2024-09-1", sections: { 区县动态: "邵阳县召开推进会。\n隆回县开展督查。", 工作打算: "一是压实责任。" }, thresholds: { fast: 90 } };
    const saved = await h.call(city, "PUT", `${API}/bulletins/draft`, { ...key, content });
    expect(saved.status).toBe(200);
    const draft = (await saved.json()).draft;
    expect(draft.version).toBe(1);
    expect(draft.content).toEqual(content); // a half-typed date is kept as typed
    expect(draft.updatedBy).toBe("user:city");

    const model = await (await h.call(city, "GET", `${API}/bulletins?plan=hn2024,sy2024&region=430500&period=2024-08`)).json();
    expect(model.masthead.issueNo).toBe(6);
    expect(model.draftVersion).toBe(1);
    const text = JSON.stringify(model.sections);
    expect(text).toContain("邵阳县召开推进会。");
    expect(text).toContain("隆回县开展督查。");
    expect(text).toContain("一是压实责任。");
    expect(model.groups.fast).toBe(90);

    const second = await h.call(city, "PUT", `${API}/bulletins/draft`, { ...key, content: { ...content, issueNo: 8 }, version: 1 });
    expect(second.status).toBe(200);
    const stale = await h.call(admin, "PUT", `${API}/bulletins/draft`, { ...key, content: { sections: {} }, version: 1 });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error).toMatchObject({ code: "BULLETIN_DRAFT_STALE", params: { currentVersion: 2, version: 1 }, currentVersion: 2 });
    const kept = await (await h.call(city, "GET", `${API}/bulletins/draft?plan=hn2024,sy2024&region=430500&period=2024-08`)).json();
    expect(kept.draft.content.issueNo).toBe(8);
    expect(kept.draft.content.sections.工作打算).toBe("一是压实责任。");
  });

  it("refuses unknown sections and writers without the permission", async () => {
    const res = await h.call(city, "PUT", `${API}/bulletins/draft`, { ...key, content: { sections: { 花边新闻: "x" } } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.problems[0].path).toMatch(/^\$\.content\.sections/);
    expect((await h.call(reporter, "PUT", `${API}/bulletins/draft`, { ...key, region: "430523", content: {} })).status).toBe(403);
    // a plan that does not exist is named by its place in the body, and nothing is saved
    const unknown = await h.call(city, "PUT", `${API}/bulletins/draft`, { ...key, plans: ["hn2024", "nope"], content: {} });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatchObject({ code: "BULLETIN_PLAN_NOT_FOUND", problems: [{ path: "$.plans[1]" }] });
    expect((await h.deps.db.query("SELECT 1 FROM bulletin_drafts WHERE plans = 'hn2024,nope'")).rows).toEqual([]);
  });

  it("refuses a month outside the plans' year, and months no plan can have, before anything is written", async () => {
    const before = Number((await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM bulletin_issues")).rows[0]!.n);
    const body = { plans: ["hn2024", "sy2024"], region: "430500", issueNo: 90, date: "2024-10-09", sections: {} };
    const other = await h.call(city, "POST", `${API}/bulletins`, { ...body, period: "2025-01" });
    expect(other.status).toBe(400);
    expect((await other.json()).error).toMatchObject({ code: "BULLETIN_PERIOD_OUTSIDE_PLAN_YEAR", params: { period: "2025-01", plan: "hn2024", year: 2024 }, problems: [{ path: "$.period" }] });
    const preview = await h.call(city, "GET", `${API}/bulletins?plan=hn2024&region=430500&period=2023-12&format=json`);
    expect((await preview.json()).error).toMatchObject({ code: "BULLETIN_PERIOD_OUTSIDE_PLAN_YEAR", problems: [{ path: "$.query.period" }] });
    for (const period of ["0000-01", "1999-12", "9999-12", "2101-01"]) {
      const res = await h.call(city, "POST", `${API}/bulletins`, { ...body, period });
      expect(res.status, period).toBe(400);
      expect((await res.json()).error.problems[0].path).toBe("$.period");
    }
    expect(Number((await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM bulletin_issues")).rows[0]!.n)).toBe(before);
  });
});

describe("issuing freezes the figures", () => {
  let issueId: number;
  const body = {
    plans: ["hn2024", "sy2024"],
    region: "430500",
    period: "2024-09",
    issueNo: 7,
    date: "2024-10-09",
    seal: "（邵阳市人力资源和社会保障局代章）",
    sections: { 工作打算: "一是强化组织领导，盯紧看牢工作进度。" },
  };

  it("issues 第 7 期 and lists it", async () => {
    const before = await auditCount("bulletin.issue");
    const res = await h.call(city, "POST", `${API}/bulletins`, body);
    expect(res.status).toBe(201);
    const issue = await res.json();
    issueId = issue.id;
    expect(issue).toMatchObject({ region: { code: "430500", name: "邵阳市" }, period: "2024-09", plans: ["hn2024", "sy2024"], year: 2024, issueNo: 7, date: "2024-10-09", issuedBy: "user:city" });
    expect(issue.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(issue.summaries[0]).toMatchObject({ plan: "hn2024", total: 24, completed: 11, onSchedule: 13 });
    expect(await auditCount("bulletin.issue")).toBe(before + 1);
    // the narrative as issued stays with the draft, linked to the issue
    const draft = await (await h.call(city, "GET", `${API}/bulletins/draft?plan=hn2024,sy2024&region=430500&period=2024-09`)).json();
    expect(draft.draft.issueId).toBe(issueId);
    expect(draft.draft.content.sections.工作打算).toBe("一是强化组织领导，盯紧看牢工作进度。");
    expect(draft.nextIssueNo).toBe(8);

    const list = await (await h.call(province, "GET", `${API}/bulletins/issues`)).json();
    expect(list.issues.map((i: { id: number }) => i.id)).toContain(issueId);
    // the county's staff see only their county's bulletins
    const countyList = await (await h.call(county, "GET", `${API}/bulletins/issues`)).json();
    expect(countyList.issues).toEqual([]);
    expect((await h.call(county, "GET", `${API}/bulletins/issues?region=430500`)).status).toBe(403);
    expect((await h.call(county, "GET", `${API}/bulletins/issues/${issueId}?format=docx`)).status).toBe(403);
  });

  it("refuses the same number twice in the region's year, naming the next free one", async () => {
    const res = await h.call(admin, "POST", `${API}/bulletins`, body);
    expect(res.status).toBe(409);
    const error = (await res.json()).error;
    expect(error).toMatchObject({ code: "BULLETIN_ISSUE_NO_TAKEN", params: { region: "430500", year: 2024, issueNo: 7, nextIssueNo: 8 }, problems: [{ path: "$.issueNo" }] });
    expect(error.message).toBe(errorText("BULLETIN_ISSUE_NO_TAKEN", error.params));
    expect(error.issueId).toBe(issueId);
    expect(error.nextIssueNo).toBe(8);
  });

  it("keeps the issued figures after a correction, while the preview follows the data", async () => {
    const issuedDocx = await docxText(await h.call(city, "GET", `${API}/bulletins/issues/${issueId}?format=docx`));
    expect(issuedDocx).toContain("全市新增普惠性托位 3450 个，完成率 88.46%。其中，邵阳县未达序时，进度为 45.56%。");
    expect(issuedDocx).toContain("一是强化组织领导，盯紧看牢工作进度。");
    expect(issuedDocx).toContain("（邵阳市人力资源和社会保障局代章）");
    const issuedJson = await (await h.call(city, "GET", `${API}/bulletins/issues/${issueId}`)).json();

    // A correction of 邵阳县's September figure (164 → 300 托位), imported as official figures are.
    const bundle = JSON.parse(readFileSync(fixturePath, "utf8"));
    const row = bundle.progress.find((p: { indicator: string; region: string; period: string }) => p.indicator === "hn2024-p04-a" && p.region === "430523" && p.period === "2024-09");
    row.value = 300;
    expect((await h.call(admin, "POST", `${API}/bundles`, bundle)).status).toBe(201);

    const live = await docxText(await h.call(city, "GET", `${API}/bulletins?${Q}&format=docx`));
    expect(live).toContain("全市新增普惠性托位 3586 个，完成率 91.95%");
    expect(live).not.toContain("邵阳县未达序时，进度为 45.56%");

    const again = await docxText(await h.call(city, "GET", `${API}/bulletins/issues/${issueId}?format=docx`));
    expect(again).toBe(issuedDocx);
    const againJson = await (await h.call(city, "GET", `${API}/bulletins/issues/${issueId}`)).json();
    expect(againJson.model).toEqual(issuedJson.model);
    const wb = await workbook(await h.call(city, "GET", `${API}/bulletins/issues/${issueId}?format=xlsx`));
    const texts: string[] = [];
    wb.worksheets[0]!.eachRow((r) => r.eachCell((c) => texts.push(String(c.value))));
    expect(texts.some((t) => t.includes("全市新增普惠性托位 3450 个，完成率 88.46%"))).toBe(true);
  });

  it("audits every download of an issued bulletin", async () => {
    const before = await auditCount("bulletin.download");
    await h.call(city, "GET", `${API}/bulletins/issues/${issueId}?format=xlsx`);
    await h.call(province, "GET", `${API}/bulletins/issues/${issueId}`);
    expect(await auditCount("bulletin.download")).toBe(before + 2);
    const { rows } = await h.deps.db.query<{ actor: string; after: { format: string } }>(
      "SELECT actor, after FROM audit_log WHERE action = 'bulletin.download' ORDER BY seq DESC LIMIT 2",
    );
    expect(rows.map((r) => `${r.actor} ${r.after.format}`)).toEqual(["user:province json", "user:city xlsx"]);
  });

  it("refuses to render a snapshot stored in a format it does not know", async () => {
    await h.deps.db.query("UPDATE bulletin_issues SET model = jsonb_set(model, '{format}', '\"minsheng.bulletin/v0\"') WHERE id = $1", [issueId]);
    try {
      const res = await h.call(city, "GET", `${API}/bulletins/issues/${issueId}?format=docx`);
      expect(res.status).toBe(409);
      expect((await res.json()).error).toMatchObject({ code: "BULLETIN_FORMAT_UNKNOWN", params: { id: issueId, format: "minsheng.bulletin/v0" } });
    } finally {
      await h.deps.db.query("UPDATE bulletin_issues SET model = jsonb_set(model, '{format}', '\"minsheng.bulletin/v1\"') WHERE id = $1", [issueId]);
    }
  });

  it("names every problem of an issue body and writes nothing", async () => {
    const before = Number((await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM bulletin_issues")).rows[0]!.n);
    const res = await h.call(city, "POST", `${API}/bulletins`, { plans: [], region: "430500", period: "2024-9", issueNo: 0, date: "2024-02-30", thresholds: { fast: -1 } });
    expect(res.status).toBe(400);
    const paths = (await res.json()).error.problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(["$.date", "$.issueNo", "$.period", "$.plans", "$.thresholds.fast"]);
    expect(Number((await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM bulletin_issues")).rows[0]!.n)).toBe(before);
    expect((await h.call(county, "POST", `${API}/bulletins`, { ...body, issueNo: 9 })).status).toBe(403);
    expect((await h.call(reporter, "POST", `${API}/bulletins`, { ...body, region: "430523", issueNo: 9 })).status).toBe(403);
    const missing = await h.call(city, "GET", `${API}/bulletins/issues/999999`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatchObject({ code: "BULLETIN_NOT_FOUND", params: { id: 999999 } });
    const region = await h.call(city, "GET", `${API}/bulletins/issues?region=439999`);
    expect((await region.json()).error).toMatchObject({ code: "BULLETIN_REGION_NOT_FOUND", problems: [{ path: "$.query.region" }] });
  });
});
