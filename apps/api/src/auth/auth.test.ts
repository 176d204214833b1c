import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../seed.js";
import { type Harness, makeHarness, ORIGIN } from "../../test/harness.js";

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
    expect((await wrong.json()).error.problems[0].path).toBe("$.password");
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
    expect((await res.json()).error.code).toBe("CsrfRejected");
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
