/**
 * The 码上通 site in a phone-sized Chromium with a WeChat user agent, against the real API server
 * serving the built site: a citizen opens a project page (figures equal the API's verified ones),
 * rates it, leaves a suggestion with a photo and gets a ticket; staff approve and answer it
 * through the API; the citizen sees the answer on /s/:ticket and on the project page. Also the
 * browse page, an unknown code and the rate limit as the citizen sees them.
 */
import { join } from "node:path";
import { artifactDir, hasChromium, launchBrowser } from "@minsheng/e2e";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type FeedbackBody } from "@minsheng/api/client";
import { type RunningServer, startServer } from "../bench/server.mjs";

const WECHAT_UA =
  "Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160117 MMWEBSDK/20240301 MMWEBID/6533 MicroMessenger/8.0.48.2580(0x28003036) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";
/** 1×1 PNG: the server sniffs the bytes, so a photo must be a real image. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==", "base64");

const browserReady = hasChromium();
if (!browserReady) console.log("skipping the 码上通 browser test: no Chromium at /usr/bin/chromium (apt-get install chromium)");

describe.skipIf(!browserReady)("码上通 in a phone's browser", () => {
  let server: RunningServer;
  let ctx: BrowserContext;
  let page: Page;
  let code = "";
  let ticket = "";
  const errors: string[] = [];

  // the API as the typed client sees it: paths, queries, bodies and answers typed by its schemas
  const api = () => createClient(server.base);
  const toddlerSites = async (query: { limit?: number } = {}) => {
    const res = await api().public.sites.$get({ query: { region: "430523", q: "托育", ...query } });
    expect(res.status).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    server = await startServer();
    ctx = await launchBrowser({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, userAgent: WECHAT_UA, locale: "zh-CN" });
    page = await ctx.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    // 邵阳县's 普惠性托育 site: behind schedule in seed 003, so status and schedule line both show
    code = (await toddlerSites()).sites[0]!.code;
  });

  afterAll(async () => {
    await ctx?.close();
    await server?.stop();
  });

  it("shows the project with exactly the API's verified figures, status and schedule line", async () => {
    const site = await (await api().public.sites[":code"].$get({ param: { code } })).json();
    // The page arrives rendered with its data (a phone paints it before any script runs)…
    const raw = await (await fetch(`${server.base}/p/${code}`)).text();
    expect(raw).toContain(`<h1>${site.project.title}</h1>`);
    expect(raw).toContain('<script type="application/json" id="ms-data">');
    // …and the script takes it over: every later step clicks through it.
    const res = await page.goto(`${server.base}/p/${code}`);
    expect(res?.status()).toBe(200);
    await page.locator("h1").first().waitFor();
    expect(await page.locator("h1").first().textContent()).toBe(site.project.title);
    const facts = await page.locator(".hero").textContent();
    for (const text of [site.item.title, site.unit.name, site.region.path.join(" · ")]) expect(facts).toContain(text);
    expect(site.progress.period).not.toBeNull();
    expect(await page.getByTestId("progress").textContent()).toBe(`${site.progress.progress}%`);
    expect(await page.locator("#progress-h + .headline .badge").textContent()).toBe(site.progress.statusLabel);
    expect(await page.locator(".bar").getAttribute("aria-label")).toBe(`完成进度 ${site.progress.progress}%，序时进度 ${site.progress.due}%`);
    const fill = await page.locator(".bar-fill").evaluate((el) => (el as HTMLElement).style.width);
    expect(fill).toBe(`${Math.min(100, site.progress.progress!)}%`);
    expect(site.progress.indicators.length).toBeGreaterThan(0);
    const number = (s: string | null) => Number((s ?? "").replace(/[^\d.-]/g, ""));
    for (const i of site.progress.indicators) {
      const row = page.locator(`li[data-indicator="${i.id}"]`);
      expect(number(await row.getByTestId("target").textContent())).toBe(i.target);
      expect(number(await row.getByTestId("actual").textContent())).toBe(i.actual);
      expect(await row.getByTestId("rate").textContent()).toBe(`${i.rate}%`);
      expect(await row.locator(".badge").textContent()).toBe(i.statusLabel);
    }
    expect(await page.title()).toContain(site.project.title);
    await page.screenshot({ path: join(artifactDir("public"), "project-page.png"), fullPage: true });
  });

  it("takes a satisfaction rating", async () => {
    await page.getByRole("button", { name: "基本满意", exact: true }).click();
    await page.getByText("感谢您的评价：基本满意").waitFor();
    expect(await page.getByTestId("satisfaction").textContent()).toContain("共 1 人评价");
    expect(await page.getByRole("button", { name: "满意", exact: true }).isDisabled()).toBe(true);
  });

  it("checks a suggestion at its fields, then takes it with a photo and answers a ticket number", async () => {
    await page.getByLabel("内容", { exact: true }).fill("短");
    await page.getByLabel("手机号码（选填）").fill("12345");
    await page.getByRole("button", { name: "提交" }).click();
    expect(await page.locator("#fb-text-err").textContent()).toBe("请至少填写 5 个字");
    expect(await page.locator("#fb-phone-err").textContent()).toContain("11 位");
    expect(await page.getByLabel("内容", { exact: true }).getAttribute("aria-invalid")).toBe("true");

    await page.getByText("投诉", { exact: true }).click();
    await page.getByLabel("内容", { exact: true }).fill("托育中心门口的道路施工围挡倒塌，接送孩子很不安全，请尽快处理。");
    await page.getByLabel("手机号码（选填）").fill("138 1234 5678");
    await page.getByLabel("照片（选填，5 MB 以内）").setInputFiles({ name: "现场.png", mimeType: "image/png", buffer: PNG });
    await page.getByRole("button", { name: "提交" }).click();
    await page.getByTestId("ticket").waitFor();
    ticket = (await page.getByTestId("ticket").textContent())!.trim();
    expect(ticket).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
    await page.getByRole("link", { name: "查看办理进度" }).click();
    await page.waitForURL(`**/s/${ticket}`);
    expect(await page.getByTestId("state").textContent()).toBe("待审核");
    expect(await page.locator("body").textContent()).not.toContain("5678");
  });

  it("shows the answer staff gave through the API on /s/:ticket and on the project page", async () => {
    const login = await api().auth.login.$post({ json: { username: "county", password: "minsheng2024" } });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const staff = { headers: { cookie, origin: server.base } };
    const inbox = await api().feedback.$get({ query: { state: "pending", limit: "200" } }, staff);
    expect(inbox.status).toBe(200);
    const item = (await inbox.json()).feedback.find((f) => f.ticket === ticket)!;
    expect(item).toMatchObject({ phone: "138****5678" });
    expect(item.photo).toBeTruthy();
    const param = { id: String(item.id) };
    expect((await api().feedback[":id"].moderate.$post({ param, json: { action: "approve" } }, staff)).status).toBe(200);
    const answer = "已联系施工单位当天加固围挡，并在路口安排人员引导接送。";
    expect((await api().feedback[":id"].answer.$post({ param, json: { answer } }, staff)).status).toBe(200);
    const looked = await api().public.tickets[":ticket"].$get({ param: { ticket } });
    expect(await looked.json()).toMatchObject({ state: "answered", answer });

    await page.reload();
    await page.getByTestId("answer").waitFor();
    expect(await page.getByTestId("state").textContent()).toBe("已答复");
    expect(await page.getByTestId("answer").textContent()).toContain(answer);
    await page.screenshot({ path: join(artifactDir("public"), "ticket-page.png"), fullPage: true });

    // The page JSON may be cached for a minute; a citizen coming later sees the answer published.
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.clearBrowserCache");
    await page.getByRole("link", { name: /护蕾/ }).click();
    await page.waitForURL(`**/p/${code}`);
    await page.locator(".answers").waitFor();
    const answers = await page.locator(".answers").textContent();
    expect(answers).toContain("托育中心门口的道路施工围挡倒塌");
    expect(answers).toContain(answer);
    expect(await page.getByTestId("processing").textContent()).toContain("已答复 1 条");
    expect(await page.locator("body").textContent()).not.toContain("5678");
  });

  it("lets a citizen browse by region and search by name", async () => {
    await page.goto(`${server.base}/`);
    await page.locator(".sites li").first().waitFor();
    await page.getByLabel("地区").selectOption("430523");
    await page.waitForURL("**/?region=430523");
    await page.getByLabel("项目名称").fill("托育");
    await page.getByRole("button", { name: "搜索" }).click();
    await page.waitForURL(/q=/);
    await page.locator(".sites li").first().waitFor();
    const expected = await toddlerSites({ limit: 20 });
    expect(await page.locator(".sites li").count()).toBe(expected.sites.length);
    const hrefs = await page.locator(".sites a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(hrefs).toEqual(expected.sites.map((s) => `/p/${s.code}`));
    await page.locator(`.sites a[href="/p/${code}"]`).click();
    await page.waitForURL(`**/p/${code}`);
    await page.locator("h1").first().waitFor();
    await page.goBack();
    await page.waitForURL(/region=430523/);
    expect(await page.getByLabel("地区").inputValue()).toBe("430523");
  });

  it("says so for an unknown code, and when suggestions come too fast", async () => {
    await page.goto(`${server.base}/p/ZZZZZZZZ`);
    await page.getByText("未找到该项目").waitFor();
    // This browser and this test share one address: use up the bucket (5 at once) from here.
    for (let i = 0; i < 5; i++) {
      // the operation reads its body itself (JSON or multipart), so the client types none: FeedbackBody does
      const body: FeedbackBody = { kind: "question", text: `限流演示第${i}条：请问托育中心何时开园？` };
      await api().public.sites[":code"].feedback.$post({ param: { code } }, { init: { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } });
    }
    await page.goto(`${server.base}/p/${code}`);
    await page.getByLabel("内容", { exact: true }).fill("再提一条建议：希望延长托育中心的开放时间。");
    await page.getByRole("button", { name: "提交" }).click();
    const alert = page.locator(".form .error[role=alert]");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/提交太频繁了，请 \d+ (秒|分钟)后再试/);
    expect(errors).toEqual([]);
  });
});
