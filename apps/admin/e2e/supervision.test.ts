import { join } from "node:path";
import { artifactDir, hasChromium, launchBrowser } from "@minsheng/e2e";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makePng } from "./files";
import { type RunningServer, startServer } from "./server.mjs";

/**
 * 督办 end to end (rules 11-12), in headless Chromium on a phone-sized screen against the real
 * server: the task force registers the demo observer account, the observer opens the filing page
 * from a site's QR code, writes what they saw, takes a photo and submits; the filing reaches the
 * task force's inbox with its photo, and the observer follows it on the same page.
 */

const PASSWORD = "minsheng2024";
const PHONE = { width: 390, height: 844 };

if (!hasChromium()) console.log("SKIP supervision browser test: no Chromium at /usr/bin/chromium (CHROMIUM_PATH)");

describe.skipIf(!hasChromium())("an observer files from a phone", () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  let siteCode = "";
  const problems: string[] = [];

  /** A signed-in API session outside the browser (the Origin header answers the cross-site check). */
  async function session(username: string) {
    const res = await fetch(`${server.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json", origin: server.url }, body: JSON.stringify({ username, password: PASSWORD }) });
    expect(res.status).toBe(200);
    const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
    return (method: string, path: string, body?: unknown) =>
      fetch(`${server.url}/api/v1${path}`, { method, headers: { cookie, origin: server.url, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  }

  beforeAll(async () => {
    server = await startServer();
    // the registry entry links the demo observer account (its id from the security administrator's user list)
    const security = await session("security");
    const { users } = (await (await security("GET", "/users")).json()) as { users: { id: number; username: string }[] };
    const city = await session("city");
    const registered = await city("POST", "/observers", { name: "张老师", background: "教师", region: "430523", group: "民生保障组", userId: users.find((u) => u.username === "observer")!.id });
    expect(registered.status).toBe(201);
    const sites = (await (await fetch(`${server.url}/api/v1/public/sites?region=430523&limit=1`)).json()) as { sites: { code: string }[] };
    siteCode = sites.sites[0]!.code;
    context = await launchBrowser({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "zh-CN" });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === "fail") await page.screenshot({ path: join(artifactDir("admin", "failures"), `supervision-${ctx.task.name.slice(0, 30).replace(/\W+/g, "-")}.png`), fullPage: true }).catch(() => {});
  });

  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it("signs in and opens the filing page of a site from its QR code, fitting the phone's width", async () => {
    await page.goto(`${server.url}/admin/login`);
    await page.getByTestId("username").fill("observer");
    await page.getByTestId("password").fill(PASSWORD);
    await page.getByTestId("login").click();
    await page.waitForURL((u) => !u.pathname.endsWith("/login"));
    await page.goto(`${server.url}/admin/observe?site=${siteCode}`);
    await page.getByTestId("observe").waitFor();
    expect(await page.getByTestId("observe-site").inputValue()).toBe(siteCode);
    await page.getByTestId("my-duties").waitFor();
    const box = (await page.getByTestId("observe-submit").boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    // the photo input asks for the camera and takes images only
    const input = page.getByTestId("observe-photo");
    expect(await input.getAttribute("accept")).toBe("image/*");
    expect(await input.getAttribute("capture")).toBe("environment");
  });

  it("files information with a photo and sees it waiting to be sorted", async () => {
    await page.getByTestId("observe-text").fill("现场查看：项目公示牌缺失，群众不知晓建设内容。");
    await page.getByTestId("observe-photo").setInputFiles({ name: "现场.png", mimeType: "image/png", buffer: makePng(64, 48, [200, 60, 40]) });
    await page.getByTestId("observe-preview").first().waitFor();
    expect(await page.getByTestId("observe-preview").count()).toBe(1);
    await page.getByTestId("observe-submit").click();
    await page.getByTestId("observe-done").waitFor();
    const filings = page.getByTestId("my-filings");
    await filings.getByText("1 张照片").waitFor();
    expect(await filings.textContent()).toContain("待分办");
    await page.screenshot({ path: join(artifactDir("admin"), "observer-phone.png"), fullPage: true });
  });

  let letterNumber = "";

  it("reaches the task force's inbox with its photo; sorted into a letter, the observer sees the letter's number", async () => {
    const city = await session("city");
    const { observations } = (await (await city("GET", "/observations?state=submitted")).json()) as { observations: { id: number; site: string; text: string; photos: { href: string }[] }[] };
    const filed = observations.find((o) => o.site === siteCode)!;
    expect(filed.text).toContain("公示牌缺失");
    expect(filed.photos).toHaveLength(1);
    const photo = await city("GET", filed.photos[0]!.href.replace("/api/v1", ""));
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toBe("image/png");
    const due = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const sorted = await city("POST", `/observations/${filed.id}/triage`, {
      action: "letter",
      letter: { kind: "work_notice", to: { region: "430523" }, subject: "关于项目公示牌缺失的工作提示函", body: "观察员反映项目现场未设公示牌，请整改。", dueOn: due },
    });
    expect(sorted.status).toBe(200);
    const { letterId } = (await sorted.json()) as { letterId: number };
    const issued = (await (await city("POST", `/letters/${letterId}/issue`)).json()) as { number: string };
    letterNumber = issued.number;
    expect(letterNumber).toMatch(/^邵民专班函〔\d{4}〕1号$/);
    await page.reload();
    await page.getByTestId("my-filings").getByText(`${letterNumber} · 待签收`).waitFor();
    expect(problems).toEqual([]);
  });

  it("the county's task force is reminded of the letter, signs it in the console, and the city's board shows it", async () => {
    const desk = await context.newPage();
    await desk.setViewportSize({ width: 1440, height: 900 });
    desk.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await context.clearCookies();
    await desk.goto(`${server.url}/admin/login`);
    await desk.getByTestId("username").fill("county");
    await desk.getByTestId("password").fill(PASSWORD);
    await desk.getByTestId("login").click();
    await desk.waitForURL((u) => !u.pathname.endsWith("/login"));
    await desk.getByTestId("letter-bell").locator(".ant-badge-count").waitFor();
    expect(await desk.getByTestId("letter-bell").locator(".ant-badge-count").textContent()).toBe("1");
    await desk.goto(`${server.url}/admin/letters`);
    await desk.getByTestId("letters").getByText(letterNumber).click();
    await desk.getByTestId("letter-acknowledge").click();
    await desk.getByTestId("letter-state").getByText("已签收待答复").waitFor();
    await desk.getByTestId("reply-text").waitFor();
    // the city's 督办 page: the letter on the board, waiting for the answer
    await context.clearCookies();
    await desk.goto(`${server.url}/admin/login`);
    await desk.getByTestId("username").fill("city");
    await desk.getByTestId("password").fill(PASSWORD);
    await desk.getByTestId("login").click();
    await desk.waitForURL((u) => !u.pathname.endsWith("/login"));
    await desk.getByTestId("supervision-tile").waitFor();
    await desk.goto(`${server.url}/admin/supervision`);
    await desk.getByText("督办函件").click();
    await desk.getByTestId("letters").getByText(letterNumber).waitFor();
    await desk.screenshot({ path: join(artifactDir("admin"), "supervision-board.png"), fullPage: true });
    await desk.close();
    expect(problems).toEqual([]);
  });
});
