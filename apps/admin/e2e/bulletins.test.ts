import { join } from "node:path";
import { artifactDir, hasChromium, launchBrowser } from "@minsheng/e2e";
import ExcelJS from "exceljs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./server.mjs";

/**
 * 通报 and Excel 导入 in headless Chromium against the real server: the city's staff preview the
 * September bulletin from live data, type a narrative section that survives a reload (saved as a
 * draft), issue it and find it in the issued list with its downloads; the county reporter downloads
 * the month's template, uploads it with a wrong cell and sees the problem by sheet, row and
 * column, fixes it, checks again and imports.
 */

const PASSWORD = "minsheng2024";

describe.skipIf(!hasChromium())("通报 and Excel 导入 in Chromium", () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startServer();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === "fail") await page.screenshot({ path: join(artifactDir("admin", "failures"), `bulletins-${ctx.task.name.slice(0, 30).replace(/\W+/g, "-")}.png`), fullPage: true }).catch(() => {});
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  const go = (path: string) => page.goto(`${server.url}/admin${path}`);
  /** Each user in a fresh browser context (nothing of the previous session left in the page). */
  async function login(username: string) {
    await context?.close();
    context = await launchBrowser({ viewport: { width: 1440, height: 900 }, locale: "zh-CN", acceptDownloads: true });
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

  it("previews the city's bulletin, keeps the typed narrative across a reload, and issues it", async () => {
    await login("city");
    expect(await page.getByTestId("menu").textContent()).toContain("通报");
    await go("/bulletins?plans=hn2024,sy2024&region=430500&period=2024-09");
    const preview = page.getByTestId("bulletin-preview");
    await preview.getByText("88.46%", { exact: false }).first().waitFor();
    expect(await preview.textContent()).toContain("11 个项目已提前完成全年目标任务");

    const plan = page.getByTestId("section-工作打算");
    await plan.fill("一是强化组织领导，盯紧看牢工作进度。");
    await page.getByText("草稿已保存").waitFor();
    await page.reload();
    await expect.poll(() => page.getByTestId("section-工作打算").inputValue(), { timeout: 30_000 }).toBe("一是强化组织领导，盯紧看牢工作进度。");
    await preview.getByText("一是强化组织领导", { exact: false }).first().waitFor();

    const download = page.waitForEvent("download");
    await page.getByTestId("download-docx").click();
    expect((await download).suggestedFilename()).toMatch(/\.docx$/);

    await page.getByTestId("issue-no").fill("7");
    await page.getByTestId("issue-date").fill("2024-10-09");
    await page.getByText("草稿已保存").waitFor();
    await page.getByTestId("issue-bulletin").click();
    await page.locator(".ant-popconfirm .ant-btn-primary").click();
    const issued = page.getByTestId("bulletin-issues");
    await issued.getByText("第 7 期").waitFor();
    await page.screenshot({ path: join(artifactDir("admin"), "bulletins-issued.png"), fullPage: true });
    expect(problems).toEqual([]);
  });

  it("lets the county reporter import the month's figures from Excel, naming a wrong cell first", async () => {
    await login("reporter");
    expect(await page.getByTestId("menu").textContent()).toContain("Excel 导入");
    await go("/imports");
    await page.getByTestId("import-period").click();
    await page.keyboard.type("2024-10");
    await page.keyboard.press("Enter");
    expect(await page.getByTestId("download-template").getAttribute("href")).toContain("period=2024-10");
    const res = await page.request.get(`${server.url}/api/v1/imports/reports/template?period=2024-10`);
    expect(res.status()).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.body()) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet("月度填报")!;
    // the row of 新增普惠性托位 (a quantity; September's counted value in column I)
    let r = 0;
    ws.eachRow((row, n) => {
      if (row.getCell(1).value === "hn2024-p04-a") r = n;
    });
    expect(r).toBeGreaterThan(2);
    ws.getCell(`J${r}`).value = "一百";
    ws.getCell(`K${r}`).value = "按计划推进";
    const bad = Buffer.from(await wb.xlsx.writeBuffer());
    await page.locator("input[type=file]").setInputFiles({ name: "填报.xlsx", mimeType: "application/octet-stream", buffer: bad });
    const table = page.getByTestId("import-problems");
    await table.getByText(`月度填报!J${r}`).waitFor();
    expect(await table.textContent()).toContain("不是数字");
    expect(await page.getByTestId("import-error").textContent()).toContain("未写入任何数据");
    await page.screenshot({ path: join(artifactDir("admin"), "excel-import-problems.png"), fullPage: true });

    const september = Number(ws.getCell(`I${r}`).value ?? 0);
    ws.getCell(`J${r}`).value = september + 10;
    const good = Buffer.from(await wb.xlsx.writeBuffer());
    await page.locator("input[type=file]").setInputFiles({ name: "填报.xlsx", mimeType: "application/octet-stream", buffer: good });
    await page.getByTestId("import-checked").waitFor();
    await page.getByTestId("confirm-import").click();
    const done = page.getByTestId("import-done");
    await done.waitFor();
    expect(await done.textContent()).toContain("提交1");
    expect(problems).toEqual([]);
  });
});
