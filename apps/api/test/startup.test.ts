/**
 * Safe defaults at start-up (issue 10, item 3): the demo accounts exist only when asked for
 * (SEED=demo, as `npm start` asks), never with NODE_ENV=production, which refuses a database holding
 * a demo account; ADMIN_USERNAME / ADMIN_PASSWORD (and SECURITY_ADMIN_…, AUDIT_ADMIN_…) always
 * create the operator's own administrator, under the password policy, with a one-time enrolment
 * code printed once for binding its authenticator. Checked on the functions the server runs and on
 * the real server (node dist/server.js) started as an operator would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openTestDatabase } from "@minsheng/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../src/auth/password.js";
import { createUser } from "../src/users/service.js";
import {
  bootstrapAccountsFromEnv,
  bootstrapAdmins,
  DEMO_PASSWORD,
  demoAccounts,
  refuseDemoAccounts,
  seedDemo,
  seedFromEnv,
  StartupError,
} from "../src/seed.js";
import { fixturePath } from "./harness.js";
import { killServerProcesses, startServerProcess } from "./server-process.js";

const OPS = { ADMIN_USERNAME: "ops-admin", ADMIN_PASSWORD: "Hunan-ops-2025", SECURITY_ADMIN_USERNAME: "ops-security", SECURITY_ADMIN_PASSWORD: "Hunan-sec-2025" };

describe("start-up settings, checked before anything is written", () => {
  it("SEED: the demo only when asked for, never with NODE_ENV=production; another value is named", () => {
    expect(seedFromEnv({})).toBe("none");
    expect(seedFromEnv({ SEED: "" })).toBe("none");
    expect(seedFromEnv({ SEED: "none", NODE_ENV: "production" })).toBe("none");
    expect(seedFromEnv({ SEED: "demo" })).toBe("demo");
    expect(() => seedFromEnv({ SEED: "demo", NODE_ENV: "production" })).toThrow(/^SEED=demo is refused with NODE_ENV=production/);
    expect(() => seedFromEnv({ SEED: "yes" })).toThrow(/^SEED must be demo or none \(got "yes"\)$/);
  });

  it("the administrators' settings: both halves, the password policy, never the demo password, three different accounts", () => {
    expect(bootstrapAccountsFromEnv({})).toEqual([]);
    expect(bootstrapAccountsFromEnv(OPS).map((a) => [a.username, a.role])).toEqual([
      ["ops-admin", "admin"],
      ["ops-security", "security_admin"],
    ]);
    const refusal = (env: Record<string, string>) => {
      try {
        bootstrapAccountsFromEnv(env);
      } catch (e) {
        expect(e).toBeInstanceOf(StartupError);
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(refusal({ ADMIN_USERNAME: "ops-admin" })).toBe("ADMIN_USERNAME and ADMIN_PASSWORD go together: set both or neither");
    expect(refusal({ AUDIT_ADMIN_PASSWORD: "Hunan-aud-2025" })).toBe("AUDIT_ADMIN_USERNAME and AUDIT_ADMIN_PASSWORD go together: set both or neither");
    expect(refusal({ ADMIN_USERNAME: "ops-admin", ADMIN_PASSWORD: "short1" })).toBe("ADMIN_PASSWORD must be at least 10 characters");
    expect(refusal({ SECURITY_ADMIN_USERNAME: "ops-security", SECURITY_ADMIN_PASSWORD: "onlyletterspassword" })).toBe("SECURITY_ADMIN_PASSWORD must contain letters and digits");
    expect(refusal({ ADMIN_USERNAME: "运维", ADMIN_PASSWORD: "Hunan-ops-2025" })).toBe("ADMIN_USERNAME must be 3-64 letters, digits, '_', '.', '-'");
    expect(refusal({ ADMIN_USERNAME: "ops-admin", ADMIN_PASSWORD: DEMO_PASSWORD })).toBe("ADMIN_PASSWORD must not be the demo password published in the README");
    expect(refusal({ ...OPS, AUDIT_ADMIN_USERNAME: "ops-admin", AUDIT_ADMIN_PASSWORD: "Hunan-aud-2025" })).toMatch(/^ADMIN_USERNAME and AUDIT_ADMIN_USERNAME name the same account ops-admin/);
  });
});

describe("accounts at start (one database)", () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  const now = new Date("2025-03-03T01:00:00Z");
  beforeAll(async () => {
    db = await openTestDatabase();
  }, 120_000);
  afterAll(() => db?.dispose());

  it("ADMIN_USERNAME creates the operator's administrator even when someone already holds the role; an enrolment code is printed once", async () => {
    await db.transaction((tx) => createUser(tx, { username: "earlier-admin", displayName: "先前的管理员", password: "Earlier-admin-1", role: "admin", region: null, unit: null }, "system"));
    const accounts = bootstrapAccountsFromEnv(OPS);
    const first = await bootstrapAdmins(db, accounts, now);
    expect(first.map((b) => [b.account.username, b.created])).toEqual([
      ["ops-admin", true],
      ["ops-security", true],
    ]);
    for (const b of first) expect(b.enrolmentCode?.code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const { rows } = await db.query<{ username: string; role: string; password_hash: string }>("SELECT username, role, password_hash FROM users WHERE username LIKE 'ops-%' ORDER BY id");
    expect(rows.map((r) => [r.username, r.role])).toEqual([
      ["ops-admin", "admin"],
      ["ops-security", "security_admin"],
    ]);
    expect(await verifyPassword(OPS.ADMIN_PASSWORD, rows[0]!.password_hash)).toBe(true);
    // only the hash of the code is kept
    const stored = await db.query<{ code_hash: string }>("SELECT code_hash FROM enrolment_codes");
    for (const r of stored.rows) for (const b of first) expect(r.code_hash).not.toContain(b.enrolmentCode!.code.replace("-", ""));

    // the next start: nothing new, and no new code while the printed one is live
    const again = await bootstrapAdmins(db, accounts, new Date(now.getTime() + 86_400_000));
    expect(again.map((b) => [b.created, b.enrolmentCode])).toEqual([
      [false, null],
      [false, null],
    ]);
    // a start after it expired (7 days), the administrator still without an authenticator: a new one
    const later = await bootstrapAdmins(db, accounts, new Date(now.getTime() + 8 * 86_400_000));
    expect(later.every((b) => b.enrolmentCode !== null)).toBe(true);
  });

  it("an existing account of another role under that name stops the start, and nothing is written", async () => {
    const before = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users");
    // the first of the three is fine, the third names the account of another role: neither is written
    const env = { ADMIN_USERNAME: "second-admin", ADMIN_PASSWORD: "Hunan-two-2025", AUDIT_ADMIN_USERNAME: "earlier-admin", AUDIT_ADMIN_PASSWORD: "Hunan-aud-2025" };
    await expect(bootstrapAdmins(db, bootstrapAccountsFromEnv(env), now)).rejects.toThrow(
      /^AUDIT_ADMIN_USERNAME names the existing account earlier-admin, whose role is admin \(系统管理员\), not audit_admin \(审计管理员\)/,
    );
    expect((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users")).rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it("production refuses a database holding demo accounts with the demo password, naming them; not once they have passwords of their own", async () => {
    await seedDemo(db, fixturePath);
    await expect(refuseDemoAccounts(db, {})).resolves.toBeUndefined();
    await expect(refuseDemoAccounts(db, { NODE_ENV: "production" })).rejects.toThrow(
      `NODE_ENV=production refuses this database: it holds demo accounts with the demo password published in the README (${demoAccounts.map((a) => a.username).join(", ")})`,
    );
    // disabled is not enough (it can be enabled again); a password of its own is
    await db.query("UPDATE users SET disabled = true");
    await expect(refuseDemoAccounts(db, { NODE_ENV: "production" })).rejects.toThrow(/\(admin, security, /);
    for (const a of demoAccounts.slice(1)) await db.query("UPDATE users SET password_hash = $2 WHERE username = $1", [a.username, await hashPassword(`${a.username}-own-2025`)]);
    await expect(refuseDemoAccounts(db, { NODE_ENV: "production" })).rejects.toThrow(/ README \(admin\)\. /);
    await db.query("UPDATE users SET password_hash = $1 WHERE username = 'admin'", [await hashPassword("admin-own-2025")]);
    await expect(refuseDemoAccounts(db, { NODE_ENV: "production" })).resolves.toBeUndefined();
  }, 60_000);
});

// The real server on the embedded database (on PostgreSQL the functions above are what runs).
describe.skipIf(!!process.env.DATABASE_URL)("the real server, started as an operator would", () => {
  const temp = mkdtempSync(join(tmpdir(), "ms-startup-"));
  afterAll(() => {
    killServerProcesses();
    rmSync(temp, { recursive: true, force: true });
  });
  const production = { NODE_ENV: "production", PUBLIC_BASE_URL: "https://msss.example.gov.cn", SEED: "", BACKUP_INTERVAL_HOURS: "0", REQUIRE_2FA: "", ADMIN_USERNAME: "", ADMIN_PASSWORD: "", SECURITY_ADMIN_USERNAME: "", SECURITY_ADMIN_PASSWORD: "", AUDIT_ADMIN_USERNAME: "", AUDIT_ADMIN_PASSWORD: "" };
  const post = (url: string, path: string, body: unknown) =>
    fetch(`${url}/api/v1${path}`, { method: "POST", headers: { "content-type": "application/json", origin: url }, body: JSON.stringify(body) });

  it("NODE_ENV=production on an empty data folder: no demo account, the operator's administrator, who binds an authenticator with the printed code", async () => {
    const dataDir = join(temp, "production");
    const s = await startServerProcess(dataDir, { ...production, ADMIN_USERNAME: "ops-admin", ADMIN_PASSWORD: OPS.ADMIN_PASSWORD });
    try {
      for (const a of demoAccounts) expect((await post(s.url, "/auth/login", { username: a.username, password: DEMO_PASSWORD })).status, a.username).toBe(401);
      expect(s.log()).not.toMatch(/demo data loaded/);
      const code = /admin ops-admin: enrolment code \(绑定码\) ([0-9A-Z]{5}-[0-9A-Z]{5}),/.exec(s.log())?.[1];
      expect(code, s.log()).toBeDefined();
      // production asks administrators for a second factor: the password alone does not bind one
      const step = (await (await post(s.url, "/auth/login", { username: "ops-admin", password: OPS.ADMIN_PASSWORD })).json()) as { challenge: string };
      expect(step).toMatchObject({ ok: false, next: "enrol" });
      const bare = await post(s.url, "/auth/totp/enrol", { challenge: step.challenge });
      expect(bare.status).toBe(400);
      expect(((await bare.json()) as { error: { problems: { path: string }[] } }).error.problems[0]!.path).toBe("$.enrolmentCode");
      expect((await post(s.url, "/auth/totp/enrol", { challenge: step.challenge, enrolmentCode: code })).status).toBe(200);
    } finally {
      s.proc.kill("SIGTERM");
      expect(await s.exited).toBe(0);
    }
    // SEED=demo is refused in production: a clear message and a non-zero exit
    const refused = await startServerProcess(dataDir, { ...production, SEED: "demo" }).then(
      () => null,
      (e: { log: string; code: number }) => e,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.log).toMatch(/SEED=demo is refused with NODE_ENV=production/);
  }, 300_000);

  it("a data folder holding the demo (npm start) refuses to start with NODE_ENV=production", async () => {
    const dataDir = join(temp, "demo");
    const demo = await startServerProcess(dataDir, { BACKUP_INTERVAL_HOURS: "0" });
    demo.proc.kill("SIGTERM");
    expect(await demo.exited).toBe(0);
    expect(demo.log()).toMatch(/demo data loaded/);
    const refused = await startServerProcess(dataDir, production).then(
      () => null,
      (e: { log: string; code: number }) => e,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.log).toMatch(/NODE_ENV=production refuses this database: it holds demo accounts with the demo password published in the README \(admin, security, /);
  }, 300_000);
});
