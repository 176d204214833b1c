/**
 * The console side of 码上通: project sites and their codes, QR codes and the printable sign,
 * publishing policy documents, localised content and work updates (with photos), editing and
 * unpublishing, the seed 003 counts, and rule 6 computed from the published content.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { XMLValidator } from "fast-xml-parser";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicBaseUrlFromEnv } from "../lib/public-url.js";
import { type Harness, makeHarness, ORIGIN } from "../../test/harness.js";
import { body, form, siteCode, tinyPdf, tinyPng, unlimited } from "../../test/sites-helpers.js";

let h: Harness;
const cookies: Record<string, string> = {};
/** 普惠性托育“护蕾”行动 (市卫生健康委员会) in 邵阳县 and 隆回县; 徐特立项目 (市教育局) in 邵阳县 */
let toddlers523 = "";
let toddlers524 = "";
let school523 = "";

beforeAll(async () => {
  h = await makeHarness();
  h.deps.rateLimiter = unlimited;
  for (const u of ["admin", "province", "city", "county", "reporter", "reporter-edu", "reviewer", "observer", "auditor"]) cookies[u] = await h.login(u);
  toddlers523 = await siteCode(h, cookies.city!, "hn2024-p04", "430523");
  toddlers524 = await siteCode(h, cookies.city!, "hn2024-p04", "430524");
  school523 = await siteCode(h, cookies.city!, "hn2024-p01", "430523");
}, 120_000);
afterAll(() => h?.dispose());

const api = (who: string | null, method: string, path: string, payload?: unknown, headers?: Record<string, string>) =>
  h.call(who === null ? null : cookies[who]!, method, `/api/v1${path}`, payload, headers);

async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const doc = await pdfjs.getDocument({ data: bytes, isEvalSupported: false, useSystemFonts: false, verbosity: 0 }).promise;
  let text = "";
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    text += content.items.map((item) => ("str" in item ? item.str : "")).join("");
  }
  return text;
}

describe("project sites and their codes", () => {
  it("gives every project × region with a target (own or below) one stable 8-character code", async () => {
    const res = await api("city", "GET", "/sites?region=430500&limit=200&plan=hn2024");
    expect(res.status).toBe(200);
    const list = await body(res);
    expect(list.total).toBeGreaterThan(200);
    const codes = list.sites.map((s: { code: string }) => s.code);
    for (const c of codes) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(new Set(codes).size).toBe(codes.length);
    // 邵阳市 holds sites too (its counties hold targets); 应急广播 has none in 邵阳县
    const cityLevel = await body(await api("city", "GET", "/sites?region=430500&project=hn2024-p04&limit=200"));
    expect(cityLevel.sites.map((s: { region: { code: string } }) => s.region.code)).toContain("430500");
    const none = await body(await api("city", "GET", "/sites?region=430523&project=hn2024-p17"));
    expect(none.total).toBe(0);
    const site = list.sites.find((s: { code: string }) => s.code === codes[0]);
    expect(site.url).toBe(`http://localhost/p/${site.code}`);
    expect(site.unit.name).toMatch(/^市/);
    expect(site.region.path[0]).toBe("湖南省");
  });

  it("keeps the codes across a re-import of the plan", async () => {
    const before = await siteCode(h, cookies.city!, "hn2024-p04", "430523");
    const exported = await body(await api("admin", "GET", "/bundles/hn2024"));
    expect((await api("admin", "POST", "/bundles", exported)).status).toBe(201);
    expect(await siteCode(h, cookies.city!, "hn2024-p04", "430523")).toBe(before);
    expect(before).toBe(toddlers523);
  });

  it("lists only the caller's area, and a unit's reporter only its unit's projects", async () => {
    const county = await body(await api("county", "GET", "/sites?limit=200"));
    for (const s of county.sites) expect(s.region.code).toBe("430523");
    expect((await api("county", "GET", "/sites?region=430524")).status).toBe(403);
    const edu = await body(await api("reporter-edu", "GET", "/sites?limit=200"));
    expect(edu.total).toBeGreaterThan(0);
    for (const s of edu.sites) expect(s.unit.id).toBe("edu");
    for (const who of ["observer", "reviewer"]) expect((await api(who, "GET", "/sites")).status).toBe(403);
    expect((await api(null, "GET", "/sites")).status).toBe(401);
    const bad = await api("city", "GET", "/sites?region=43&limit=0");
    expect(bad.status).toBe(400);
    expect((await body(bad)).error.problems.map((p: { path: string }) => p.path).sort()).toEqual(["$.query.limit", "$.query.region"]);
  });

  it("saves contact and location for the sign, versioned and audited", async () => {
    const res = await api("county", "PATCH", `/sites/${toddlers523}`, { contact: "邵阳县卫健局 0739-6822000", location: "塘渡口镇", version: 1 });
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ contact: "邵阳县卫健局 0739-6822000", location: "塘渡口镇", version: 2 });
    const stale = await api("county", "PATCH", `/sites/${toddlers523}`, { contact: "x", version: 1 });
    expect(stale.status).toBe(409);
    expect((await body(stale)).error).toMatchObject({ code: "SITE_VERSION_STALE", params: { current: 2, version: 1 }, currentVersion: 2 });
    expect((await api("county", "PATCH", `/sites/${toddlers524}`, { contact: "x" })).status).toBe(403);
    const empty = await api("county", "PATCH", `/sites/${toddlers523}`, {});
    expect(empty.status).toBe(400);
    const history = await body(await api("auditor", "GET", `/audit/history?entity=site&id=${toddlers523}`));
    expect(history.entries.map((e: { action: string }) => e.action)).toContain("site.update");
  });
});

describe("QR codes and the site sign", () => {
  it("encodes the public URL in a PNG of print resolution that a QR reader decodes", async () => {
    const res = await api("county", "GET", "/projects/hn2024-p04/qr.png?region=430523");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
    expect(png.width).toBeGreaterThanOrEqual(1200);
    expect(png.height).toBe(png.width);
    const decoded = jsQR.default(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(`http://localhost/p/${toddlers523}`);
  });

  it("uses PUBLIC_BASE_URL when set, and answers SVG that is well-formed XML", async () => {
    h.deps.config.publicBaseUrl = "https://msss.example.cn/";
    try {
      const png = PNG.sync.read(Buffer.from(await (await api("county", "GET", "/projects/hn2024-p04/qr.png?region=430523")).arrayBuffer()));
      expect(jsQR.default(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(`https://msss.example.cn/p/${toddlers523}`);
      const res = await api("county", "GET", "/projects/hn2024-p04/qr.svg?region=430523");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
      const svg = await res.text();
      expect(XMLValidator.validate(svg)).toBe(true);
      expect(svg).toMatch(/<svg[^>]*viewBox/);
      expect(svg).not.toMatch(/<script/i);
    } finally {
      h.deps.config.publicBaseUrl = ORIGIN;
    }
  });

  it("never builds a public URL from the Host header: QR codes, sign, site lists and pages carry PUBLIC_BASE_URL", async () => {
    const asHost = (host: string, path: string) => h.app.request(`http://${host}/api/v1${path}`, { headers: { cookie: cookies.county! } });
    const want = `${ORIGIN}/p/${toddlers523}`;
    for (const host of ["evil.example", "127.0.0.1:9999"]) {
      const png = PNG.sync.read(Buffer.from(await (await asHost(host, "/projects/hn2024-p04/qr.png?region=430523")).arrayBuffer()));
      expect(jsQR.default(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(want);
      const sign = await asHost(host, "/projects/hn2024-p04/sign.pdf?region=430523");
      expect(await pdfText(new Uint8Array(await sign.arrayBuffer()))).toContain(want);
      expect(((await (await asHost(host, `/public/sites/${toddlers523}`)).json()) as { url: string }).url).toBe(want);
      const listed = (await (await asHost(host, "/public/sites?region=430523&limit=200")).json()) as { sites: { url: string }[] };
      expect(listed.sites.length).toBeGreaterThan(0);
      for (const site of listed.sites) expect(site.url.startsWith(`${ORIGIN}/p/`)).toBe(true);
      const staff = (await (await asHost(host, "/sites?region=430523&limit=200")).json()) as { sites: { url: string }[] };
      for (const site of staff.sites) expect(site.url.startsWith(`${ORIGIN}/p/`)).toBe(true);
    }
  });

  it("requires PUBLIC_BASE_URL in production: a clear start-up error, checked before anything opens", () => {
    expect(() => publicBaseUrlFromEnv({ NODE_ENV: "production" })).toThrow(/^PUBLIC_BASE_URL is required in production/);
    expect(() => publicBaseUrlFromEnv({ NODE_ENV: "production", PUBLIC_BASE_URL: "msss.example.cn" })).toThrow(/is not a URL/);
    expect(() => publicBaseUrlFromEnv({ NODE_ENV: "production", PUBLIC_BASE_URL: "ftp://msss.example.cn" })).toThrow(/must start with https:\/\//);
    expect(() => publicBaseUrlFromEnv({ PUBLIC_BASE_URL: "https://msss.example.cn/?x=1" })).toThrow(/must not carry/);
    expect(publicBaseUrlFromEnv({ NODE_ENV: "production", PUBLIC_BASE_URL: "https://msss.example.cn/" })).toBe("https://msss.example.cn");
    expect(publicBaseUrlFromEnv({ PUBLIC_BASE_URL: "https://gov.example.cn/msss/" })).toBe("https://gov.example.cn/msss");
    // development and the demo: where the server listens
    expect(publicBaseUrlFromEnv({})).toBe("http://127.0.0.1:8787");
    expect(publicBaseUrlFromEnv({ HOST: "0.0.0.0", PORT: "9000" })).toBe("http://127.0.0.1:9000");
    // the real server says so and stops, before opening its data folder
    const serverJs = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "server.js");
    const dataDir = join(tmpdir(), `ms-no-base-${process.pid}`);
    const run = spawnSync(process.execPath, [serverJs], {
      env: { PATH: process.env.PATH, NODE_ENV: "production", DATA_DIR: dataDir, PORT: "0", SEED: "none" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("PUBLIC_BASE_URL is required in production");
    expect(existsSync(join(dataDir, "pg"))).toBe(false);
  }, 70_000);

  it("prints an A4 sign (公示牌) with the project, unit, target, contact and code", async () => {
    const res = await api("county", "GET", "/projects/hn2024-p04/sign.pdf?region=430523");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
    const text = await pdfText(bytes);
    expect(text).toContain("普惠性托育“护蕾”行动");
    expect(text).toContain("市卫生健康委员会");
    expect(text).toContain("邵阳县卫健局 0739-6822000");
    expect(text).toContain(toddlers523);
    expect(text).toMatch(/托位[^0-9]*\d+ 个/);
  }, 60_000);

  it("is for staff and units of the region only", async () => {
    expect((await api("county", "GET", "/projects/hn2024-p04/qr.png?region=430524")).status).toBe(403);
    expect((await api("observer", "GET", "/projects/hn2024-p04/qr.png?region=430523")).status).toBe(403);
    expect((await api("reviewer", "GET", "/projects/hn2024-p04/sign.pdf?region=430523")).status).toBe(403);
    expect((await api(null, "GET", "/projects/hn2024-p04/qr.svg?region=430523")).status).toBe(401);
    expect((await api("reporter-edu", "GET", "/projects/hn2024-p01/qr.svg?region=430523")).status).toBe(200);
    expect((await api("reporter-edu", "GET", "/projects/hn2024-p04/qr.svg?region=430523")).status).toBe(403);
    expect((await api("reporter", "GET", "/projects/hn2024-p04/qr.svg?region=430523")).status).toBe(200);
  });

  it("answers 404 for an unknown project or one without a target there, 400 without a region", async () => {
    const codeOf = async (path: string) => {
      const res = await api("city", "GET", path);
      return [res.status, (await body(res)).error.code];
    };
    expect(await codeOf("/projects/nope/qr.svg?region=430523")).toEqual([404, "SITE_PROJECT_NOT_FOUND"]);
    expect(await codeOf("/projects/hn2024-p17/qr.svg?region=430523")).toEqual([404, "SITE_NOT_IN_REGION"]);
    expect(await codeOf("/projects/hn2024-p04/qr.svg?region=439999")).toEqual([404, "SITE_REGION_NOT_FOUND"]);
    const missing = await api("city", "GET", "/projects/hn2024-p04/sign.pdf");
    expect(missing.status).toBe(400);
    expect((await body(missing)).error.problems[0].path).toBe("$.query.region");
  });
});

describe("publishing content", () => {
  let policyId = 0;
  let updateId = 0;

  it("publishes a policy document, localised content and a work update, each audited", async () => {
    const policy = await api("county", "POST", `/sites/${toddlers523}/content`, {
      kind: "policy",
      title: "关于实施普惠性托育“护蕾”行动的通知",
      issuer: "湖南省卫生健康委员会",
      date: "2024-03-15",
      url: "https://wjw.hunan.gov.cn/tz/2024/hulei.html",
    });
    expect(policy.status).toBe(201);
    const p = await body(policy);
    expect(p).toMatchObject({ kind: "policy", kindLabel: "政策文件", published: true, version: 1, createdBy: "user:county", site: toddlers523 });
    policyId = p.id;
    const local = await api("reporter", "POST", `/sites/${toddlers523}/content`, { kind: "localised", title: "邵阳县建设内容和要求", text: "新增普惠性托位 300 个，2024 年 12 月底前完成。" });
    expect(local.status).toBe(201);
    const update = await api("county", "POST", `/sites/${toddlers523}/content`, { kind: "update", text: "塘渡口镇托育中心主体完工。", date: "2024-10-08" });
    expect(update.status).toBe(201);
    updateId = (await body(update)).id;
    const history = await body(await api("auditor", "GET", `/audit/history?entity=content&id=${policyId}`));
    expect(history.entries.map((e: { action: string }) => e.action)).toEqual(["content.create"]);
  });

  it("refuses invalid content field by field", async () => {
    const res = await api("county", "POST", `/sites/${toddlers523}/content`, { kind: "policy", title: " ", date: "2024-02-30", url: "javascript:alert(1)" });
    expect(res.status).toBe(400);
    const paths = (await body(res)).error.problems.map((x: { path: string }) => x.path).sort();
    expect(paths).toEqual(["$.date", "$.issuer", "$.title", "$.url"]);
    const kind = await api("county", "POST", `/sites/${toddlers523}/content`, { kind: "poem", text: "x" });
    expect(kind.status).toBe(400);
    expect((await body(kind)).error.problems[0].path).toBe("$.kind");
    const update = await api("county", "POST", `/sites/${toddlers523}/content`, { kind: "update", text: "" });
    expect((await body(update)).error.problems.map((x: { path: string }) => x.path).sort()).toEqual(["$.date", "$.text"]);
    expect((await api("county", "POST", "/sites/NOTACODE1/content", { kind: "localised", text: "x" })).status).toBe(400);
    expect((await api("county", "POST", "/sites/ZZZZZZZZ/content", { kind: "localised", text: "x" })).status).toBe(404);
  });

  it("lets only staff of the region and the project's unit publish", async () => {
    const item = { kind: "localised", text: "越权测试" };
    expect((await api("county", "POST", `/sites/${toddlers524}/content`, item)).status).toBe(403);
    expect((await api("observer", "POST", `/sites/${toddlers523}/content`, item)).status).toBe(403);
    expect((await api("reviewer", "POST", `/sites/${toddlers523}/content`, item)).status).toBe(403);
    expect((await api(null, "POST", `/sites/${toddlers523}/content`, item)).status).toBe(401);
    expect((await api("reporter-edu", "POST", `/sites/${toddlers523}/content`, item)).status).toBe(403);
    const edu = await api("reporter-edu", "POST", `/sites/${school523}/content`, { kind: "localised", text: "邵阳县徐特立项目建设要求" });
    expect(edu.status).toBe(201);
    const city = await api("city", "POST", `/sites/${toddlers524}/content`, { kind: "localised", text: "隆回县建设内容" });
    expect(city.status).toBe(201);
    expect((await api("county", "PATCH", `/content/${(await body(city)).id}`, { version: 1, text: "改" })).status).toBe(403);
  });

  it("attaches photos to a work update (images only) and serves them publicly while published", async () => {
    const photo = await api("county", "POST", `/content/${updateId}/files`, form({ file: { bytes: tinyPng(1), name: "现场.png", type: "image/png" } }));
    expect(photo.status).toBe(201);
    const file = await body(photo);
    expect(file).toMatchObject({ mediaType: "image/png", url: `/api/v1/public/files/${file.id}` });
    const again = await api("county", "POST", `/content/${updateId}/files`, form({ file: { bytes: tinyPng(1), name: "again.png", type: "image/png" } }));
    expect(again.status).toBe(409);
    expect((await body(again)).error).toMatchObject({ code: "CONTENT_FILE_DUPLICATE", fileId: file.id });
    const pdfAsPhoto = await api("county", "POST", `/content/${updateId}/files`, form({ file: { bytes: tinyPdf(), name: "x.png", type: "image/png" } }));
    expect(pdfAsPhoto.status).toBe(415);
    expect((await body(pdfAsPhoto)).error.code).toBe("CONTENT_PHOTOS_ONLY");
    expect((await api("county", "POST", `/content/${updateId}/files`, form({ file: { bytes: new TextEncoder().encode("<html>"), name: "a.jpg", type: "image/jpeg" } }))).status).toBe(415);
    expect((await api("county", "POST", `/content/${policyId}/files`, form({ file: { bytes: tinyPdf(), name: "通知.pdf", type: "application/pdf" } }))).status).toBe(201);
    const served = await h.call(null, "GET", file.url);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    const etag = served.headers.get("etag")!;
    expect((await h.call(null, "GET", file.url, undefined, { "if-none-match": etag })).status).toBe(304);
  });

  it("edits with the version read, unpublishes and publishes again, all audited", async () => {
    const stale = await api("county", "PATCH", `/content/${policyId}`, { version: 99, title: "新标题" });
    expect(stale.status).toBe(409);
    expect((await body(stale)).error).toMatchObject({ code: "CONTENT_VERSION_STALE", params: { current: 2, version: 99 }, currentVersion: 2 });
    const edited = await api("county", "PATCH", `/content/${policyId}`, { version: 2, title: "关于实施普惠性托育“护蕾”行动的通知（修订）" });
    expect(edited.status).toBe(200);
    expect(await body(edited)).toMatchObject({ version: 3, updatedBy: "user:county", title: "关于实施普惠性托育“护蕾”行动的通知（修订）" });
    const wrong = await api("county", "PATCH", `/content/${updateId}`, { version: 2, title: "动态没有标题", issuer: "x" });
    expect(wrong.status).toBe(400);
    expect((await body(wrong)).error.problems.map((x: { path: string }) => x.path).sort()).toEqual(["$.issuer", "$.title"]);
    const blank = await api("county", "PATCH", `/content/${policyId}`, { version: 3, issuer: "" });
    expect(blank.status).toBe(400);
    expect((await body(blank)).error.problems[0].path).toBe("$.issuer");

    const photoUrl = (await body(await api("county", "GET", `/sites/${toddlers523}/content?kind=update`))).content[0].files[0].url;
    const off = await api("county", "PATCH", `/content/${updateId}`, { version: 2, published: false });
    expect(off.status).toBe(200);
    expect((await body(off)).published).toBe(false);
    expect((await h.call(null, "GET", photoUrl)).status).toBe(404);
    const page = await body(await h.call(null, "GET", `/api/v1/public/sites/${toddlers523}`));
    expect(page.timeline).toEqual([]);
    const on = await api("county", "PATCH", `/content/${updateId}`, { version: 3, published: true });
    expect((await body(on)).published).toBe(true);
    expect((await h.call(null, "GET", photoUrl)).status).toBe(200);
    const actions = (await body(await api("auditor", "GET", `/audit/history?entity=content&id=${updateId}`))).entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(["content.create", "content.file.add", "content.unpublish", "content.publish"]);
    // the console lists unpublished content too; the county's staff sees who wrote it
    const all = await body(await api("county", "GET", `/sites/${toddlers523}/content`));
    expect(all.content.map((x: { kind: string }) => x.kind).sort()).toEqual(["localised", "policy", "update"]);
    expect((await api("reviewer", "GET", `/sites/${toddlers523}/content`)).status).toBe(403);
  });

  it("counts what was published as seed 003 does", async () => {
    const stats = await body(await api("county", "GET", "/sites/stats"));
    expect(stats).toMatchObject({ region: "430523", policyDocuments: 1, localisedUpdates: 2, workUpdates: 1, suggestionsReceived: 0, processingRate: 1 });
    const city = await body(await api("city", "GET", "/sites/stats?region=430500"));
    expect(city.localisedUpdates).toBe(3);
    expect((await api("county", "GET", "/sites/stats?region=430524")).status).toBe(403);
    // per unit: 市卫生健康委员会 published the 托育 content, 市教育局 only 徐特立项目's localised text
    const wjw = await body(await api("city", "GET", "/sites/stats?region=430500&unit=wjw"));
    expect(wjw).toMatchObject({ unit: "wjw", policyDocuments: 1, localisedUpdates: 2, workUpdates: 1 });
    const edu = await body(await api("city", "GET", "/sites/stats?region=430500&unit=edu"));
    expect(edu).toMatchObject({ unit: "edu", policyDocuments: 0, localisedUpdates: 1, workUpdates: 0 });
    // a unit's own account counts its unit whatever it asks
    expect(await body(await api("reporter-edu", "GET", "/sites/stats?unit=wjw"))).toMatchObject({ unit: "edu", localisedUpdates: 1, policyDocuments: 0 });
  });
});

describe("rule 6 from the published content", () => {
  it("keeps the imported records' scores in a month without content", async () => {
    const scores = await body(await api("city", "GET", "/disclosure/scores?period=2024-09&region=430500"));
    const compliance = await body(await api("city", "GET", "/disclosure/compliance?period=2024-09&region=430500"));
    expect(compliance.sources.content).toBe(0);
    expect(compliance.scores.map((s: { region: string; score: number; band: string }) => [s.region, s.score, s.band])).toEqual(
      scores.scores.map((s: { region: string; score: number; band: string }) => [s.region, s.score, s.band]),
    );
    const longhui = compliance.scores.find((s: { region: string }) => s.region === "430524");
    expect(longhui).toMatchObject({ name: "隆回县", score: 5.4783, bandLabel: "较好" });
    expect(compliance.nonCompliant.every((s: { source: string; missed: unknown }) => s.source === "record" && s.missed === null)).toBe(true);
  });

  it("judges a site that published by the checklist and names what it misses", async () => {
    const res = await api("county", "GET", "/disclosure/compliance?period=2024-10&region=430523");
    expect(res.status).toBe(200);
    const report = await body(res);
    expect(report.asOf).toBe("2024-10-08");
    const site = report.nonCompliant.find((s: { code: string }) => s.code === toddlers523);
    // one update in October only: January to September have none
    expect(site).toMatchObject({ source: "content", project: "hn2024-p04", region: "430523" });
    expect(site.missed.map((m: { obligation: string }) => m.obligation)).toEqual(["monthlyWorkUpdate"]);
    expect(site.missed[0].label).toBe("工作动态未按月发布");
    // the other published site of the county (徐特立项目: localised only) misses more
    const school = report.nonCompliant.find((s: { code: string }) => s.code === school523);
    expect(school.missed.map((m: { obligation: string }) => m.obligation)).toEqual(["policyDocument", "monthlyWorkUpdate"]);
    expect(report.scores).toHaveLength(1);
    expect(report.scores[0].region).toBe("430523");
  });

  it("counts a work update in every month when they were published month by month", async () => {
    const now = h.clock.now;
    try {
      for (let m = 1; m <= 9; m++) {
        h.clock.now = new Date(`2024-${String(m).padStart(2, "0")}-15T02:00:00Z`);
        const res = await api("county", "POST", `/sites/${toddlers523}/content`, { kind: "update", text: `第 ${m} 月工作动态`, date: `2024-${String(m).padStart(2, "0")}-14` });
        expect(res.status).toBe(201);
      }
    } finally {
      h.clock.now = now;
    }
    const report = await body(await api("county", "GET", "/disclosure/compliance?period=2024-10&region=430523"));
    expect(report.nonCompliant.find((s: { code: string }) => s.code === toddlers523)).toBeUndefined();
    // at June only the first half of the year counts, and the policy was not yet published then
    const june = await body(await api("county", "GET", "/disclosure/compliance?period=2024-06&region=430523"));
    const atJune = june.nonCompliant.find((s: { code: string }) => s.code === toddlers523);
    expect(atJune.missed.map((m: { obligation: string }) => m.obligation)).toEqual(["policyDocument", "localisedContent"]);
  });

  it("applies the configured checklist; only admins set it", async () => {
    expect(await body(await api("county", "GET", "/disclosure/checklist"))).toMatchObject({ policyDocument: true, monthlyWorkUpdate: true, replyWorkingDays: 5 });
    const checklist = { policyDocument: false, localisedContent: true, monthlyWorkUpdate: false, answeredInTime: true, replyWorkingDays: 7, holidays: ["2024-10-01"], workdays: [] };
    expect((await api("province", "PUT", "/disclosure/checklist", checklist)).status).toBe(403);
    const bad = await api("admin", "PUT", "/disclosure/checklist", { ...checklist, replyWorkingDays: 0, holidays: ["2024-13-01"] });
    expect(bad.status).toBe(400);
    expect((await body(bad)).error.problems.map((p: { path: string }) => p.path).sort()).toEqual(["$.holidays[0]", "$.replyWorkingDays"]);
    expect((await api("admin", "PUT", "/disclosure/checklist", checklist)).status).toBe(200);
    const report = await body(await api("county", "GET", "/disclosure/compliance?period=2024-10&region=430523"));
    expect(report.checklist.replyWorkingDays).toBe(7);
    expect(report.nonCompliant.find((s: { code: string }) => s.code === school523)).toBeUndefined();
    const history = await body(await api("auditor", "GET", "/audit/history?entity=setting&id=disclosure.checklist"));
    expect(history.entries[0].action).toBe("settings.update");
    await api("admin", "PUT", "/disclosure/checklist", {});
  });

  it("is scoped to the caller's area, and /disclosure/scores gives its figures (one computation, issue 11)", async () => {
    expect((await api("county", "GET", "/disclosure/compliance?period=2024-10&region=430524")).status).toBe(403);
    expect((await api(null, "GET", "/disclosure/compliance?period=2024-10&region=430523")).status).toBe(401);
    expect((await api("city", "GET", "/disclosure/compliance?period=2024-13&region=430500")).status).toBe(400);
    // Content is published for 2024 by now: /scores follows it as /compliance does (it kept the records alone before).
    const scores = await body(await api("city", "GET", "/disclosure/scores?period=2024-09&region=430500"));
    const compliance = await body(await api("city", "GET", "/disclosure/compliance?period=2024-09&region=430500"));
    expect(compliance.sources.content).toBeGreaterThan(0);
    expect(scores.scores).toEqual(compliance.scores);
    expect(scores.sources).toEqual(compliance.sources);
  });
});
