import { errorText } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../seed.js";
import { type Harness, makeHarness, ORIGIN } from "../../test/harness.js";
import { base32Decode, totp } from "./totp.js";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.dispose());

describe("login and sessions", () => {
  it("sets an HttpOnly SameSite session cookie and answers who I am", async () => {
    const res = await h.call(null, "POST", "/api/v1/auth/login", { username: "city", password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const me = await h.call(setCookie.split(";")[0]!, "GET", "/api/v1/auth/me");
    expect(await me.json()).toMatchObject({ username: "city", role: "staff_city", region: "430500" });
  });

  it("gives a new session id at every login", async () => {
    const a = await h.login("county");
    const b = await h.login("county");
    expect(a).not.toBe(b);
  });

  it("rejects a wrong password with 401 naming the field, and unknown users the same way", async () => {
    const wrong = await h.call(null, "POST", "/api/v1/auth/login", { username: "observer", password: "nope-nope-1" });
    const unknown = await h.call(null, "POST", "/api/v1/auth/login", { username: "ghost", password: "nope-nope-1" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const error = (await wrong.json()).error;
    expect(error.code).toBe("AUTH_WRONG_PASSWORD");
    expect(error.problems[0].path).toBe("$.password");
    expect((await unknown.json()).error.message).toBe((await (await h.call(null, "POST", "/api/v1/auth/login", { username: "ghost2", password: "x" })).json()).error.message);
  });

  it("answers 400 with every missing field", async () => {
    const res = await h.call(null, "POST", "/api/v1/auth/login", {});
    expect(res.status).toBe(400);
    const paths = (await res.json()).error.problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(["$.password", "$.username"]);
  });

  it("answers 400 to a body that is not JSON", async () => {
    const res = await h.call(null, "POST", "/api/v1/auth/login", "{not json", { "content-type": "application/json" });
    expect(res.status).toBe(400);
  });

  it("locks an account after 5 failures, even for the right password, until the lock expires", async () => {
    for (let i = 0; i < 5; i++) expect((await h.call(null, "POST", "/api/v1/auth/login", { username: "reporter-edu", password: "wrong-pass-1" })).status).toBe(401);
    const locked = await h.call(null, "POST", "/api/v1/auth/login", { username: "reporter-edu", password: DEMO_PASSWORD });
    expect(locked.status).toBe(423);
    expect((await locked.json()).error).toMatchObject({ code: "AUTH_ACCOUNT_LOCKED", params: { minutes: h.deps.config.lockoutMinutes } });
    h.clock.now = new Date(h.clock.now.getTime() + 16 * 60_000);
    expect((await h.call(null, "POST", "/api/v1/auth/login", { username: "reporter-edu", password: DEMO_PASSWORD })).status).toBe(200);
  });

  it("ends a session after 30 idle minutes", async () => {
    const cookie = await h.login("observer");
    expect((await h.call(cookie, "GET", "/api/v1/auth/me")).status).toBe(200);
    h.clock.now = new Date(h.clock.now.getTime() + 31 * 60_000);
    expect((await h.call(cookie, "GET", "/api/v1/auth/me")).status).toBe(401);
  });

  it("does nothing on a logout without a session: no error, no audit entry, no state change", async () => {
    const state = async () => {
      const { rows } = await h.deps.db.query<{ audit: number; sessions: number }>("SELECT (SELECT count(*) FROM audit_log)::int AS audit, (SELECT count(*) FROM sessions)::int AS sessions");
      return rows[0]!;
    };
    const before = await state();
    // no cookie at all: nothing to end, nothing to clear
    const none = await h.app.request(`${ORIGIN}/api/v1/auth/logout`, { method: "POST" });
    expect(none.status).toBe(200);
    expect(await none.json()).toEqual({ ok: true });
    expect(none.headers.get("set-cookie")).toBeNull();
    // a cookie that signs nobody in (ended or made up), from our page, another site or no page at all
    const ended = await h.login("reviewer");
    expect((await h.call(ended, "POST", "/api/v1/auth/logout")).status).toBe(200);
    const afterOwnLogout = await state();
    for (const cookie of [ended, "ms_session=made-up-session-id"])
      for (const origin of [ORIGIN, "https://evil.example", undefined]) {
        const res = await h.app.request(`${ORIGIN}/api/v1/auth/logout`, { method: "POST", headers: { cookie, ...(origin ? { origin } : {}) } });
        expect(res.status, `${cookie} from ${origin}`).toBe(200);
        expect(await res.json()).toEqual({ ok: true });
      }
    expect(await state()).toEqual(afterOwnLogout);
    expect(before.sessions).toBe(afterOwnLogout.sessions);
  });

  it("logs out: the cookie stops working", async () => {
    const cookie = await h.login("province");
    expect((await h.call(cookie, "POST", "/api/v1/auth/logout")).status).toBe(200);
    expect((await h.call(cookie, "GET", "/api/v1/auth/me")).status).toBe(401);
  });
});

describe("CSRF", () => {
  it("refuses a cookie-authenticated write from another origin", async () => {
    const cookie = await h.login("admin");
    const res = await h.call(cookie, "POST", "/api/v1/tokens", { name: "x", userId: 1 }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("CSRF_REJECTED");
  });

  it("takes PUBLIC_BASE_URL's origin as our own (behind a TLS proxy the request itself says http://)", async () => {
    const cookie = await h.login("admin");
    h.deps.config.publicBaseUrl = "https://msss.example.cn";
    try {
      const own = await h.call(cookie, "POST", "/api/v1/bundles", {}, { origin: "https://msss.example.cn" });
      expect(own.status).toBe(400); // past the CSRF check: the empty bundle is refused
      expect((await h.call(cookie, "POST", "/api/v1/bundles", {}, { origin: "https://msss.example.cn.evil.example" })).status).toBe(403);
    } finally {
      h.deps.config.publicBaseUrl = ORIGIN;
    }
  });

  it("refuses one with no Origin at all", async () => {
    const cookie = await h.login("admin");
    const res = await h.app.request(`${ORIGIN}/api/v1/tokens`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ name: "x", userId: 1 }) });
    expect(res.status).toBe(403);
  });
});

describe("API tokens", () => {
  it("lets the security administrator issue a token that acts as its user, scoped like one, until revoked", async () => {
    const admin = await h.login("security");
    const users = (await (await h.call(admin, "GET", "/api/v1/users")).json()).users as { id: number; username: string }[];
    const county = users.find((u) => u.username === "county")!;
    const created = await h.call(admin, "POST", "/api/v1/tokens", { name: "县数据对接", userId: county.id });
    expect(created.status).toBe(201);
    const { id, token } = await created.json();
    const bearer = { authorization: `Bearer ${token}` };
    const own = await h.app.request(`${ORIGIN}/api/v1/plans/hn2024/progress?period=2024-09&region=430523`, { headers: bearer });
    expect(own.status).toBe(200);
    const other = await h.app.request(`${ORIGIN}/api/v1/plans/hn2024/progress?period=2024-09&region=430524`, { headers: bearer });
    expect(other.status).toBe(403);
    expect((await h.call(admin, "DELETE", `/api/v1/tokens/${id}`)).status).toBe(200);
    const after = await h.app.request(`${ORIGIN}/api/v1/plans/hn2024/progress?period=2024-09&region=430523`, { headers: bearer });
    expect(after.status).toBe(401);
  });

  it("rejects a malformed bearer header", async () => {
    const res = await h.app.request(`${ORIGIN}/api/v1/auth/me`, { headers: { authorization: "Bearer !!" } });
    expect(res.status).toBe(401);
  });
});

describe("the second factor's refusals, each with its own code", () => {
  const API = "/api/v1";
  const post = (cookie: string | null, path: string, body: unknown) => h.call(cookie, "POST", `${API}${path}`, body);
  const passwordStep = async (username: string) => (await post(null, "/auth/login", { username, password: DEMO_PASSWORD })).json();
  async function refused(res: Awaited<ReturnType<Harness["call"]>>, code: string, status: number, path?: string) {
    expect(res.status, code).toBe(status);
    const { error } = await res.json();
    expect(error.code).toBe(code);
    expect(error.message).toBe(errorText(code, error.params));
    if (path) expect(error.problems.map((p: { path: string }) => p.path)).toContain(path);
  }

  beforeAll(() => {
    h.deps.config.require2fa = "staff";
  });
  afterAll(() => {
    h.deps.config.require2fa = "off";
  });

  it("enrolment, then sign-in: a challenge for the other step, wrong codes, an unknown challenge", async () => {
    const enrol = await passwordStep("province");
    expect(enrol).toMatchObject({ ok: false, next: "enrol" });
    await refused(await post(null, "/auth/login/totp", { challenge: enrol.challenge, code: "123456" }), "AUTH_CHALLENGE_NEEDS_ENROLMENT", 403, "$.challenge");
    await refused(await post(null, "/auth/totp/confirm", { challenge: enrol.challenge, code: "123456" }), "AUTH_ENROLMENT_NOT_STARTED", 409);
    const { secret } = await (await post(null, "/auth/totp/enrol", { challenge: enrol.challenge })).json();
    const key = base32Decode(secret);
    await refused(await post(null, "/auth/totp/confirm", { challenge: enrol.challenge, code: totp(key, h.clock.now.getTime() + 5 * 30_000) }), "AUTH_TOTP_CONFIRM_WRONG", 401, "$.code");
    const confirmed = await post(null, "/auth/totp/confirm", { challenge: enrol.challenge, code: totp(key, h.clock.now) });
    expect(confirmed.status).toBe(200);
    const session = confirmed.headers.get("set-cookie")!.split(";")[0]!;
    await refused(await post(session, "/auth/totp/enrol", {}), "AUTH_TOTP_ALREADY_ON", 409);

    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    const step = await passwordStep("province");
    expect(step.next).toBe("totp");
    await refused(await post(null, "/auth/totp/enrol", { challenge: step.challenge }), "AUTH_CHALLENGE_NOT_FOR_ENROLMENT", 403, "$.challenge");
    await refused(await post(null, "/auth/login/totp", { challenge: step.challenge, code: totp(key, h.clock.now.getTime() + 5 * 30_000) }), "AUTH_SECOND_FACTOR_WRONG", 401, "$.code");
    await refused(await post(null, "/auth/login/totp", { challenge: step.challenge, recoveryCode: "ABCDE-12345" }), "AUTH_SECOND_FACTOR_WRONG", 401, "$.recoveryCode");
    await refused(await post(null, "/auth/login/totp", { challenge: "x".repeat(43), code: "123456" }), "AUTH_CHALLENGE_EXPIRED", 401, "$.challenge");
    expect((await post(null, "/auth/login/totp", { challenge: step.challenge, code: totp(key, h.clock.now) })).status).toBe(200);
  });

  it("an administrator's enrolment code: required, and refused when wrong", async () => {
    const step = await passwordStep("auditor");
    expect(step.next).toBe("enrol");
    await refused(await post(null, "/auth/totp/enrol", { challenge: step.challenge }), "AUTH_ENROLMENT_CODE_REQUIRED", 400, "$.enrolmentCode");
    await refused(await post(null, "/auth/totp/enrol", { challenge: step.challenge, enrolmentCode: "ABCDE-12345" }), "AUTH_ENROLMENT_CODE_INVALID", 403, "$.enrolmentCode");
  });

  it("enrolling and changing one's password need a session, not an API token", async () => {
    h.deps.config.require2fa = "off";
    const security = await h.login("security");
    const users = (await (await h.call(security, "GET", `${API}/users`)).json()).users as { id: number; username: string }[];
    const { token } = await (await post(security, "/tokens", { name: "会话测试", userId: users.find((u) => u.username === "observer")!.id })).json();
    const bearer = (path: string, body: unknown) =>
      h.app.request(`${ORIGIN}${API}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    await refused(await bearer("/auth/totp/enrol", {}), "AUTH_ENROL_NEEDS_SESSION", 403);
    await refused(await bearer("/auth/password", { currentPassword: DEMO_PASSWORD, newPassword: "a-good-password-9" }), "AUTH_PASSWORD_CHANGE_NEEDS_SESSION", 403);
  });
});
