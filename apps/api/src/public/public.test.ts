/**
 * The public side of 码上通 (what a citizen who scans a site's QR code uses) and the staff inbox
 * behind it: site pages from verified figures only, suggestions with abuse controls (rate limit,
 * duplicates, moderation), phone numbers sealed and masked, answers, satisfaction, caching.
 */
import { errorText } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { publicPageCache } from "./public-cache.js";
import { DatabaseRateLimiter } from "../lib/rate-limit.js";
import { type Harness, makeHarness, ORIGIN } from "../../test/harness.js";
import { body, form, siteCode, tinyPdf, tinyPng, unlimited } from "../../test/sites-helpers.js";

let h: Harness;
const cookies: Record<string, string> = {};
let site = ""; // 普惠性托育“护蕾”行动 in 邵阳县
let other = ""; // the same project in 隆回县
const PHONE = "13812345678";

beforeAll(async () => {
  h = await makeHarness();
  h.deps.rateLimiter = unlimited;
  h.deps.config.trustProxy = true;
  await signInAll();
  site = await siteCode(h, cookies.county!, "hn2024-p04", "430523");
  other = await siteCode(h, cookies.city!, "hn2024-p04", "430524");
}, 120_000);
afterAll(() => h?.dispose());

/** Sessions time out when the test clock jumps: sign everyone in again at the clock's time. */
async function signInAll() {
  for (const u of ["admin", "province", "city", "county", "reporter", "reporter-edu", "reviewer", "observer", "auditor"]) cookies[u] = await h.login(u);
}

const api = (who: string | null, method: string, path: string, payload?: unknown, headers?: Record<string, string>) =>
  h.call(who === null ? null : cookies[who]!, method, `/api/v1${path}`, payload, headers);
/** A citizen: no cookie, no Origin, an address of their own (behind our trusted proxy). */
const citizen = (ip: string, method: string, path: string, payload?: unknown, headers: Record<string, string> = {}) =>
  h.call(null, method, `/api/v1/public${path}`, payload, { "x-forwarded-for": `203.0.113.9, ${ip}`, ...headers });

let seq = 0;
const suggest = (text: string, extra: Record<string, unknown> = {}, ip = `198.51.100.${++seq}`) =>
  citizen(ip, "POST", `/sites/${site}/feedback`, { kind: "suggestion", text, ...extra });

describe("the public site page", () => {
  it("shows the project, its unit, place, targets and verified progress at the latest verified month", async () => {
    const res = await citizen("198.51.100.200", "GET", `/sites/${site}`);
    expect(res.status).toBe(200);
    const page = await body(res);
    expect(page).toMatchObject({
      code: site,
      project: { id: "hn2024-p04", title: "普惠性托育“护蕾”行动" },
      item: { title: "提高优生优育水平" },
      unit: { name: "市卫生健康委员会" },
      region: { code: "430523", name: "邵阳县", path: ["湖南省", "邵阳市", "邵阳县"] },
    });
    expect(page.targets.length).toBeGreaterThan(0);
    expect(page.progress.period).toBe("2024-09");
    expect(page.progress.due).toBe(75);
    // seed 003: 邵阳县 is behind on 托位 at 45.56%
    expect(page.progress.indicators[0]).toMatchObject({ rate: 45.56, status: "behind", statusLabel: "未达序时" });
    expect(page.satisfaction).toEqual({ satisfied: 0, basically_satisfied: 0, dissatisfied: 0, total: 0, satisfactionRate: null });
    expect(page.url).toBe(`http://localhost/p/${site}`);
  });

  it("never shows reported but unverified figures, nor who reported them", async () => {
    const before = await body(await citizen("198.51.100.200", "GET", `/sites/${site}`));
    const indicator = before.progress.indicators[0].id;
    const saved = await api("reporter", "PUT", "/reports", { indicator, region: "430523", period: "2024-10", value: 99999, narrative: "十月进展（未核验）" });
    expect(saved.status).toBe(201);
    expect((await api("reporter", "POST", `/reports/${(await body(saved)).id}/submit`, {})).status).toBe(200);
    // the saved report moved the data version: the plan is exported again, still without it
    const text = await (await citizen("198.51.100.200", "GET", `/sites/${site}`)).text();
    const after = JSON.parse(text);
    expect(after.progress).toEqual(before.progress);
    expect(text).not.toContain("99999");
    expect(text).not.toContain("十月进展");
    for (const name of ["user:", "reporter", "填报员", "county"]) expect(text).not.toContain(name);
  });

  it("carries an ETag, answers 304 when unchanged, and may be cached for a minute", async () => {
    const res = await citizen("198.51.100.200", "GET", `/sites/${site}`);
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    const again = await citizen("198.51.100.200", "GET", `/sites/${site}`, undefined, { "if-none-match": etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect((await citizen("198.51.100.200", "GET", `/sites/${site}`, undefined, { "if-none-match": '"stale"' })).status).toBe(200);
  });

  it("answers a cached page ahead of the router: same body and headers, 304s, no database work, no session look-up", async () => {
    const url = `http://localhost/api/v1/public/sites/${site}`;
    // a plain same-origin read, as the site's own script or a crawler sends it (no Origin header)
    const get = (headers: Record<string, string> = {}, app = h.app) => Promise.resolve(app.request(url, { headers }));
    const headersOf = (res: Response) => Object.fromEntries([...res.headers].filter(([k]) => k !== "content-length"));
    publicPageCache(h.deps.db).invalidate();
    const routed = await get(); // made by the route, through every middleware
    const routedText = await routed.text();
    let queries = 0;
    const query = h.deps.db.query;
    h.deps.db.query = ((...args: Parameters<typeof query>) => (queries++, query.apply(h.deps.db, args))) as typeof query;
    try {
      // signed in or not: a cached public page needs neither the session nor the database
      for (const headers of [{}, { cookie: cookies.county! }] as Record<string, string>[]) {
        const early = await get(headers);
        expect(early.status).toBe(200);
        expect(await early.text()).toBe(routedText);
        expect(headersOf(early)).toEqual(headersOf(routed));
        expect(early.headers.get("content-length")).toBe(String(Buffer.byteLength(routedText)));
        const again = await get({ ...headers, "if-none-match": `"x", ${early.headers.get("etag")}` });
        expect(again.status).toBe(304);
        expect(await again.text()).toBe("");
        expect(again.headers.get("etag")).toBe(early.headers.get("etag"));
        expect(again.headers.get("content-security-policy")).toBe(routed.headers.get("content-security-policy"));
        expect(again.headers.get("x-frame-options")).toBe("DENY");
      }
      expect(queries).toBe(0);
    } finally {
      h.deps.db.query = query;
    }
    // HSTS when the app runs in production (same database, so the same cached page)
    const production = createApp({ ...h.deps, config: { ...h.deps.config, production: true } });
    expect((await get({}, production)).headers.get("strict-transport-security")).toMatch(/max-age=31536000/);
    expect(routed.headers.get("strict-transport-security")).toBeNull();
    // what the short way does not handle still goes the long way: an invalid token is refused,
    // a cross-origin read gets its CORS answer, a query string or HEAD is served as before
    expect((await get({ authorization: `Bearer ${"x".repeat(32)}` })).status).toBe(401);
    const cross = await get({ origin: "https://elsewhere.example" });
    expect(cross.status).toBe(200);
    expect(cross.headers.get("vary")).toContain("Origin");
    expect(await (await get({}, h.app)).text()).toBe(routedText);
    expect((await h.app.request(`${url}?from=qr`)).status).toBe(200);
    expect((await h.app.request(url, { method: "HEAD" })).status).toBe(200);
    expect((await h.app.request(`${url}/`)).status).toBe(404);
  });

  it("lists and searches sites by region, item and name", async () => {
    const res = await citizen("198.51.100.200", "GET", "/sites?region=430523&q=托育");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    const list = await body(res);
    expect(list.sites.map((s: { code: string }) => s.code)).toContain(site);
    for (const s of list.sites) expect(s.region.code).toBe("430523");
    // the browse page's choices: every region and item with a site, not narrowed by the query
    const all = await body(await citizen("198.51.100.200", "GET", "/sites?limit=200"));
    expect(list.facets).toEqual(all.facets);
    const facetRegions = list.facets.regions.map((r: { code: string }) => r.code);
    expect(facetRegions).toContain("430523");
    expect(list.facets.regions.find((r: { code: string }) => r.code === "430523")).toEqual({ code: "430523", name: "邵阳县", path: ["湖南省", "邵阳市", "邵阳县"] });
    for (const s of all.sites) {
      expect(facetRegions).toContain(s.region.code);
      expect(list.facets.items.map((i: { id: string }) => i.id)).toContain(s.item.id);
    }
    const byItem = await body(await citizen("198.51.100.200", "GET", "/sites?item=hn2024-i02&region=430500&limit=200"));
    expect(byItem.total).toBeGreaterThan(0);
    for (const s of byItem.sites) expect(s.item.id).toBe("hn2024-i02");
    expect((await body(await citizen("198.51.100.200", "GET", "/sites?q=不存在的项目名称"))).total).toBe(0);
    const etag = res.headers.get("etag")!;
    expect((await citizen("198.51.100.200", "GET", "/sites?region=430523&q=托育", undefined, { "if-none-match": etag })).status).toBe(304);
    expect((await citizen("198.51.100.200", "GET", "/sites?region=4305")).status).toBe(400);
    expect((await citizen("198.51.100.200", "GET", "/sites?region=439999")).status).toBe(404);
  });

  it("answers 404 for an unknown code and 400 for a malformed one", async () => {
    expect((await citizen("198.51.100.200", "GET", "/sites/ZZZZZZZZ")).status).toBe(404);
    const bad = await citizen("198.51.100.200", "GET", "/sites/abc");
    expect(bad.status).toBe(400);
    expect((await body(bad)).error.problems[0].path).toBe("$.params.code");
  });
});

describe("suggestions from the public page", () => {
  let ticket = "";

  it("takes a suggestion and answers an unguessable ticket; the ticket shows status, never the phone", async () => {
    const res = await suggest("希望托育中心增加周末托管服务，方便双职工家庭。", { phone: PHONE });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const created = await body(res);
    expect(created.ticket).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
    expect(created).toMatchObject({ state: "pending", stateLabel: "待审核", receivedOn: "2024-10-08", dueOn: "2024-10-15" });
    ticket = created.ticket;
    const look = await citizen("198.51.100.201", "GET", `/tickets/${ticket}`);
    expect(look.status).toBe(200);
    expect(look.headers.get("cache-control")).toBe("no-store");
    const text = await look.text();
    expect(JSON.parse(text)).toMatchObject({ ticket, state: "pending", answer: null, site: { code: site, region: "邵阳县" } });
    expect(text).not.toContain("5678");
    expect(text).not.toMatch(/phone/i);
    const unknown = await citizen("198.51.100.201", "GET", "/tickets/0000000000AA");
    expect(unknown.status).toBe(404);
    expect((await body(unknown)).error.code).toBe("PUBLIC_TICKET_NOT_FOUND");
    expect((await citizen("198.51.100.201", "GET", "/tickets/short")).status).toBe(400);
  });

  it("refuses bad input field by field", async () => {
    const res = await citizen("198.51.100.202", "POST", `/sites/${site}/feedback`, { kind: "rant", text: "短", phone: "12345" });
    expect(res.status).toBe(400);
    expect((await body(res)).error.problems.map((p: { path: string }) => p.path).sort()).toEqual(["$.kind", "$.phone", "$.text"]);
    const long = await suggest("长".repeat(2001));
    expect((await body(long)).error.problems[0]).toMatchObject({ path: "$.text", message: "must be at most 2000 characters" });
    expect((await citizen("198.51.100.202", "POST", `/sites/${site}/feedback`, "{not json", { "content-type": "application/json" })).status).toBe(400);
    expect((await citizen("198.51.100.202", "POST", "/sites/ZZZZZZZZ/feedback", { kind: "praise", text: "工作做得很好，点赞！" })).status).toBe(404);
    const xml = await h.call(null, "POST", `/api/v1/public/sites/${site}/feedback`, "<a/>", { "content-type": "text/xml" });
    expect(xml.status).toBe(415);
  });

  it("answers 409 for the same text at the same site within 24 hours, never with another citizen's ticket", async () => {
    const dup = await suggest("  希望托育中心增加周末托管服务 方便双职工家庭!! ");
    expect(dup.status).toBe(409);
    const text = await dup.text();
    expect(JSON.parse(text).error).toEqual({ code: "PUBLIC_FEEDBACK_DUPLICATE", message: errorText("PUBLIC_FEEDBACK_DUPLICATE"), params: {}, problems: [] });
    expect(text).not.toContain(ticket);
    // another site, or a day later, is not a duplicate
    const elsewhere = await citizen("198.51.100.203", "POST", `/sites/${other}/feedback`, { kind: "suggestion", text: "希望托育中心增加周末托管服务，方便双职工家庭。" });
    expect(elsewhere.status).toBe(201);
    const now = h.clock.now;
    h.clock.now = new Date(now.getTime() + 25 * 3600 * 1000);
    try {
      const later = await suggest("希望托育中心增加周末托管服务，方便双职工家庭。");
      expect(later.status).toBe(201);
    } finally {
      h.clock.now = now;
    }
  });

  it("rate-limits each client (429 with Retry-After), by address only behind a trusted proxy", async () => {
    h.deps.rateLimiter = new DatabaseRateLimiter(h.deps.db, () => h.clock.now.getTime());
    try {
      for (let i = 0; i < 5; i++) expect((await suggest(`限流测试第${i}条：道路施工噪音扰民`, {}, "192.0.2.1")).status).toBe(201);
      const limited = await suggest("限流测试第6条：道路施工噪音扰民", {}, "192.0.2.1");
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await body(limited)).error.code).toBe("TOO_MANY_REQUESTS");
      // another address has its own bucket
      expect((await suggest("限流测试：另一位市民的建议内容", {}, "192.0.2.2")).status).toBe(201);
      // without TRUST_PROXY the header is ignored: every request here comes from one unknown socket
      h.deps.config.trustProxy = false;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await suggest(`无代理限流测试第${i}条建议内容`, {}, `192.0.2.${10 + i}`)).status);
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
      h.deps.config.trustProxy = true;
      // the bucket refills with time
      h.clock.now = new Date(h.clock.now.getTime() + 10 * 60 * 1000);
      expect((await suggest("限流测试：十分钟后再次提交的建议", {}, "192.0.2.1")).status).toBe(201);
    } finally {
      h.clock.now = new Date("2024-10-08T02:00:00Z");
      h.deps.config.trustProxy = true;
      h.deps.rateLimiter = unlimited;
    }
  });

  it("keeps new feedback pending until staff approve it, and off the public page until answered", async () => {
    const page = await body(await citizen("198.51.100.200", "GET", `/sites/${site}`));
    expect(page.suggestions).toEqual([]);
    const inbox = await body(await api("county", "GET", "/feedback?state=pending"));
    expect(inbox.counts.pending).toBeGreaterThan(0);
    const item = inbox.feedback.find((f: { ticket: string }) => f.ticket === ticket);
    expect(item).toMatchObject({ state: "pending", phone: "138****5678", hasPhone: true, dueOn: "2024-10-15", overdue: false });
    // answering before moderation is a conflict; moderation is for staff only
    const early = await api("county", "POST", `/feedback/${item.id}/answer`, { answer: "收到" });
    expect(early.status).toBe(409);
    expect((await body(early)).error).toMatchObject({ code: "FEEDBACK_AWAITS_MODERATION", state: "pending" });
    expect((await api("reporter", "POST", `/feedback/${item.id}/moderate`, { action: "approve" })).status).toBe(403);
    const approved = await api("county", "POST", `/feedback/${item.id}/moderate`, { action: "approve" });
    expect(approved.status).toBe(200);
    expect(await body(approved)).toMatchObject({ state: "open", moderatedBy: "user:county" });
    const twice = await api("county", "POST", `/feedback/${item.id}/moderate`, { action: "reject" });
    expect(twice.status).toBe(409);
    expect((await body(twice)).error).toMatchObject({ code: "FEEDBACK_NOT_PENDING", state: "open" });
  });

  it("rejects spam, which the ticket shows as not accepted", async () => {
    const spam = await body(await suggest("加微信领取优惠券 http://spam.example 加微信领取优惠券"));
    const id = (await body(await api("county", "GET", "/feedback?state=pending&limit=200"))).feedback.find((f: { ticket: string }) => f.ticket === spam.ticket).id;
    const rejected = await api("county", "POST", `/feedback/${id}/moderate`, { action: "reject", reason: "广告" });
    expect(await body(rejected)).toMatchObject({ state: "rejected", rejectReason: "广告" });
    const look = await body(await citizen("198.51.100.201", "GET", `/tickets/${spam.ticket}`));
    expect(look).toMatchObject({ state: "rejected", stateLabel: "不予受理", answer: null });
    expect(JSON.stringify(look)).not.toContain("广告");
  });

  it("closes feedback with an answer, published with the suggestion but without phone or internal note", async () => {
    const inbox = await body(await api("county", "GET", "/feedback?state=open"));
    const item = inbox.feedback.find((f: { ticket: string }) => f.ticket === ticket);
    const bad = await api("county", "POST", `/feedback/${item.id}/answer`, { answer: "" });
    expect(bad.status).toBe(400);
    expect((await body(bad)).error.problems[0].path).toBe("$.answer");
    const res = await api("county", "POST", `/feedback/${item.id}/answer`, { answer: "已协调托育中心于11月起开设周末托管班。", note: "内部备注：联系了园长王某" });
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ state: "answered", answeredOn: "2024-10-08", answeredBy: "user:county", answeredLate: false });
    const answeredTwice = await api("county", "POST", `/feedback/${item.id}/answer`, { answer: "再次答复" });
    expect(answeredTwice.status).toBe(409);
    expect((await body(answeredTwice)).error.code).toBe("FEEDBACK_ALREADY_ANSWERED");
    const text = await (await citizen("198.51.100.200", "GET", `/sites/${site}`)).text();
    const page = JSON.parse(text);
    expect(page.suggestions).toEqual([
      { kind: "suggestion", kindLabel: "建议", text: "希望托育中心增加周末托管服务，方便双职工家庭。", receivedOn: "2024-10-08", answer: "已协调托育中心于11月起开设周末托管班。", answeredOn: "2024-10-08" },
    ]);
    for (const leak of [PHONE, "138****5678", "5678", "内部备注", "王某", "user:county", ticket]) expect(text).not.toContain(leak);
    const look = await body(await citizen("198.51.100.201", "GET", `/tickets/${ticket}`));
    expect(look).toMatchObject({ state: "answered", answer: "已协调托育中心于11月起开设周末托管班。" });
    expect(JSON.stringify(look)).not.toContain("内部备注");
  });

  it("keeps the phone sealed at rest and out of exports and the audit log", async () => {
    const { rows } = await h.deps.db.query<Record<string, unknown>>("SELECT * FROM feedback WHERE ticket = $1", [ticket]);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(PHONE);
    expect(rows[0]!.phone_masked).toBe("138****5678");
    expect(String(rows[0]!.phone_sealed)).toMatch(/^v1\./);
    const exported = await (await api("admin", "GET", "/bundles/hn2024")).text();
    expect(exported).not.toContain(PHONE);
    const { rows: audit } = await h.deps.db.query<{ before: unknown; after: unknown }>("SELECT before, after FROM audit_log");
    expect(JSON.stringify(audit)).not.toContain(PHONE);
    const inbox = await (await api("city", "GET", "/feedback?region=430500&limit=200")).text();
    expect(inbox).toContain("138****5678");
    expect(inbox).not.toContain(PHONE);
  });

  it("reveals the number to the answering unit only, and audits every reveal", async () => {
    const id = (await body(await api("county", "GET", "/feedback?state=answered"))).feedback.find((f: { ticket: string }) => f.ticket === ticket).id;
    const detail = await body(await api("county", "GET", `/feedback/${id}`));
    expect(detail).toMatchObject({ phone: "138****5678", mayRevealPhone: true });
    expect((await body(await api("city", "GET", `/feedback/${id}`))).mayRevealPhone).toBe(false);
    const res = await api("county", "POST", `/feedback/${id}/phone`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await body(res)).toMatchObject({ ticket, phone: PHONE });
    expect((await api("city", "POST", `/feedback/${id}/phone`)).status).toBe(403);
    expect((await api("reporter-edu", "POST", `/feedback/${id}/phone`)).status).toBe(403);
    expect((await api("observer", "POST", `/feedback/${id}/phone`)).status).toBe(403);
    expect((await api(null, "POST", `/feedback/${id}/phone`)).status).toBe(401);
    const history = await body(await api("auditor", "GET", `/audit/history?entity=feedback&id=${id}`));
    const reveal = history.entries.find((e: { action: string }) => e.action === "feedback.phone.reveal");
    expect(reveal).toMatchObject({ actor: "user:county", after: { ticket, masked: "138****5678" } });
    expect(history.entries.map((e: { action: string }) => e.action)).toEqual(["feedback.create", "feedback.approve", "feedback.answer", "feedback.phone.reveal"]);
    // feedback without a number has none to reveal
    const none = (await body(await api("county", "GET", "/feedback?limit=200"))).feedback.find((f: { hasPhone: boolean }) => !f.hasPhone);
    const noPhone = await api("county", "POST", `/feedback/${none.id}/phone`);
    expect(noPhone.status).toBe(404);
    expect((await body(noPhone)).error.code).toBe("FEEDBACK_NO_PHONE");
  });

  it("takes a photo (images only) that staff see and the public never does", async () => {
    const res = await citizen("198.51.100.210", "POST", `/sites/${site}/feedback`, form({ kind: "complaint", text: "工地围挡倒塌，存在安全隐患，请尽快处理。", phone: "", photo: { bytes: tinyPng(7), name: "现场.png", type: "image/png" } }));
    expect(res.status).toBe(201);
    const created = await body(res);
    const item = (await body(await api("county", "GET", "/feedback?limit=200"))).feedback.find((f: { ticket: string }) => f.ticket === created.ticket);
    expect(item.photo).toBe(`/api/v1/feedback/${item.id}/photo`);
    expect(item.hasPhone).toBe(false);
    const photo = await api("county", "GET", `/feedback/${item.id}/photo`);
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toBe("image/png");
    expect((await api(null, "GET", `/feedback/${item.id}/photo`)).status).toBe(401);
    const { rows } = await h.deps.db.query<{ id: string }>("SELECT id FROM site_files WHERE feedback_id = $1", [item.id]);
    expect((await citizen("198.51.100.210", "GET", `/files/${rows[0]!.id}`)).status).toBe(404);
    const pdf = await citizen("198.51.100.211", "POST", `/sites/${site}/feedback`, form({ kind: "complaint", text: "附件是文件而不是照片的投诉内容", photo: { bytes: tinyPdf(), name: "a.png", type: "image/png" } }));
    expect(pdf.status).toBe(415);
  });

  it("opens feedback at once when auto-approval is configured", async () => {
    h.deps.config.feedbackAutoApprove = true;
    try {
      const created = await body(await suggest("自动受理测试：请公布托育收费标准。"));
      expect(created).toMatchObject({ state: "open", stateLabel: "办理中" });
    } finally {
      h.deps.config.feedbackAutoApprove = false;
    }
  });

  it("flags unanswered feedback past the reply deadline (5 working days) as overdue", async () => {
    const now = h.clock.now;
    h.clock.now = new Date("2024-10-16T02:00:00Z"); // Wednesday after the Tuesday deadline
    await signInAll();
    try {
      const inbox = await body(await api("county", "GET", "/feedback?overdue=true&limit=200"));
      expect(inbox.total).toBeGreaterThan(0);
      expect(inbox.counts.overdue).toBe(inbox.total);
      for (const f of inbox.feedback) expect(f).toMatchObject({ overdue: true, dueOn: "2024-10-15" });
      expect(inbox.feedback.every((f: { state: string }) => f.state === "pending" || f.state === "open")).toBe(true);
      const notYet = await body(await api("county", "GET", "/feedback?overdue=false&limit=200"));
      expect(notYet.feedback.every((f: { overdue: boolean }) => !f.overdue)).toBe(true);
    } finally {
      h.clock.now = now;
      await signInAll();
    }
  });

  it("keeps the inbox to the caller's area and unit", async () => {
    const county = await body(await api("county", "GET", "/feedback?limit=200"));
    for (const f of county.feedback) expect(f.site.region.code).toBe("430523");
    expect(county.feedback.some((f: { site: { code: string } }) => f.site.code === other)).toBe(false);
    expect((await api("county", "GET", "/feedback?region=430524")).status).toBe(403);
    const city = await body(await api("city", "GET", "/feedback?region=430500&limit=200"));
    expect(city.feedback.some((f: { site: { code: string } }) => f.site.code === other)).toBe(true);
    const edu = await body(await api("reporter-edu", "GET", "/feedback?limit=200"));
    expect(edu.total).toBe(0);
    expect((await api("observer", "GET", "/feedback")).status).toBe(403);
    expect((await api(null, "GET", "/feedback")).status).toBe(401);
    const bad = await api("county", "GET", "/feedback?state=lost&overdue=maybe");
    expect((await body(bad)).error.problems.map((p: { path: string }) => p.path).sort()).toEqual(["$.query.overdue", "$.query.state"]);
    expect((await api("county", "GET", "/feedback/999999")).status).toBe(404);
  });

  it("reports received, answered and 处理率 as seed 003 does", async () => {
    const stats = await body(await api("county", "GET", "/sites/stats"));
    expect(stats.suggestionsAnswered).toBe(1);
    expect(stats.rejected).toBe(1);
    expect(stats.suggestionsReceived).toBeGreaterThan(1);
    expect(stats.processingRate).toBeCloseTo(1 / stats.suggestionsReceived, 4);
    const page = await body(await citizen("198.51.100.200", "GET", `/sites/${site}`));
    expect(page.counts.suggestionsAnswered).toBe(1);
  });
});

describe("satisfaction", () => {
  it("takes one rating per client, site and day and shows the summary on the page", async () => {
    const first = await citizen("198.51.100.50", "POST", `/sites/${site}/rating`, { rating: "satisfied" });
    expect(first.status).toBe(201);
    expect((await body(first)).satisfaction).toMatchObject({ satisfied: 1, total: 1, satisfactionRate: 100 });
    const again = await citizen("198.51.100.50", "POST", `/sites/${site}/rating`, { rating: "dissatisfied" });
    expect(again.status).toBe(409);
    expect((await body(again)).error.code).toBe("PUBLIC_ALREADY_RATED");
    expect((await citizen("198.51.100.51", "POST", `/sites/${site}/rating`, { rating: "dissatisfied" })).status).toBe(201);
    expect((await citizen("198.51.100.50", "POST", `/sites/${other}/rating`, { rating: "basically_satisfied" })).status).toBe(201);
    const now = h.clock.now;
    h.clock.now = new Date(now.getTime() + 24 * 3600 * 1000);
    try {
      expect((await citizen("198.51.100.50", "POST", `/sites/${site}/rating`, { rating: "basically_satisfied" })).status).toBe(201);
    } finally {
      h.clock.now = now;
    }
    const bad = await citizen("198.51.100.52", "POST", `/sites/${site}/rating`, { rating: "great" });
    expect(bad.status).toBe(400);
    expect((await body(bad)).error.problems[0].path).toBe("$.rating");
    const page = await body(await citizen("198.51.100.200", "GET", `/sites/${site}`));
    expect(page.satisfaction).toEqual({ satisfied: 1, basically_satisfied: 1, dissatisfied: 1, total: 3, satisfactionRate: 66.67 });
  });

  it("is rate limited", async () => {
    h.deps.rateLimiter = new DatabaseRateLimiter(h.deps.db, () => h.clock.now.getTime());
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await citizen("198.51.100.60", "POST", `/sites/${site}/rating`, { rating: "satisfied" })).status);
      expect(statuses[0]).toBe(201);
      expect(statuses.slice(1, 20).every((s) => s === 409)).toBe(true);
      expect(statuses[20]).toBe(429);
    } finally {
      h.deps.rateLimiter = unlimited;
    }
  });
});

describe("who may use what", () => {
  it("lets anonymous callers use /public only", async () => {
    for (const [method, path] of [
      ["GET", "/sites"],
      ["GET", `/sites/${site}/content`],
      ["POST", `/sites/${site}/content`],
      ["GET", "/feedback"],
      ["GET", "/sites/stats"],
      ["GET", "/projects/hn2024-p04/qr.svg?region=430523"],
      ["GET", "/disclosure/compliance?period=2024-10&region=430523"],
    ] as const)
      expect((await api(null, method, path, method === "POST" ? { kind: "localised", text: "x" } : undefined)).status, `${method} ${path}`).toBe(401);
    expect((await citizen("198.51.100.70", "GET", `/sites/${site}`)).status).toBe(200);
  });

  it("answers citizens of another origin only when it is allowed (CORS)", async () => {
    const denied = await citizen("198.51.100.71", "GET", `/sites/${site}`, undefined, { origin: "https://evil.example" });
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
    h.deps.config.publicBaseUrl = "https://msss.example.cn";
    try {
      const allowed = await citizen("198.51.100.71", "GET", `/sites/${site}`, undefined, { origin: "https://msss.example.cn" });
      expect(allowed.headers.get("access-control-allow-origin")).toBe("https://msss.example.cn");
    } finally {
      h.deps.config.publicBaseUrl = ORIGIN;
    }
  });
});
