import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { artifactDir, hasChromium, launchBrowser } from "@minsheng/e2e";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makePdf, makePng } from "./files";
import { repoRoot, type RunningServer, startServer } from "./server.mjs";

/**
 * The console end to end, in headless Chromium against the real server (apps/api/dist/server.js
 * on a fresh embedded database with the demo seed, serving apps/admin/dist): a county reporter
 * submits a figure with evidence, a reviewer reduces it (after losing a race to another review),
 * the city's dashboard shows the new rate and the fall, the audit view shows the history and the
 * chain holds, an admin creates a user; forms answer bad input at the field.
 */

const PASSWORD = "minsheng2024";
const PERIOD = "2024-10";
const COUNTY = "430523"; // 邵阳县, the demo reporter's area

if (!hasChromium()) console.log("SKIP admin browser tests: no Chromium at /usr/bin/chromium (CHROMIUM_PATH); `npm test` installs Debian's chromium when run as root");

interface Bundle {
  indicators: { id: string; kind: string; linkedTo?: string; name: string }[];
  targets: { indicator: string; region: string; value: number }[];
  progress: { indicator: string; region: string; period: string; value: number }[];
  regions: { code: string; parent: string | null }[];
}

/**
 * The figure under test, chosen from the fixture rather than hard-coded: a province-plan quantity
 * indicator with an integer target at the county, no target further down, and September's
 * cumulative value below the target.
 */
function pickFigure() {
  const b = JSON.parse(readFileSync(join(repoRoot, "fixtures", "shaoyang-2024.bundle.json"), "utf8")) as Bundle;
  const below = new Set(b.regions.filter((r) => r.parent === COUNTY).map((r) => r.code));
  for (const i of b.indicators) {
    if (!i.id.startsWith("hn2024") || i.kind !== "quantity" || i.linkedTo) continue;
    const target = b.targets.find((t) => t.indicator === i.id && t.region === COUNTY)?.value;
    if (target === undefined || !Number.isInteger(target) || b.targets.some((t) => t.indicator === i.id && below.has(t.region))) continue;
    const september = b.progress.find((p) => p.indicator === i.id && p.region === COUNTY && p.period === "2024-09")?.value;
    if (september === undefined || !Number.isInteger(september) || september < 100 || september >= target - 50) continue;
    return { indicator: i.id, name: i.name, target, september };
  }
  throw new Error("no suitable indicator in the fixture");
}

/** Rule 1: actual ÷ target × 100, rounded half-up to 2 decimals, exactly (integers only). */
const ratePct = (actual: number, target: number) => (Math.floor((actual * 10000 * 2 + target) / (2 * target)) / 100).toFixed(2);

const figure = pickFigure();
const reported = figure.september + 40;
const verified = figure.september - 28; // below September's counted value: a month-on-month fall

describe.skipIf(!hasChromium())("admin console in Chromium", () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let reportId = 0;

  beforeAll(async () => {
    server = await startServer();
    context = await launchBrowser({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  });

  afterEach(async (ctx) => {
    // A failed step leaves what the browser showed, for whoever reads the failure.
    if (ctx.task.result?.state === "fail") await page.screenshot({ path: join(artifactDir("admin", "failures"), `${ctx.task.name.slice(0, 40).replace(/\W+/g, "-")}.png`), fullPage: true }).catch(() => {});
  });

  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  const go = (path: string) => page.goto(`${server.url}/admin${path}`);
  /** The error shown under the form field holding the element with this test id. */
  const errorAt = (testId: string) => page.locator(".ant-form-item", { has: page.getByTestId(testId) }).locator(".ant-form-item-explain-error");

  async function login(username: string) {
    if (await page.getByTestId("logout").isVisible().catch(() => false)) {
      await page.getByTestId("logout").click();
      await page.waitForURL(/\/admin\/login/);
    }
    await go("/login");
    await page.getByTestId("username").fill(username);
    await page.getByTestId("password").fill(PASSWORD);
    await page.getByTestId("login").click();
    await page.waitForURL((u) => !u.pathname.endsWith("/login"));
    await page.getByTestId("who").waitFor();
  }

  /** The county's tag under the dashboard's chart, e.g. "邵阳县 94.30%". */
  async function countyRate() {
    await go(`/dashboard?plan=hn2024&region=430500&period=${PERIOD}&indicator=${figure.indicator}`);
    const tag = page.locator(`[data-testid=county-rates] [data-region="${COUNTY}"]`);
    await tag.waitFor();
    return (await tag.textContent()) ?? "";
  }

  it("shows the city's dashboard before the figure: September's value carried into October", async () => {
    await login("city");
    expect(await countyRate()).toContain(`${ratePct(figure.september, figure.target)}%`);
    await page.locator("[data-testid=falls]").waitFor();
    expect(await page.locator("[data-testid=falls]").textContent()).not.toContain(figure.name);
  });

  it("opens the dashboard on the user's own region and a month of the plan, with the bulletin's summary sentence (issue 11)", async () => {
    await go("/dashboard");
    await page.getByTestId("summary").waitFor();
    expect(await page.getByTestId("region").textContent()).toContain("邵阳市");
    const label = (await page.getByTestId("period").textContent()) ?? "";
    const month = Number(/1-(\d+)月/.exec(label)?.[1]);
    expect(month).toBeGreaterThanOrEqual(1);
    const plans = (await (await page.request.get(`${server.url}/api/v1/plans`)).json()).plans as { id: string; year: number; level: string }[];
    const plan = plans.find((p) => p.year === plans[0]!.year && p.level === "province") ?? plans[0]!;
    const period = `${plan.year}-${String(month).padStart(2, "0")}`;
    const progress = await (await page.request.get(`${server.url}/api/v1/plans/${plan.id}/progress?period=${period}&region=430500`)).json();
    expect(await page.getByTestId("summary").textContent()).toBe(progress.summary.text);
  });

  it("lets the county reporter enter the figure, rejecting bad input at the field, attach evidence by drag and drop, and submit", async () => {
    await login("reporter");
    await page.waitForURL((u) => u.pathname.startsWith("/admin/report")); // the role's home, reached by a redirect after sign-in
    const menu = await page.getByTestId("menu").textContent();
    expect(menu).toContain("填报");
    expect(menu).not.toContain("用户管理");

    await go(`/report?period=${PERIOD}`);
    const search = page.getByTestId("task-filter").locator("input");
    await search.fill(figure.name);
    await search.press("Enter");
    await page.getByTestId(`fill-${figure.indicator}-${COUNTY}`).click();
    const editor = page.getByTestId("report-editor");
    await editor.waitFor();

    // Bad input, caught by the form: a negative cumulative value.
    const value = page.getByTestId("value");
    await value.fill("-5");
    await page.getByTestId("save-draft").click();
    await errorAt("value").filter({ hasText: "累计完成值不能为负数" }).waitFor();

    // Bad input, caught by the API (400 with problems): submitting without the narrative.
    await value.fill(String(reported));
    await page.getByTestId("submit-report").click();
    const narrative = page.getByTestId("narrative");
    await errorAt("narrative").filter({ hasText: /narrative|进展/i }).waitFor();
    expect(await page.getByTestId("report-state").textContent()).toBe("草稿"); // the draft was saved before the submit failed

    await narrative.fill("10 月新增筛查新生儿 72 人，累计完成全年目标的 96%。");

    // Evidence by drag and drop: a PDF and a photo, dropped on the drop zone.
    const drop = async (name: string, mime: string, bytes: Buffer) => {
      const dataTransfer = await page.evaluateHandle(
        ([n, m, b64]) => {
          const bin = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
          const dt = new DataTransfer();
          dt.items.add(new File([bin], n, { type: m }));
          return dt;
        },
        [name, mime, bytes.toString("base64")] as const,
      );
      await editor.locator(".ant-upload-drag [role=button], .ant-upload-drag .ant-upload").first().dispatchEvent("drop", { dataTransfer });
      await editor.locator(`[data-testid=evidence][data-filename="${name}"]`).waitFor();
    };
    await drop("筛查台账.pdf", "application/pdf", makePdf("Screening ledger 2024-10"));
    await drop("现场照片.png", "image/png", makePng(64, 48, [200, 30, 30]));

    // Previews: the PDF drawn by pdf.js (its blue bar shows), the image shown.
    await expectPdfDrawn(editor);
    await editor.getByTestId("evidence-image").first().waitFor();

    await page.getByTestId("submit-report").click();
    await editor.waitFor({ state: "detached" });
    const mine = page.getByTestId("my-reports");
    await mine.locator("tr", { hasText: figure.name }).filter({ hasText: "待核验" }).waitFor();
  });

  it("lets the reviewer see the evidence beside the figure, shows a lost race clearly, and reduce the figure with a reason", async () => {
    await login("reviewer");
    await page.waitForURL((u) => u.pathname.startsWith("/admin/review")); // the role's home, reached by a redirect after sign-in
    const res = await page.request.get(`${server.url}/api/v1/reports?period=${PERIOD}&region=${COUNTY}&indicator=${figure.indicator}&limit=10&offset=0`);
    const found = (await res.json()) as { reports: { id: number; version: number; state: string }[] };
    expect(found.reports).toHaveLength(1);
    expect(found.reports[0]!.state).toBe("submitted");
    reportId = found.reports[0]!.id;

    await page.getByTestId(`review-${reportId}`).click();
    const panel = page.getByTestId("review-panel");
    await panel.waitFor();
    expect(await panel.getByTestId("reported-value").textContent()).toContain(reported.toLocaleString("zh-CN"));
    await expectPdfDrawn(panel);
    await panel.getByTestId("evidence-image").first().waitFor();

    // Another reviewer decides first (verify, then take it back): the version this page holds is stale.
    const version = found.reports[0]!.version;
    const other = async (body: object) => {
      const r = await page.request.post(`${server.url}/api/v1/reports/${reportId}/review`, { data: body, headers: { origin: server.url } });
      expect(r.status(), await r.text()).toBe(200);
    };
    await other({ action: "verify", version });
    await other({ action: "reopen", version: version + 1 });

    const reduce = async () => {
      await panel.getByText("核减", { exact: true }).click();
      const input = panel.getByTestId("verified-input");
      await input.fill(String(reported + 1)); // not a reduction: refused at the field
      await panel.getByTestId("review-reason").fill("部分筛查记录缺少签字，核减未经确认的人次");
      await panel.getByTestId("review-submit").click();
      await errorAt("verified-input").filter({ hasText: "须低于上报值" }).waitFor();
      await input.fill(String(verified));
      await panel.getByTestId("review-submit").click();
    };
    await reduce();
    const conflict = panel.getByTestId("review-error");
    await conflict.filter({ hasText: "核验冲突" }).waitFor();
    expect(await conflict.textContent()).toContain("已被他人处理或修改");
    expect(await panel.getByTestId("review-state").textContent()).toBe("待核验");

    await panel.getByTestId("reload-report").click();
    await conflict.waitFor({ state: "detached" });
    await reduce();
    await panel.getByTestId("review-state").filter({ hasText: "已核减" }).waitFor();
    expect(await panel.getByTestId("verified-value").textContent()).toContain(verified.toLocaleString("zh-CN"));
    expect(await panel.getByTestId("reported-value").textContent()).toContain(reported.toLocaleString("zh-CN"));

    // The reduced list shows reported against verified.
    await page.keyboard.press("Escape");
    await go("/review?tab=reduced");
    const row = page.getByTestId("review-queue").locator("tr", { hasText: figure.name });
    await row.waitFor();
    const text = (await row.textContent()) ?? "";
    expect(text).toContain(reported.toLocaleString("zh-CN"));
    expect(text).toContain(`核减 ${(reported - verified).toLocaleString("zh-CN")}`);
  });

  it("changes the city's dashboard: the verified value's rate, the fall flagged; a screenshot is kept", async () => {
    await login("city");
    const rate = await countyRate();
    expect(rate).toContain(`${ratePct(verified, figure.target)}%`);
    expect(rate).not.toContain(`${ratePct(figure.september, figure.target)}%`);
    const falls = page.getByTestId("falls");
    await falls.locator(".ant-list-item", { hasText: figure.name }).filter({ hasText: "邵阳县" }).waitFor();
    expect(await falls.textContent()).toContain(`${figure.september} → ${verified}`);

    await page.getByTestId("county-chart").locator("canvas").first().waitFor();
    await page.waitForTimeout(300); // the chart's first frame
    const file = join(artifactDir("admin"), "dashboard.png");
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(20_000);
  });

  it("shows the city the figure's history: who changed what when", async () => {
    await go(`/audit?entity=report&id=${reportId}`);
    const history = page.getByTestId("audit-history");
    await history.locator("[data-action='report.reduce']").waitFor();
    const actions = await history.locator("[data-action]").evaluateAll((els: Element[]) => els.map((e) => e.getAttribute("data-action")));
    expect(actions).toEqual(["report.save", "evidence.add", "evidence.add", "report.save", "report.submit", "report.verify", "report.reopen", "report.reduce"]);
    const text = (await history.textContent()) ?? "";
    expect(text).toContain("user:reporter");
    expect(text).toContain("user:reviewer");
    expect(text).toContain(`${reported.toLocaleString("zh-CN")}`);
    // The whole log and the chain check are the audit administrator's (三员分立), not the city's.
    expect(await page.getByTestId("verify-chain").count()).toBe(0);
  });

  it("lets the audit administrator browse the log and check the hash chain", async () => {
    await login("auditor");
    await page.waitForURL((u) => u.pathname.startsWith("/admin/audit")); // the role's home, reached by a redirect after sign-in
    const log = page.getByTestId("audit-log");
    await log.locator("[data-action='report.reduce']").first().waitFor();
    await page.getByTestId("verify-chain").click();
    const result = page.getByTestId("chain-result");
    await result.waitFor();
    expect(await result.getAttribute("data-ok")).toBe("true");
    expect(await result.textContent()).toContain("审计链完整");
  });

  it("lets the security administrator create a user, answering a weak password, an unknown region and a taken username at their fields", async () => {
    await login("security");
    await page.waitForURL((u) => u.pathname.startsWith("/admin/users")); // the role's home, reached by a redirect after sign-in
    await page.getByTestId("users").locator("tr", { hasText: "reviewer" }).first().waitFor();
    await page.getByTestId("new-user").click();
    const form = page.getByTestId("user-form");
    const save = form.getByRole("button", { name: /保\s*存/ });
    const username = form.getByTestId("new-username");
    const password = form.getByTestId("new-password");
    const region = form.getByTestId("new-region");
    await username.fill("reporter"); // taken: the API answers 409
    await form.getByTestId("new-display-name").fill("隆回县填报员");
    await region.fill("999999"); // no such region: the API answers 400 at $.region
    await password.fill("short1"); // too short: the form answers before sending
    await save.click();
    await errorAt("new-password").filter({ hasText: "至少 10 位" }).waitFor();

    await password.fill("Longhui2024pass");
    await save.click();
    await errorAt("new-region").filter({ hasText: "999999" }).waitFor();

    await region.fill("430524");
    await save.click();
    await errorAt("new-username").filter({ hasText: "已被使用" }).waitFor();

    await username.fill("reporter-longhui");
    await save.click();
    await form.waitFor({ state: "hidden" });
    const row = page.getByTestId("users").locator("tr", { hasText: "reporter-longhui" });
    await row.waitFor();
    expect(await row.textContent()).toContain("填报员");
    expect(await row.textContent()).toContain("430524");
  });

  it("lets a user change their own password: a wrong current one and a weak new one are answered at their fields", async () => {
    await login("observer");
    await page.getByTestId("change-password").click();
    const form = page.getByTestId("password-form");
    const save = form.getByRole("button", { name: /保\s*存/ });
    await form.getByTestId("current-password").fill("not-my-password-1");
    await form.getByTestId("new-password").fill("Observer2025new");
    await form.getByTestId("repeat-password").fill("Observer2025new");
    await save.click();
    await errorAt("current-password").filter({ hasText: "当前密码不正确" }).waitFor();

    await form.getByTestId("current-password").fill(PASSWORD);
    await form.getByTestId("new-password").fill("onlyletters-here");
    await form.getByTestId("repeat-password").fill("onlyletters-here");
    await save.click();
    await errorAt("new-password").filter({ hasText: "须同时包含字母和数字" }).waitFor();

    await form.getByTestId("new-password").fill("Observer2025new");
    await form.getByTestId("repeat-password").fill("Observer2025new");
    await save.click();
    await form.waitFor({ state: "hidden" });
    await page.getByText("密码已修改").waitFor();
    // the new password signs in, the old one no longer
    await page.getByTestId("logout").click();
    await page.waitForURL(/\/admin\/login/);
    await page.getByTestId("username").fill("observer");
    await page.getByTestId("password").fill(PASSWORD);
    await page.getByTestId("login").click();
    await page.getByText("用户名或密码错误").waitFor();
    await page.getByTestId("password").fill("Observer2025new");
    await page.getByTestId("login").click();
    await page.getByTestId("who").waitFor();
  });

  it("loaded no blocked resource and threw no page error", () => {
    expect(problems).toEqual([]);
  });
});

/** The PDF preview's canvas shows the file's blue bar (pdf.js really drew the page). */
async function expectPdfDrawn(scope: Locator) {
  const canvas = scope.getByTestId("pdf-preview").first();
  await canvas.waitFor();
  await expect
    .poll(
      () =>
        canvas.evaluate((c: HTMLCanvasElement) => {
          const ctx = c.getContext("2d");
          if (!ctx || c.width === 0) return 0;
          const { data } = ctx.getImageData(0, 0, c.width, c.height);
          let blue = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i]! < 40 && data[i + 1]! < 40 && data[i + 2]! > 200) blue++;
          return blue;
        }),
      { timeout: 30_000, interval: 250 },
    )
    .toBeGreaterThan(500);
}
