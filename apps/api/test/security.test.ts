/**
 * Security controls of issue 7 item 5: headers on every kind of response, sessions (fixation,
 * idle and absolute timeouts, __Host- cookies), lockout, two-factor sign-in (TOTP) both ways,
 * separation of the three administrators (三员分立), the audit of sign-ins, refusals and
 * permission changes, and citizens' phone numbers (sealed, masked, revealed only to the answering
 * unit with an audit entry, purged on schedule).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueEnrolmentCode } from "../src/auth/mfa.js";
import { base32Decode, totp } from "../src/auth/totp.js";
import { runRetention, securityConfigFromEnv } from "../src/lib/retention.js";
import { mountStaticApps } from "../src/lib/static-apps.js";
import { DEMO_PASSWORD } from "../src/seed.js";
import { type Harness, makeHarness, ORIGIN } from "./harness.js";

const API = "/api/v1";
let h: Harness; // REQUIRE_2FA off (the demo), development
let mfa: Harness; // REQUIRE_2FA=staff, production (Secure __Host- cookies, HSTS)

beforeAll(async () => {
  h = await makeHarness();
  mfa = await makeHarness({ require2fa: "staff", production: true });
}, 120_000);
afterAll(async () => {
  await h?.dispose();
  await mfa?.dispose();
});

const cookieOf = (res: Response) => res.headers.get("set-cookie")!.split(";")[0]!;
const login = (x: Harness, username: string, password = DEMO_PASSWORD) => x.call(null, "POST", `${API}/auth/login`, { username, password });
const auditLog = async (x: Harness, query: string) => {
  const res = await x.call(await x.login("auditor"), "GET", `${API}/audit/log?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()).entries as { actor: string; action: string; entityId: string; before: unknown; after: Record<string, unknown> | null }[];
};

describe("security headers", () => {
  it("API answers: nothing may load or run in them, no framing, nosniff, a referrer policy, no HSTS in development", async () => {
    for (const res of [await h.call(null, "GET", `${API}/health`), await h.call(null, "GET", `${API}/nope`), await h.call(null, "GET", `${API}/users`)]) {
      const csp = res.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(res.headers.get("strict-transport-security")).toBeNull();
    }
  });

  it("the docs page gets its own policy: its script and style from this origin, no inline code", async () => {
    const res = await h.call(null, "GET", `${API}/docs`);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("static app files and the SPA fallback get the app policy (scripts 'self' only)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ms-static-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><script type=module src=/admin/assets/app.js></script>");
    writeFileSync(join(dir, "assets", "app.js"), "console.log(1)");
    const x = await makeHarness();
    try {
      mountStaticApps(x.app, [{ prefix: "/admin", dir }]);
      for (const path of ["/admin/", "/admin/assets/app.js", "/admin/reports/7"]) {
        const res = await x.app.request(`${ORIGIN}${path}`);
        expect(res.status, path).toBe(200);
        const csp = res.headers.get("content-security-policy")!;
        expect(csp, path).toContain("script-src 'self'");
        expect(csp, path).not.toMatch(/script-src[^;]*unsafe/);
        expect(csp, path).toContain("frame-ancestors 'none'");
        expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      }
    } finally {
      await x.dispose();
    }
  });

  it("a PDF opened in a tab gets what Chrome's viewer needs (object-src, inline styles) and still no script", async () => {
    const res = await h.call(await h.login("county"), "GET", `${API}/projects/hn2024-p04/sign.pdf?region=430523`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/pdf/);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("object-src 'self'");
    expect(csp).not.toContain("script-src");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("HSTS in production", async () => {
    const res = await mfa.call(null, "GET", `${API}/health`);
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=31536000/);
  });
});

describe("sessions", () => {
  it("a cookie planted before sign-in never becomes a signed-in session (new id, the old one dropped)", async () => {
    const first = cookieOf(await login(h, "county"));
    const res = await h.call(first, "POST", `${API}/auth/login`, { username: "county", password: DEMO_PASSWORD });
    const second = cookieOf(res);
    expect(second).not.toBe(first);
    expect((await h.call(first, "GET", `${API}/auth/me`)).status).toBe(401);
    expect((await h.call(second, "GET", `${API}/auth/me`)).status).toBe(200);
  });

  it("ends a busy session after 12 hours (absolute timeout) though it was never idle", async () => {
    const start = h.clock.now;
    const cookie = await h.login("observer");
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      h.clock.now = new Date(start.getTime() + minutes * 60_000);
      expect((await h.call(cookie, "GET", `${API}/auth/me`)).status, `after ${minutes} min`).toBe(200);
    }
    h.clock.now = new Date(start.getTime() + 12 * 3_600_000);
    expect((await h.call(cookie, "GET", `${API}/auth/me`)).status).toBe(401);
    h.clock.now = start;
  });

  it("production cookies: __Host- prefix, Secure, HttpOnly, SameSite, Path=/ and no Domain", async () => {
    // reporter: not a staff role, so no second factor under REQUIRE_2FA=staff
    const res = await login(mfa, "reporter");
    expect(await res.json()).toEqual({ ok: true });
    const set = res.headers.get("set-cookie")!;
    expect(set).toMatch(/^__Host-ms_session=/);
    expect(set).toMatch(/;\s*Secure/i);
    expect(set).toMatch(/;\s*HttpOnly/i);
    expect(set).toMatch(/;\s*SameSite=Lax/i);
    expect(set).toMatch(/;\s*Path=\/(;|$)/);
    expect(set).not.toMatch(/Domain=/i);
    expect((await mfa.call(cookieOf(res), "GET", `${API}/auth/me`)).status).toBe(200);
    // the development name is not accepted in production
    expect((await mfa.call(cookieOf(res).replace("__Host-", ""), "GET", `${API}/auth/me`)).status).toBe(401);
  });
});

describe("two-factor sign-in (REQUIRE_2FA=staff)", () => {
  let secret: Buffer;
  let recovery: string[];
  const code = (x: Harness, offsetSteps = 0) => totp(secret, x.clock.now.getTime() + offsetSteps * 30_000);
  const advance = (x: Harness, seconds: number) => (x.clock.now = new Date(x.clock.now.getTime() + seconds * 1000));

  it("staff must enrol: the password step gives an enrolment challenge, not a session", async () => {
    const res = await login(mfa, "city");
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toBeNull();
    const step = await res.json();
    expect(step).toMatchObject({ ok: false, next: "enrol" });
    // the challenge is not a session
    expect((await mfa.call(`__Host-ms_session=${step.challenge}`, "GET", `${API}/auth/me`)).status).toBe(401);
    // a code cannot be sent before enrolment
    expect((await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: step.challenge, code: "123456" })).status).toBe(403);

    const enrol = await mfa.call(null, "POST", `${API}/auth/totp/enrol`, { challenge: step.challenge });
    expect(enrol.status).toBe(200);
    expect(enrol.headers.get("cache-control")).toBe("no-store");
    const e = await enrol.json();
    expect(e.otpauthUri).toMatch(/^otpauth:\/\/totp\/.+:city\?/);
    expect(new URL(e.otpauthUri).searchParams.get("secret")).toBe(e.secret);
    expect(e.qrSvg).toMatch(/^<svg/);
    secret = base32Decode(e.secret);
    expect(secret.length).toBe(20);

    // the secret at rest is sealed, never the secret itself
    const { rows } = await mfa.deps.db.query<{ totp_pending: string }>("SELECT totp_pending FROM users WHERE username = 'city'");
    expect(rows[0]!.totp_pending).toMatch(/^v1\./);
    expect(rows[0]!.totp_pending).not.toContain(e.secret);
    expect(rows[0]!.totp_pending).not.toContain(secret.toString("base64url"));

    const wrong = await mfa.call(null, "POST", `${API}/auth/totp/confirm`, { challenge: step.challenge, code: code(mfa, 5) });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.problems[0].path).toBe("$.code");

    const ok = await mfa.call(null, "POST", `${API}/auth/totp/confirm`, { challenge: step.challenge, code: code(mfa) });
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body.signedIn).toBe(true);
    expect(body.recoveryCodes).toHaveLength(10);
    recovery = body.recoveryCodes;
    const me = await (await mfa.call(cookieOf(ok), "GET", `${API}/auth/me`)).json();
    expect(me.twoFactor).toEqual({ enabled: true, required: true });
    // recovery codes are stored as hashes only
    const codes = await mfa.deps.db.query<{ code_hash: string }>("SELECT code_hash FROM recovery_codes");
    for (const r of codes.rows) for (const c of recovery) expect(r.code_hash).not.toContain(c.replace("-", ""));
  });

  it("then signs in with password and code; a used code is refused; ±1 step of drift is accepted, 2 are not", async () => {
    advance(mfa, 60);
    const step = await (await login(mfa, "city")).json();
    expect(step.next).toBe("totp");
    expect((await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: step.challenge, code: code(mfa, 2) })).status).toBe(401);
    const res = await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: step.challenge, code: code(mfa, -1) });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/^__Host-ms_session=/);
    expect((await mfa.call(cookieOf(res), "GET", `${API}/auth/me`)).status).toBe(200);
    // the challenge is used up, and the same code again (replay) fails on a new challenge
    expect((await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: step.challenge, code: code(mfa, -1) })).status).toBe(401);
    const again = await (await login(mfa, "city")).json();
    expect((await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: again.challenge, code: code(mfa, -1) })).status).toBe(401);
    expect((await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: again.challenge, code: code(mfa) })).status).toBe(200);
  });

  it("a recovery code works once", async () => {
    const step = await (await login(mfa, "city")).json();
    expect((await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: step.challenge, recoveryCode: recovery[0] })).status).toBe(200);
    const step2 = await (await login(mfa, "city")).json();
    expect((await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: step2.challenge, recoveryCode: recovery[0] })).status).toBe(401);
    expect((await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: step2.challenge, recoveryCode: recovery[1]!.toLowerCase() })).status).toBe(200);
  });

  it("refuses a body with both or neither of code and recoveryCode, naming the field", async () => {
    const step = await (await login(mfa, "city")).json();
    const res = await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: step.challenge });
    expect(res.status).toBe(400);
    expect((await res.json()).error.problems[0]).toEqual({ path: "$.code", message: "send either code or recoveryCode", code: "custom", params: {} });
  });

  it("wrong codes count towards the lockout: five lock the account (423)", async () => {
    advance(mfa, 120);
    const step = await (await login(mfa, "city")).json();
    for (let i = 0; i < 5; i++) expect((await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: step.challenge, code: "000000" })).status).toBe(401);
    // locked: even the right password (and the challenge, gone) is refused until the lock expires
    expect((await login(mfa, "city")).status).toBe(423);
    expect((await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: step.challenge, code: code(mfa) })).status).toBe(401);
    advance(mfa, 16 * 60);
    expect((await (await login(mfa, "city")).json()).next).toBe("totp");
  });

  it("a challenge expires after 5 minutes", async () => {
    const step = await (await login(mfa, "city")).json();
    advance(mfa, 5 * 60 + 1);
    expect((await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: step.challenge, code: code(mfa) })).status).toBe(401);
  });

  let security: string; // the security administrator's session (two factors)

  it("a security administrator resets it (lost phone): sessions end, the user enrols again; not their own", async () => {
    // the security administrator signs in with two factors too, binding its authenticator with the
    // enrolment code the server printed when it created the account (bootstrap)
    const { rows: sa } = await mfa.deps.db.query<{ id: string }>("SELECT id FROM users WHERE username = 'security'");
    const printed = await issueEnrolmentCode(mfa.deps.db, sa[0]!.id, "system", mfa.clock.now);
    const sec = await (await login(mfa, "security")).json();
    expect(sec.next).toBe("enrol");
    const e = await (await mfa.call(null, "POST", `${API}/auth/totp/enrol`, { challenge: sec.challenge, enrolmentCode: printed.code })).json();
    const confirmed = await mfa.call(null, "POST", `${API}/auth/totp/confirm`, { challenge: sec.challenge, code: totp(base32Decode(e.secret), mfa.clock.now), enrolmentCode: printed.code });
    expect(confirmed.status).toBe(200);
    security = cookieOf(confirmed);

    advance(mfa, 60);
    const step = await (await login(mfa, "city")).json();
    const city = cookieOf(await mfa.call(null, "POST", `${API}/auth/login/totp`, { challenge: step.challenge, code: code(mfa) }));
    const users = (await (await mfa.call(security, "GET", `${API}/users`)).json()).users as { id: number; username: string; twoFactor: boolean }[];
    const cityUser = users.find((u) => u.username === "city")!;
    expect(cityUser.twoFactor).toBe(true);
    expect((await mfa.call(security, "POST", `${API}/users/${cityUser.id}/totp/reset`)).status).toBe(200);
    expect((await mfa.call(city, "GET", `${API}/auth/me`)).status).toBe(401);
    expect((await (await login(mfa, "city")).json()).next).toBe("enrol");
    const self = users.find((u) => u.username === "security")!;
    expect((await mfa.call(security, "POST", `${API}/users/${self.id}/totp/reset`)).status).toBe(403);
    const { rows } = await mfa.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM recovery_codes rc JOIN users u ON u.id = rc.user_id WHERE u.username = 'city'");
    expect(rows[0]!.n).toBe(0);
  });

  it("an administrator binds an authenticator only with an enrolment code (绑定码) from the security administrator, not with the password alone", async () => {
    advance(mfa, 60);
    const userId = async (username: string) => Number((await mfa.deps.db.query<{ id: string }>("SELECT id FROM users WHERE username = $1", [username])).rows[0]!.id);
    const [auditorId, securityId, cityId] = [await userId("auditor"), await userId("security"), await userId("city")];
    const step = await (await login(mfa, "auditor")).json();
    expect(step.next).toBe("enrol");
    // no code: 400 naming the field, and no secret handed out
    const bare = await mfa.call(null, "POST", `${API}/auth/totp/enrol`, { challenge: step.challenge });
    expect(bare.status).toBe(400);
    expect((await bare.json()).error.problems[0].path).toBe("$.enrolmentCode");
    const pending = async () => (await mfa.deps.db.query<{ totp_pending: string | null }>("SELECT totp_pending FROM users WHERE id = $1", [auditorId])).rows[0]!.totp_pending;
    expect(await pending()).toBeNull();
    // a wrong one: 403, counted on the challenge, audited
    const wrong = await mfa.call(null, "POST", `${API}/auth/totp/enrol`, { challenge: step.challenge, enrolmentCode: "ABCDE-12345" });
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.problems[0].path).toBe("$.enrolmentCode");
    expect(await pending()).toBeNull();
    expect((await mfa.deps.db.query<{ attempts: number }>("SELECT attempts FROM login_challenges WHERE user_id = $1", [auditorId])).rows[0]!.attempts).toBe(1);
    expect((await mfa.deps.db.query("SELECT 1 FROM audit_log WHERE action = 'auth.enrolment_code_failed' AND entity_id = 'auditor'")).rows.length).toBe(1);

    // the security administrator issues one: shown once, never cached, audited; not its own, not for staff
    const issued = await mfa.call(security, "POST", `${API}/users/${auditorId}/totp/enrolment-code`);
    expect(issued.status).toBe(201);
    expect(issued.headers.get("cache-control")).toBe("no-store");
    const { code: enrolmentCode } = await issued.json();
    expect(enrolmentCode).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect((await mfa.deps.db.query("SELECT 1 FROM audit_log WHERE action = 'user.enrolment_code' AND entity_id = $1 AND actor = 'user:security'", [String(auditorId)])).rows.length).toBe(1);
    expect((await mfa.call(security, "POST", `${API}/users/${securityId}/totp/enrolment-code`)).status).toBe(403);
    expect((await mfa.call(security, "POST", `${API}/users/${cityId}/totp/enrolment-code`)).status).toBe(409);

    // with it: enrol, then confirm (the code again), which uses it up
    const e = await mfa.call(null, "POST", `${API}/auth/totp/enrol`, { challenge: step.challenge, enrolmentCode: enrolmentCode.toLowerCase() });
    expect(e.status).toBe(200);
    const secret = base32Decode((await e.json()).secret);
    const noCode = await mfa.call(null, "POST", `${API}/auth/totp/confirm`, { challenge: step.challenge, code: totp(secret, mfa.clock.now) });
    expect(noCode.status).toBe(400);
    const ok = await mfa.call(null, "POST", `${API}/auth/totp/confirm`, { challenge: step.challenge, code: totp(secret, mfa.clock.now), enrolmentCode });
    expect(ok.status).toBe(200);
    expect((await ok.json()).signedIn).toBe(true);
    expect((await mfa.deps.db.query("SELECT 1 FROM enrolment_codes WHERE user_id = $1", [auditorId])).rows.length).toBe(0);
    // enrolled: no new code until a reset; after the reset the used code does not work again
    expect((await mfa.call(security, "POST", `${API}/users/${auditorId}/totp/enrolment-code`)).status).toBe(409);
    expect((await mfa.call(security, "POST", `${API}/users/${auditorId}/totp/reset`)).status).toBe(200);
    const again = await (await login(mfa, "auditor")).json();
    expect(again.next).toBe("enrol");
    expect((await mfa.call(null, "POST", `${API}/auth/totp/enrol`, { challenge: again.challenge, enrolmentCode })).status).toBe(403);
  });
});

describe("two-factor sign-in off (the demo's default)", () => {
  it("demo staff sign in with the password alone", async () => {
    for (const u of ["admin", "city", "security", "auditor"]) {
      const res = await login(h, u);
      expect(await res.json(), u).toEqual({ ok: true });
    }
  });

  it("an administrator turning it on from a session needs an enrolment code too", async () => {
    for (const u of ["admin", "security", "auditor"]) {
      const res = await h.call(await h.login(u), "POST", `${API}/auth/totp/enrol`, {});
      expect(res.status, u).toBe(400);
      expect((await res.json()).error.problems[0].path, u).toBe("$.enrolmentCode");
    }
  });

  it("anyone may still turn it on from their session, and then it is asked for", async () => {
    const cookie = await h.login("reviewer");
    const e = await (await h.call(cookie, "POST", `${API}/auth/totp/enrol`, {})).json();
    const secret = base32Decode(e.secret);
    const ok = await h.call(cookie, "POST", `${API}/auth/totp/confirm`, { code: totp(secret, h.clock.now) });
    expect(await ok.json()).toMatchObject({ ok: true, signedIn: false });
    expect((await h.call(cookie, "POST", `${API}/auth/totp/enrol`, {})).status).toBe(409);
    const step = await (await login(h, "reviewer")).json();
    expect(step.next).toBe("totp");
    h.clock.now = new Date(h.clock.now.getTime() + 30_000);
    expect((await h.call(null, "POST", `${API}/auth/login/totp`, { challenge: step.challenge, code: totp(secret, h.clock.now) })).status).toBe(200);
  });

  it("REQUIRE_2FA is read from the environment: staff by default in production, off otherwise, bad values refused", () => {
    expect(securityConfigFromEnv({ NODE_ENV: "production" }).require2fa).toBe("staff");
    expect(securityConfigFromEnv({}).require2fa).toBe("off");
    expect(securityConfigFromEnv({ REQUIRE_2FA: "all" }).require2fa).toBe("all");
    expect(() => securityConfigFromEnv({ REQUIRE_2FA: "maybe" })).toThrow(/REQUIRE_2FA/);
    expect(() => securityConfigFromEnv({ AUDIT_RETENTION_MONTHS: "3" })).toThrow(/AUDIT_RETENTION_MONTHS must be a whole number ≥ 6/);
    expect(securityConfigFromEnv({ AUDIT_RETENTION_MONTHS: "24", PHONE_RETENTION_DAYS: "30" })).toMatchObject({ auditRetentionMonths: 24, phoneRetentionDays: 30 });
  });
});

describe("三员分立: system, security and audit administrators", () => {
  it("none can do another's job", async () => {
    const [admin, security, auditor] = [await h.login("admin"), await h.login("security"), await h.login("auditor")];
    const status = async (cookie: string, path: string) => (await h.call(cookie, "GET", `${API}${path}`)).status;
    expect([await status(admin, "/plans"), await status(admin, "/users"), await status(admin, "/tokens"), await status(admin, "/audit/log"), await status(admin, "/audit/verify")]).toEqual([200, 403, 403, 403, 403]);
    expect([await status(security, "/plans"), await status(security, "/users"), await status(security, "/tokens"), await status(security, "/audit/log")]).toEqual([403, 200, 200, 403]);
    expect([await status(auditor, "/plans"), await status(auditor, "/users"), await status(auditor, "/tokens"), await status(auditor, "/audit/log"), await status(auditor, "/audit/verify")]).toEqual([403, 403, 403, 200, 200]);
  });

  it("the security administrator cannot change its own role or status, nor issue a token acting as an administrator", async () => {
    const security = await h.login("security");
    const users = (await (await h.call(security, "GET", `${API}/users`)).json()).users as { id: number; username: string }[];
    const self = users.find((u) => u.username === "security")!;
    const res = await h.call(security, "PATCH", `${API}/users/${self.id}`, { role: "audit_admin" });
    expect(res.status).toBe(403);
    const admin = users.find((u) => u.username === "admin")!;
    const token = await h.call(security, "POST", `${API}/tokens`, { name: "冒用", userId: admin.id });
    expect(token.status).toBe(400);
    expect((await token.json()).error.problems[0].path).toBe("$.userId");
  });
});

describe("API tokens act with their user as the user is now", () => {
  let security: string;
  let userId: number;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const asToken = (token: string, path: string) => h.app.request(`${ORIGIN}${API}${path}`, { headers: bearer(token) });
  const newToken = async (name: string) => {
    const res = await h.call(security, "POST", `${API}/tokens`, { name, userId });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: number; token: string };
  };
  beforeAll(async () => {
    security = await h.login("security");
    const created = await h.call(security, "POST", `${API}/users`, { username: "integration", displayName: "数据对接", password: "integration-2024", role: "reporter", region: "430523" });
    expect(created.status).toBe(201);
    userId = (await created.json()).id;
  });

  it("its role, region, unit and status are read at each use", async () => {
    const { token } = await newToken("对接一");
    expect((await (await asToken(token, "/auth/me")).json()) as object).toMatchObject({ role: "reporter", region: "430523", unit: null, via: "token" });
    expect((await h.call(security, "PATCH", `${API}/users/${userId}`, { role: "observer", region: "430500", unit: "edu" })).status).toBe(200);
    expect((await (await asToken(token, "/auth/me")).json()) as object).toMatchObject({ role: "observer", region: "430500", unit: "edu" });
    expect((await h.call(security, "PATCH", `${API}/users/${userId}`, { disabled: true })).status).toBe(200);
    expect((await asToken(token, "/auth/me")).status).toBe(401);
    expect((await h.call(security, "PATCH", `${API}/users/${userId}`, { disabled: false })).status).toBe(200);
    expect((await asToken(token, "/auth/me")).status).toBe(200);
  });

  it("made an administrator, the user's tokens are revoked (audited): a token never reads the audit log", async () => {
    const { id, token } = await newToken("对接二");
    expect((await asToken(token, "/plans")).status).toBe(200);
    expect((await h.call(security, "PATCH", `${API}/users/${userId}`, { role: "audit_admin" })).status).toBe(200);
    expect((await asToken(token, "/audit/log")).status).toBe(401);
    expect((await asToken(token, "/auth/me")).status).toBe(401);
    const listed = (await (await h.call(security, "GET", `${API}/tokens`)).json()).tokens as { id: number; revoked_at: string | null }[];
    expect(listed.find((t) => t.id === id)!.revoked_at).not.toBeNull();
    const entries = await auditLog(h, "action=token.revoke");
    expect(entries[0]).toMatchObject({ actor: "user:security", entityId: String(id), after: { reason: "its user is an administrator" } });
    expect((await h.call(security, "PATCH", `${API}/users/${userId}`, { role: "observer", region: "430500" })).status).toBe(200);
  });

  it("whatever made the user an administrator (not through the API): the token is refused at use (403, audited)", async () => {
    const { id, token } = await newToken("对接三");
    expect((await asToken(token, "/plans")).status).toBe(200);
    await h.deps.db.query("UPDATE users SET role = 'audit_admin', region = NULL WHERE id = $1", [userId]);
    try {
      const res = await asToken(token, "/audit/log");
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(`API token ${id} acts as integration, now an administrator (系统/安全/审计管理员): a token never acts as one`);
      expect((await asToken(token, "/audit/verify")).status).toBe(403);
    } finally {
      await h.deps.db.query("UPDATE users SET role = 'observer', region = '430500' WHERE id = $1", [userId]);
    }
    expect((await asToken(token, "/plans")).status).toBe(200);
    const denied = await auditLog(h, "action=authz.denied");
    expect(denied.find((e) => e.entityId === "GET /api/v1/audit/verify")!.after!.reason).toMatch(/^API_TOKEN_ACTS_AS_ADMIN: API token \d+ acts as integration, now an administrator/);
  });
});

describe("audit of sign-ins, refusals and permission changes", () => {
  it("records successful and failed sign-ins", async () => {
    await login(h, "observer", "wrong-password-1");
    await login(h, "observer");
    const entries = await auditLog(h, "action=auth.&actor=user:observer");
    const actions = entries.map((e) => e.action);
    expect(actions).toContain("auth.login_failed");
    expect(actions).toContain("auth.login");
    expect(entries.find((e) => e.action === "auth.login")!.after).toEqual({ factors: ["password"] });
  });

  it("records every refused request (403) with who and why", async () => {
    const county = await h.login("county");
    expect((await h.call(county, "GET", `${API}/plans/hn2024/progress?period=2024-09&region=430524`)).status).toBe(403);
    const entries = await auditLog(h, "action=authz.denied&actor=user:county");
    expect(entries[0]!.entityId).toBe("GET /api/v1/plans/hn2024/progress");
    expect(entries[0]!.after).toMatchObject({ role: "staff_county", region: "430523" });
    expect(String(entries[0]!.after!.reason)).toMatch(/^REGION_OUTSIDE_AREA: region 430524/);
    // a cross-site write refused by the CSRF check too
    expect((await h.call(county, "POST", `${API}/auth/logout`, undefined, { origin: "https://evil.example" })).status).toBe(403);
    expect((await auditLog(h, "action=authz.denied&actor=user:county"))[0]!.after!.reason).toMatch(/^CSRF_REJECTED/);
  });

  it("records permission changes with before and after", async () => {
    const security = await h.login("security");
    const users = (await (await h.call(security, "GET", `${API}/users`)).json()).users as { id: number; username: string }[];
    const observer = users.find((u) => u.username === "observer")!;
    expect((await h.call(security, "PATCH", `${API}/users/${observer.id}`, { role: "reviewer" })).status).toBe(200);
    const entries = await auditLog(h, "action=user.permissions");
    expect(entries[0]).toMatchObject({ actor: "user:security", entityId: String(observer.id), before: { role: "observer" }, after: { role: "reviewer", region: "430500" } });
    expect((await h.call(security, "PATCH", `${API}/users/${observer.id}`, { role: "observer" })).status).toBe(200);
  });

  it("refuses a bad query with the field named", async () => {
    const res = await h.call(await h.login("auditor"), "GET", `${API}/audit/log?from=yesterday&limit=0`);
    expect(res.status).toBe(400);
    expect((await res.json()).error.problems.map((p: { path: string }) => p.path).sort()).toEqual(["$.query.from", "$.query.limit"]);
  });
});

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, ...new TextEncoder().encode("IHDR"), 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);

describe("citizens' phone numbers (PIPL)", () => {
  let id: number;
  let code: string;
  beforeAll(async () => {
    h.deps.rateLimiter = { take: () => ({ allowed: true, retryAfterSeconds: 0 }) };
    expect((await h.call(await h.login("admin"), "GET", `${API}/sites?limit=1`)).status).toBe(200);
    const { rows } = await h.deps.db.query<{ code: string }>("SELECT code FROM project_sites WHERE project = 'hn2024-p04' AND region = '430523'");
    code = rows[0]!.code;
    const form = new FormData();
    form.append("kind", "suggestion");
    form.append("text", "希望延长托育服务时间，方便双职工家庭");
    form.append("phone", "13812345678");
    form.append("photo", new Blob([png], { type: "image/png" }), "现场.png");
    const res = await h.call(null, "POST", `${API}/public/sites/${code}/feedback`, form);
    expect(res.status).toBe(201);
    const { ticket } = await res.json();
    id = Number((await h.deps.db.query<{ id: string }>("SELECT id FROM feedback WHERE ticket = $1", [ticket])).rows[0]!.id);
  });

  it("are sealed at rest, with a keyed hash, and masked in every staff view", async () => {
    const { rows } = await h.deps.db.query<Record<string, string>>("SELECT phone_sealed, phone_hmac, phone_masked FROM feedback WHERE id = $1", [id]);
    expect(rows[0]!.phone_sealed).toMatch(/^v1\./);
    expect(JSON.stringify(rows[0])).not.toContain("13812345678");
    expect(rows[0]!.phone_hmac).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.phone_masked).toBe("138****5678");
    for (const who of ["city", "county", "admin"]) {
      const res = await h.call(await h.login(who), "GET", `${API}/feedback/${id}`);
      expect(res.status, who).toBe(200);
      const text = await res.text();
      expect(text, who).not.toContain("13812345678");
      expect(JSON.parse(text).phone, who).toBe("138****5678");
    }
  });

  it("are revealed only to the answering unit, and every reveal is audited", async () => {
    expect((await h.call(await h.login("admin"), "POST", `${API}/feedback/${id}/phone`)).status).toBe(403);
    expect((await h.call(await h.login("city"), "POST", `${API}/feedback/${id}/phone`)).status).toBe(403);
    const res = await h.call(await h.login("county"), "POST", `${API}/feedback/${id}/phone`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect((await res.json()).phone).toBe("13812345678");
    const entries = await auditLog(h, "action=feedback.phone.reveal");
    expect(entries[0]).toMatchObject({ actor: "user:county", entityId: String(id), after: { masked: "138****5678" } });
  });

  it("files and exports are authorised at every request: no link works without a live session in scope", async () => {
    const county = await h.login("county");
    const view = await (await h.call(county, "GET", `${API}/feedback/${id}`)).json();
    expect(view.photo).toBe(`/api/v1/feedback/${id}/photo`); // an id, no credential in the link
    const photo = await h.call(county, "GET", view.photo);
    expect(photo.status).toBe(200);
    expect(photo.headers.get("cache-control")).toMatch(/no-store/);
    expect((await h.call(null, "GET", view.photo)).status).toBe(401);
    expect((await h.call(await h.login("reporter-edu"), "GET", view.photo)).status).toBe(403); // 市教育局 does not lead this project
    const city = await h.login("city");
    const bundle = await h.call(city, "GET", `${API}/bundles/sy2024`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("cache-control")).toMatch(/no-store/);
    await h.call(county, "POST", `${API}/auth/logout`);
    await h.call(city, "POST", `${API}/auth/logout`);
    expect((await h.call(county, "GET", view.photo)).status).toBe(401);
    expect((await h.call(city, "GET", `${API}/bundles/sy2024`)).status).toBe(401);
  });

  it("are purged on schedule once the feedback is closed; open feedback keeps its number", async () => {
    const county = await h.login("county");
    const before = h.clock.now;
    await runRetention(h.deps);
    expect((await h.deps.db.query("SELECT 1 FROM feedback WHERE id = $1 AND phone_sealed IS NOT NULL", [id])).rows).toHaveLength(1);
    expect((await h.call(county, "POST", `${API}/feedback/${id}/moderate`, { action: "approve" })).status).toBe(200);
    expect((await h.call(county, "POST", `${API}/feedback/${id}/answer`, { answer: "已协调延长至晚七点。" })).status).toBe(200);
    h.clock.now = new Date(before.getTime() + (h.deps.config.phoneRetentionDays - 1) * 86_400_000);
    expect((await runRetention(h.deps)).phonesPurged).toBe(0);
    h.clock.now = new Date(before.getTime() + (h.deps.config.phoneRetentionDays + 1) * 86_400_000);
    expect((await runRetention(h.deps)).phonesPurged).toBe(1);
    const { rows } = await h.deps.db.query<Record<string, unknown>>("SELECT phone_sealed, phone_hmac, phone_masked, phone_purged_at FROM feedback WHERE id = $1", [id]);
    expect(rows[0]).toMatchObject({ phone_sealed: null, phone_hmac: null, phone_masked: null });
    expect(rows[0]!.phone_purged_at).not.toBeNull();
    const county2 = await h.login("county");
    expect((await h.call(county2, "POST", `${API}/feedback/${id}/phone`)).status).toBe(404);
    expect((await auditLog(h, "action=feedback.phone.purge"))[0]!.after).toMatchObject({ purged: 1 });
    h.clock.now = before;
  });
});

describe("audit retention through the API", () => {
  it("prunes entries older than the retention period, never a younger one, and the chain still verifies", async () => {
    const before = h.clock.now;
    // entries written without the injected clock (the seed's) carry the real time: go past the newest
    const newest = (await h.deps.db.query<{ at: Date }>("SELECT max(at) AS at FROM audit_log")).rows[0]!.at;
    const later = new Date(new Date(newest).getTime() + 400 * 86_400_000);
    const cutoff = new Date(later.getTime());
    cutoff.setUTCMonth(cutoff.getUTCMonth() - h.deps.config.auditRetentionMonths);
    const young = async () => (await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE at >= $1 AND action <> 'audit.prune'", [cutoff.toISOString()])).rows[0]!.n;
    const youngBefore = await young();
    h.clock.now = later;
    const run = await runRetention(h.deps);
    h.clock.now = before;
    expect(run.audit.pruned).toBeGreaterThan(0);
    expect(await young()).toBe(youngBefore);
    const { rows } = await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE seq <= $1", [run.audit.throughSeq]);
    expect(rows[0]!.n).toBe(0);
    const check = await (await h.call(await h.login("auditor"), "GET", `${API}/audit/verify`)).json();
    expect(check).toMatchObject({ ok: true, anchoredAt: run.audit.throughSeq });
  });
});
