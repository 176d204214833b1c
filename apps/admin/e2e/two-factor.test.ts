import { createHmac } from "node:crypto";
import { join } from "node:path";
import { artifactDir, hasChromium, launchBrowser } from "@minsheng/e2e";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./server.mjs";

/**
 * Two-factor sign-in in the console, in headless Chromium against the real server started with
 * REQUIRE_2FA=staff: a city staff member enrols (QR code and secret, first code, ten recovery
 * codes), then signs in with a recovery code and with the authenticator's code. An administrator
 * binds an authenticator only with its one-time enrolment code (绑定码: the demo prints its
 * administrators' at start) and then issues one for another administrator in 用户管理. Under the
 * served Content-Security-Policy, with no CSP violation or page error on the way.
 */

const PASSWORD = "minsheng2024";

/** The authenticator app's side, written here independently of the server's code: RFC 4648 base32, RFC 6238 TOTP. */
function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of text.toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
}
function totp(secret: Buffer, at: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const o = mac[mac.length - 1]! & 15;
  return String(mac.readUInt32BE(o) & 0x7fffffff).slice(-6).padStart(6, "0");
}

describe.skipIf(!hasChromium())("two-factor sign-in in the console", () => {
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let secret: Buffer;
  let recovery: string[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { REQUIRE_2FA: "staff" } });
    context = await launchBrowser({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === "fail") await page.screenshot({ path: join(artifactDir("admin", "failures"), `2fa-${ctx.task.name.slice(0, 40).replace(/\W+/g, "-")}.png`), fullPage: true }).catch(() => {});
  });

  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  async function password(username: string) {
    if (await page.getByTestId("logout").isVisible().catch(() => false)) {
      await page.getByTestId("logout").click();
      await page.waitForURL(/\/admin\/login/);
    }
    const res = await page.goto(`${server.url}/admin/login`);
    expect(res!.headers()["content-security-policy"]).toMatch(/script-src 'self'/);
    expect(res!.headers()["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
    await page.getByTestId("username").fill(username);
    await page.getByTestId("password").fill(PASSWORD);
    await page.getByTestId("login").click();
  }

  it("enrols at the first sign-in: QR code, secret, first code, recovery codes shown once", async () => {
    await password("city");
    const qr = page.getByTestId("totp-qr");
    await qr.waitFor();
    // the QR code (an SVG as a data: image) really rendered
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const shown = ((await page.getByTestId("totp-secret").textContent()) ?? "").replace(/\s+/g, "");
    secret = base32Decode(shown);
    expect(secret.length).toBe(20);
    await page.screenshot({ path: join(artifactDir("admin"), "two-factor-enrol.png") });

    await page.getByTestId("totp-code").fill("000000");
    await page.getByTestId("totp-submit").click();
    await page.getByText("验证码错误或已使用").waitFor();

    await page.getByTestId("totp-code").fill(totp(secret, Date.now()));
    await page.getByTestId("totp-submit").click();
    const codes = page.getByTestId("recovery-codes");
    await codes.waitFor();
    recovery = ((await codes.textContent()) ?? "").split("\n").filter(Boolean);
    expect(recovery).toHaveLength(10);
    for (const c of recovery) expect(c).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    await page.getByTestId("codes-done").click();
    await page.getByTestId("who").waitFor();
    expect(await page.getByTestId("who").textContent()).toContain("邵阳市专班");
  });

  it("then asks for a code after the password; a recovery code works once", async () => {
    await password("city");
    await page.getByTestId("totp-code").waitFor();
    await page.getByText("手机不在身边？使用恢复码").click();
    await page.getByTestId("totp-code").fill(recovery[0]!);
    await page.getByTestId("totp-submit").click();
    await page.getByTestId("who").waitFor();

    await password("city");
    await page.getByText("手机不在身边？使用恢复码").click();
    await page.getByTestId("totp-code").fill(recovery[0]!);
    await page.getByTestId("totp-submit").click();
    await page.getByText("验证码错误或已使用").waitFor();
  });

  it("and signs in with the authenticator's next code", async () => {
    await password("city");
    await page.getByTestId("totp-code").waitFor();
    // the code of enrolment is used up: the next 30-second step's code (within the ±1 step window)
    await page.getByTestId("totp-code").fill(totp(secret, Date.now() + 30_000));
    await page.getByTestId("totp-submit").click();
    await page.getByTestId("who").waitFor();
    expect(problems).toEqual([]);
  });

  it("an administrator binds an authenticator only with its enrolment code, then issues one for another administrator", async () => {
    const printed = /demo administrators' enrolment codes[^:]*: (.*)/.exec(server.log())?.[1] ?? "";
    const code = /\bsecurity ([0-9A-Z]{5}-[0-9A-Z]{5})\b/.exec(printed)?.[1];
    expect(code, server.log()).toBeDefined();
    await password("security");
    await page.getByTestId("enrolment-code").fill("ABCDE-12345");
    await page.getByTestId("enrolment-code-submit").click();
    await page.getByText("绑定码错误、已使用或已过期").waitFor();
    await page.getByTestId("enrolment-code").fill(code!);
    await page.getByTestId("enrolment-code-submit").click();
    await page.getByTestId("totp-qr").waitFor();
    const own = base32Decode(((await page.getByTestId("totp-secret").textContent()) ?? "").replace(/\s+/g, ""));
    await page.getByTestId("totp-code").fill(totp(own, Date.now()));
    await page.getByTestId("totp-submit").click();
    await page.getByTestId("recovery-codes").waitFor();
    await page.getByTestId("codes-done").click();
    await page.getByTestId("who").waitFor();

    await page.goto(`${server.url}/admin/users`);
    await page.getByTestId("enrolment-code-auditor").click();
    await page.getByRole("button", { name: /^生\s*成$/ }).click();
    const issued = page.getByTestId("issued-enrolment-code");
    await issued.waitFor();
    expect((await issued.textContent()) ?? "").toMatch(/[0-9A-Z]{5}-[0-9A-Z]{5}/);
    await page.screenshot({ path: join(artifactDir("admin"), "enrolment-code.png") });
    expect(problems).toEqual([]);
  });
});
