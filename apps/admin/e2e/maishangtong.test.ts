import { existsSync } from "node:fs";
import { join } from "node:path";
import { artifactDir, hasChromium, launchBrowser } from "@minsheng/e2e";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, type RunningServer, startServer } from "./server.mjs";

/**
 * 码上通 end to end in headless Chromium against the real server (apps/api/dist/server.js on a
 * fresh embedded database with the demo seed, serving the console at /admin/ and the public site
 * at /): a unit publishes a work update on a project site in the console and the public page
 * shows it; a citizen on a phone leaves a suggestion with a phone number; the county's staff
 * approve it in moderation; the county's unit user sees the phone masked, reveals it, answers;
 * the ticket page shows the answer; the disclosure page shows the scores and what is missed.
 */

const PASSWORD = "minsheng2024";
const PHONE = "13812345678";
const MASKED = "138****5678";
const publicBuilt = existsSync(join(repoRoot, "apps", "public", "dist", "index.html"));
// A phone as citizens hold it (the QR code is scanned, the page opens in the phone's browser).
const PHONE_VIEWPORT = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "zh-CN" };

if (!hasChromium()) console.log("SKIP 码上通 browser tests: no Chromium at /usr/bin/chromium (CHROMIUM_PATH); `npm test` installs Debian's chromium when run as root");
else if (!publicBuilt) console.log("码上通 browser test: apps/public is not built, so the citizen's side goes through the public API from the browser instead of the public pages");

describe.skipIf(!hasChromium())("码上通 in the console and on a phone", () => {
  let server: RunningServer;
  let desk: BrowserContext;
  let phone: BrowserContext;
  let console_: Page;
  let citizen: Page;
  const problems: string[] = [];
  const shots = artifactDir("maishangtong");
  // Unique per run so the duplicate check (same text, same site, 24 h) never trips.
  const stamp = Date.now().toString(36);
  const suggestion = `建议托育中心周末也开放，方便双职工家庭。（${stamp}）`;
  const answer = `感谢建议。塘渡口镇托育中心自下月起周六上午开放，县卫健局将持续跟进。（${stamp}）`;
  const update = `塘渡口镇托育中心完成内部装修，进入设备安装阶段。（${stamp}）`;
  let site = { code: "", project: "", region: "" };
  let ticket = "";

  beforeAll(async () => {
    server = await startServer({ timeoutMs: 170_000 });
    desk = await launchBrowser({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
    phone = await launchBrowser(PHONE_VIEWPORT);
    console_ = desk.pages()[0] ?? (await desk.newPage());
    citizen = phone.pages()[0] ?? (await phone.newPage());
    for (const p of [console_, citizen]) {
      p.setDefaultTimeout(30_000);
      p.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      p.on("console", (m) => {
        if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
      });
    }
    // The project site under test: 普惠性托育“护蕾”行动 in 邵阳县, found as a citizen finds it.
    const res = await fetch(`${server.url}/api/v1/public/sites?region=430523&q=${encodeURIComponent("护蕾")}`);
    expect(res.status).toBe(200);
    const list = (await res.json()) as { sites: { code: string; project: { title: string }; region: { code: string } }[] };
    const found = list.sites.find((s) => s.region.code === "430523");
    if (!found) throw new Error(`no 护蕾 site in 邵阳县: ${JSON.stringify(list).slice(0, 300)}`);
    site = { code: found.code, project: found.project.title, region: found.region.code };
  }, 240_000);

  // A failed step leaves what both screens showed, for whoever reads the failure.
  afterEach(async ({ task }) => {
    if (task.result?.state !== "fail") return;
    const name = task.name.replace(/[^\w\u4e00-\u9fff]+/g, "-").slice(0, 60);
    await console_?.screenshot({ path: join(shots, `FAILED-${name}-console.png`), fullPage: true }).catch(() => {});
    await citizen?.screenshot({ path: join(shots, `FAILED-${name}-phone.png`), fullPage: true }).catch(() => {});
  });

  afterAll(async () => {
    await desk?.close();
    await phone?.close();
    await server?.stop();
  });

  const go = (path: string) => console_.goto(`${server.url}/admin${path}`);
  // Pages wait on the API (rule 6 over a whole city takes a while): poll as long as a locator waits.
  const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 200 });

  async function login(username: string) {
    // from a fresh page (no drawer or modal over the header), sign out whoever is signed in
    await go("/");
    await console_.waitForURL(/\/admin\/(?!$)/);
    if (await console_.getByTestId("logout").isVisible().catch(() => false)) {
      await console_.getByTestId("logout").click();
      await console_.waitForURL(/\/admin\/login/);
    }
    await go("/login");
    await console_.getByTestId("username").fill(username);
    await console_.getByTestId("password").fill(PASSWORD);
    await console_.getByTestId("login").click();
    await console_.waitForURL((u) => !u.pathname.endsWith("/login"));
    await console_.getByTestId("who").waitFor();
  }

  it("a unit publishes a work update on its project site and the public page shows it", async () => {
    await login("reporter");
    await go(`/sites?q=${encodeURIComponent("护蕾")}`);
    const row = console_.locator(`[data-testid=sites] tr[data-row-key="${site.code}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("邵阳县");
    // the QR code preview is the API's SVG for this site
    await console_.getByTestId(`qr-${site.code}`).click();
    const qr = console_.locator(`img[src*="/qr.svg?region=${site.region}"]`).first();
    await qr.waitFor();
    await poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await console_.getByTestId(`qr-${site.code}`).click();

    await console_.getByTestId(`manage-${site.code}`).click();
    await console_.getByRole("tab", { name: /工作动态/ }).click();
    await console_.getByTestId("add-update").click();
    const modal = console_.locator(".ant-modal").filter({ hasText: "发布工作动态" });
    await modal.waitFor();
    // Bad input is answered at the field and nothing is published.
    await modal.getByRole("button", { name: /^发\s*布$/ }).click();
    await poll(() => modal.locator(".ant-form-item-explain-error").allTextContents()).toEqual(expect.arrayContaining(["请选择日期", "请填写内容"]));
    await modal.locator("input[type=date]").fill(new Date().toISOString().slice(0, 10));
    await modal.locator("textarea").fill(update);
    await modal.getByRole("button", { name: /^发\s*布$/ }).click();
    await modal.waitFor({ state: "hidden" });
    const listed = console_.getByTestId("content-update");
    await poll(() => listed.textContent()).toContain(update);
    expect(await listed.textContent()).toContain("已发布");

    // What the public sees: the site's public JSON and, when built, its page.
    const page = (await (await fetch(`${server.url}/api/v1/public/sites/${site.code}`)).json()) as { timeline: { text: string }[] };
    expect(page.timeline.map((t) => t.text)).toContain(update);
  });

  it("a citizen leaves a suggestion from the project page on a phone", async () => {
    await citizen.goto(`${server.url}/p/${site.code}`);
    if (publicBuilt) {
      await citizen.getByText(site.project).first().waitFor();
      await citizen.getByText(update).first().waitFor();
      await citizen.screenshot({ path: join(shots, "project-page-phone.png"), fullPage: true });
      await citizen.locator("#fb-text").fill(suggestion);
      await citizen.locator("#fb-phone").fill(PHONE);
      await citizen.getByRole("button", { name: "提交" }).click();
      ticket = ((await citizen.getByTestId("ticket").textContent()) ?? "").trim();
    } else {
      // The public site is not built: the browser sends what its form would (same origin, no sign-in).
      const created = await citizen.evaluate(
        async ({ code, text, phone: tel }) => {
          const res = await fetch(`/api/v1/public/sites/${code}/feedback`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kind: "suggestion", text, phone: tel }) });
          return { status: res.status, body: (await res.json()) as { ticket?: string } };
        },
        { code: site.code, text: suggestion, phone: PHONE },
      );
      expect(created.status).toBe(201);
      ticket = created.body.ticket ?? "";
    }
    expect(ticket).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
  });

  it("the county's staff approve it in moderation; the phone stays masked", async () => {
    await login("county");
    await go("/feedback?state=pending");
    const row = console_.locator(`[data-testid=inbox] tr[data-ticket="${ticket}"]`);
    await row.waitFor();
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("待审核");
    expect(text).toContain(MASKED);
    expect(text).not.toContain(PHONE);
    expect(await row.getAttribute("data-overdue")).toBe("false");
    await console_.getByTestId(`handle-${ticket}`).click();
    await console_.getByTestId("approve").click();
    await poll(() => console_.getByTestId("feedback-state").textContent()).toBe("办理中");
    await console_.getByTestId("answer-form").waitFor();
  });

  it("the unit reveals the phone number, answers, and the count of answered ones moves", async () => {
    await login("reporter");
    await go("/feedback");
    const answeredBefore = Number((await console_.getByText(/^已答复（\d+）$/).textContent())?.match(/\d+/)?.[0]);
    await console_.getByTestId(`handle-${ticket}`).click();
    const drawer = console_.locator(".ant-drawer").filter({ hasText: ticket });
    await drawer.waitFor();
    expect(await drawer.getByTestId("feedback-text").textContent()).toBe(suggestion);
    expect(await drawer.getByTestId("feedback-phone").textContent()).toBe(MASKED);
    await drawer.getByTestId("reveal-phone").click();
    await poll(() => drawer.getByTestId("feedback-phone").textContent()).toBe(PHONE);

    // too short (the server's rule, checked at the field first): nothing is answered
    await drawer.getByTestId("answer-text").fill("好");
    await drawer.getByTestId("answer-submit").click();
    await poll(() => drawer.locator(".ant-form-item-explain-error").allTextContents()).toContain("答复至少 2 个字");
    await drawer.getByTestId("answer-text").fill(answer);
    await drawer.getByTestId("answer-submit").click();
    await poll(() => drawer.getByTestId("feedback-state").textContent()).toBe("已答复");
    expect(await drawer.getByTestId("answer-view").textContent()).toContain(answer);
    await console_.keyboard.press("Escape");
    await poll(async () => Number((await console_.getByText(/^已答复（\d+）$/).textContent())?.match(/\d+/)?.[0])).toBe(answeredBefore + 1);
    await console_.screenshot({ path: join(shots, "console-feedback.png"), fullPage: true });

  });

  it("the ticket page shows the answer, never the phone number", async () => {
    await citizen.goto(`${server.url}/s/${ticket}`);
    if (publicBuilt) {
      await poll(() => citizen.getByTestId("answer").textContent()).toContain(answer);
      expect(await citizen.getByTestId("state").textContent()).toBe("已答复");
      expect(await citizen.content()).not.toContain(PHONE.slice(3));
      await citizen.screenshot({ path: join(shots, "ticket-page-phone.png"), fullPage: true });
    }
    const res = await fetch(`${server.url}/api/v1/public/tickets/${ticket}`);
    expect(res.status).toBe(200);
    const t = (await res.json()) as Record<string, unknown>;
    expect(t).toMatchObject({ ticket, state: "answered", answer });
    expect(JSON.stringify(t)).not.toContain(PHONE.slice(3));
  });

  it("the disclosure page shows each county's score, band and what its projects miss; admins get the checklist", async () => {
    await login("admin");
    await go("/disclosure?region=430500&period=2024-09");
    const scores = console_.getByTestId("disclosure-scores");
    await poll(() => scores.locator("tbody tr").count()).toBeGreaterThan(5);
    // seed 003: 隆回县 21 of 23 → 5.4783, 较好
    const longhui = scores.locator("tbody tr", { hasText: "隆回县" });
    expect(await longhui.textContent()).toContain("5.4783");
    expect(await longhui.textContent()).toContain("较好");
    await longhui.click();
    await poll(() => console_.getByTestId("disclosure-missing").locator("tbody tr").count()).toBe(2);
    await console_.getByTestId("checklist-save").waitFor();
    await console_.screenshot({ path: join(shots, "console-disclosure.png"), fullPage: true });
    expect(problems).toEqual([]);
  });
});
