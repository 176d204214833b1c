import { existsSync } from "node:fs";
import { join } from "node:path";
import { artifactDir, hasChromium, launchBrowser } from "@minsheng/e2e";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, type RunningServer, startServer } from "./server.mjs";

/**
 * 票决制 end to end in headless Chromium against the real server: a citizen on a phone proposes
 * next year's project on 码上通 (the form refuses what the server would, then takes it and gives a
 * ticket); the county's task force approves it in moderation and adopts it at screening in the
 * console's year view; the citizen's ticket page shows it adopted as a candidate.
 */

const PASSWORD = "minsheng2024";
const publicBuilt = existsSync(join(repoRoot, "apps", "public", "dist", "index.html"));
const PHONE_VIEWPORT = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "zh-CN" };

if (!hasChromium()) console.log("SKIP 票决制 browser test: no Chromium at /usr/bin/chromium (CHROMIUM_PATH)");
else if (!publicBuilt) console.log("SKIP 票决制 browser test: apps/public is not built (pnpm -F @minsheng/public build)");

describe.skipIf(!hasChromium() || !publicBuilt)("a citizen proposes next year's project on a phone", () => {
  let server: RunningServer;
  let desk: BrowserContext;
  let phone: BrowserContext;
  let console_: Page;
  let citizen: Page;
  const problems: string[] = [];
  const shots = artifactDir("congress");
  // unique per run so the duplicate check (same words, same region, 24 h) never trips
  const stamp = Date.now().toString(36);
  const title = `河伯乡集镇自来水管网延伸（${stamp}）`;
  const description = "河伯乡集镇以东三个村组尚未通自来水，希望明年把管网延伸过去，惠及约 600 户群众。";
  let ticket = "";
  let year = 0;

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
  }, 240_000);

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

  const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 200 });

  it("on the phone: from the home page to the form, refused while incomplete, then a ticket", async () => {
    await citizen.goto(`${server.url}/`);
    await citizen.getByRole("link", { name: "我要提项目建议" }).click();
    await citizen.getByTestId("propose-form").waitFor();
    await citizen.getByRole("button", { name: "提交建议" }).click();
    // checked on the phone as the server checks: every field named, nothing sent
    await poll(() => citizen.locator(".field-error").allTextContents()).toEqual(["请选择项目所在地区", "请填写项目名称（至少 2 个字）", "请写明建设内容和地点（至少 5 个字）"]);
    // the regions come from the public site list: 邵阳县 is there once it loads
    await poll(() => citizen.locator("#pr-region option").count()).toBeGreaterThan(1);
    await citizen.locator("#pr-region").selectOption("430523");
    await citizen.locator("#pr-title").fill(title);
    await citizen.locator("#pr-description").fill(description);
    await citizen.getByRole("button", { name: "提交建议" }).click();
    ticket = ((await citizen.getByTestId("proposal-ticket").textContent()) ?? "").trim();
    expect(ticket).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
    await citizen.screenshot({ path: join(shots, "proposal-ticket-phone.png"), fullPage: true });
    await citizen.getByRole("link", { name: "查看建议进展" }).click();
    await poll(() => citizen.getByTestId("proposal-state").textContent()).toBe("待审核");
    expect(citizen.url()).toBe(`${server.url}/jy/${ticket}`);
    year = Number(/(\d{4}) 年/.exec((await citizen.locator(".facts").textContent()) ?? "")?.[1]);
    expect(year).toBeGreaterThan(2000);
    // nothing wider than the phone's screen
    expect(await citizen.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  it("in the console: the county's task force approves it, then adopts it at screening", async () => {
    await console_.goto(`${server.url}/admin/login`);
    await console_.getByTestId("username").fill("county");
    await console_.getByTestId("password").fill(PASSWORD);
    await console_.getByTestId("login").click();
    await console_.getByTestId("who").waitFor();
    await console_.goto(`${server.url}/admin/congress?region=430523&year=${year}&step=collect`);
    const row = console_.locator("[data-testid=candidates] tr").filter({ hasText: ticket });
    await poll(() => row.textContent()).toContain("待审核");
    await row.getByText("通过").click();
    await poll(() => row.textContent()).toContain("待初选");
    await console_.getByTestId("congress-steps").getByText("初选").click();
    const screening = console_.locator("[data-testid=screening] tr").filter({ hasText: title });
    await screening.getByText("初选", { exact: true }).click();
    const modal = console_.locator(".ant-modal").filter({ hasText: "初选：" });
    await modal.getByRole("button", { name: /确\s*定|OK/ }).click();
    await poll(() => screening.textContent()).toContain("采纳为候选项目");
    await console_.screenshot({ path: join(shots, "screening-console.png"), fullPage: true });
  });

  it("on the phone: the ticket page shows it adopted as a candidate", async () => {
    await citizen.reload();
    await poll(() => citizen.getByTestId("proposal-state").textContent()).toBe("采纳为候选项目");
    await citizen.getByText("将提交人民代表大会票决").waitFor();
    await citizen.screenshot({ path: join(shots, "proposal-adopted-phone.png"), fullPage: true });
    expect(problems).toEqual([]);
  });
});
