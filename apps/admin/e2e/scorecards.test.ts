import { join } from "node:path";
import { artifactDir, hasChromium, launchBrowser } from "@minsheng/e2e";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./server.mjs";

/**
 * 考评 in headless Chromium against the real server: the city's staff open September's unit
 * ranking (sixteen units of 邵阳市, equal scores sharing a rank), open a unit's lines and follow an
 * item's link, add an adjustment with its reason, issue the month (frozen: no more adjustments),
 * see the trend chart; 市教育局's reporter sees its own card only.
 */

const PASSWORD = "minsheng2024";

describe.skipIf(!hasChromium())("考评 in Chromium", () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startServer();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === "fail") await page.screenshot({ path: join(artifactDir("admin", "failures"), `scorecards-${ctx.task.name.slice(0, 30).replace(/\W+/g, "-")}.png`), fullPage: true }).catch(() => {});
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  const go = (path: string) => page.goto(`${server.url}/admin${path}`);
  async function login(username: string) {
    await context?.close();
    context = await launchBrowser({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await go("/login");
    await page.getByTestId("username").fill(username);
    await page.getByTestId("password").fill(PASSWORD);
    await page.getByTestId("login").click();
    await page.waitForURL((u) => !u.pathname.endsWith("/login"));
    await page.getByTestId("who").waitFor();
  }

  const rows = () => page.getByTestId("scorecard-table").locator("tbody tr.ant-table-row");
  /** [rank, score] of every row as shown. */
  const shown = async () =>
    Promise.all(
      (await rows().all()).map(async (r) => [Number(await r.getByTestId("rank").textContent()), Number(await r.getByTestId("score").textContent())] as const),
    );

  it("ranks the city's units, explains a line, adjusts with a reason and issues the month", async () => {
    await login("city");
    expect(await page.getByTestId("menu").textContent()).toContain("考评");
    await go("/scorecards?region=430500&period=2024-09");
    await expect.poll(() => rows().count(), { timeout: 30_000 }).toBe(16);
    expect(await page.getByTestId("scorecard-state").textContent()).toContain("预览");
    // ties share a rank: each rank is 1 + the number of units scored strictly higher
    const ranked = await shown();
    for (const [rank, score] of ranked) expect(rank).toBe(1 + ranked.filter(([, s]) => s > score).length);
    await page.getByTestId("score-trend").locator("canvas").first().waitFor();

    // a unit with deductions: its lines with the records behind them, linked
    const first = rows().filter({ hasText: "项" }).first();
    await first.locator(".ant-table-row-expand-icon").click();
    const lines = page.locator("[data-testid^=unit-lines-]").first();
    await lines.waitFor();
    expect(await lines.locator("li").count()).toBeGreaterThan(0);

    // an adjustment needs a reason
    await page.getByTestId("scorecard-adjust").click();
    const dialog = page.locator(".ant-modal").filter({ hasText: "人工调整" });
    await dialog.locator(".ant-select").click();
    await page.keyboard.type("市教育局");
    await page.keyboard.press("Enter");
    await dialog.locator("input.ant-input-number-input").fill("3");
    await dialog.locator(".ant-btn-primary").click();
    await dialog.getByText("请写明理由").waitFor();
    await dialog.locator("textarea").fill("省级督查通报表扬");
    await dialog.locator(".ant-btn-primary").click();
    await page.getByText("已调整").waitFor();
    const edu = rows().filter({ hasText: "市教育局" });
    await edu.getByText("人工调整 1 项 +3").waitFor();

    await page.getByTestId("scorecard-issue").click();
    await page.locator(".ant-popconfirm .ant-btn-primary").click();
    await expect.poll(async () => page.getByTestId("scorecard-state").textContent(), { timeout: 30_000 }).toContain("已印发");
    // frozen: no more adjustments or issue
    expect(await page.getByTestId("scorecard-adjust").count()).toBe(0);
    await page.screenshot({ path: join(artifactDir("admin"), "scorecards-issued.png"), fullPage: true });
    expect(problems).toEqual([]);
  });

  it("shows 市教育局's reporter its own card only", async () => {
    await login("reporter-edu");
    await go("/scorecards?region=430500&period=2024-09");
    await expect.poll(() => rows().count(), { timeout: 30_000 }).toBe(1);
    expect(await rows().first().textContent()).toContain("市教育局");
    // its own card opens with the lines explained
    await page.getByTestId("unit-lines-edu").or(page.getByText("本月无扣分、加分事项")).first().waitFor();
    expect(await page.getByTestId("scorecard-issue").count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
