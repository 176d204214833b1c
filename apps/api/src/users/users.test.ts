/**
 * User management (the security administrator): accounts created and changed with every refusal
 * under its own code, the field named, and nothing written; separation of duties on oneself.
 */
import { errorText } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";
import { DEMO_PASSWORD } from "../seed.js";

const API = "/api/v1";
let h: Harness;
let security: string;
let ids: Map<string, number>;

beforeAll(async () => {
  h = await makeHarness();
  security = await h.login("security");
  const list = (await (await h.call(security, "GET", `${API}/users`)).json()).users as { id: number; username: string }[];
  ids = new Map(list.map((u) => [u.username, u.id]));
}, 120_000);
afterAll(() => h?.dispose());

const counts = async () =>
  (await h.deps.db.query<{ users: number; audit: number }>("SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM audit_log)::int AS audit")).rows[0]!;

/** The error of an answer, checked against the table: its status and its Chinese text with the params sent. */
async function refusal(res: Awaited<ReturnType<Harness["call"]>>, code: string, status: number) {
  expect(res.status, code).toBe(status);
  const { error } = await res.json();
  expect(error.code).toBe(code);
  expect(error.message).toBe(errorText(code, error.params));
  return error as { params: Record<string, unknown>; problems: { path: string; message: string }[] };
}

describe("creating users", () => {
  const newUser = { username: "county-two", displayName: "隆回县专班", password: "a-good-password-9", role: "staff_county", region: "430524", unit: null };

  it("creates one that signs in; the same username again is a 409 at $.username, nothing written", async () => {
    const created = await h.call(security, "POST", `${API}/users`, newUser);
    expect(created.status).toBe(201);
    const { id } = await created.json();
    const listed = (await (await h.call(security, "GET", `${API}/users`)).json()).users.find((u: { id: number }) => u.id === id);
    expect(listed).toEqual({ id, username: "county-two", displayName: "隆回县专班", role: "staff_county", region: "430524", unit: null, disabled: false, locked: false, twoFactor: false });
    expect((await h.call(null, "POST", `${API}/auth/login`, { username: "county-two", password: "a-good-password-9" })).status).toBe(200);

    const before = await counts();
    const error = await refusal(await h.call(security, "POST", `${API}/users`, { ...newUser, displayName: "另一个" }), "USER_USERNAME_TAKEN", 409);
    expect(error.params).toEqual({ username: "county-two" });
    expect(error.problems.map((p) => p.path)).toEqual(["$.username"]);
    expect(await counts()).toEqual(before);
  });

  it("names every unknown reference at once, and a region for a role that needs one", async () => {
    const before = await counts();
    const both = await refusal(await h.call(security, "POST", `${API}/users`, { ...newUser, username: "ghost-1", region: "439999", unit: "no-such-unit" }), "USER_REGION_UNKNOWN", 400);
    expect(both.params).toEqual({ region: "439999" });
    expect(both.problems).toEqual([
      { path: "$.region", message: errorText("USER_REGION_UNKNOWN", { region: "439999" }), code: "USER_REGION_UNKNOWN", params: { region: "439999" } },
      { path: "$.unit", message: errorText("USER_UNIT_UNKNOWN", { unit: "no-such-unit" }), code: "USER_UNIT_UNKNOWN", params: { unit: "no-such-unit" } },
    ]);
    const none = await refusal(await h.call(security, "POST", `${API}/users`, { ...newUser, username: "ghost-2", region: null }), "USER_REGION_REQUIRED", 400);
    expect(none.problems.map((p) => p.path)).toEqual(["$.region"]);
    expect(await counts()).toEqual(before);
  });
});

describe("changing users", () => {
  it("a security administrator may not change its own role, area or status, but may its name", async () => {
    const self = ids.get("security")!;
    for (const patch of [{ disabled: true }, { role: "admin" }, { region: "430500" }]) await refusal(await h.call(security, "PATCH", `${API}/users/${self}`, patch), "USER_SELF_CHANGE", 403);
    expect((await h.call(security, "PATCH", `${API}/users/${self}`, { displayName: "安全管理员（甲）" })).status).toBe(200);
    expect((await h.call(security, "GET", `${API}/auth/me`)).status).toBe(200);
  });

  it("an unknown user is a 404 with its id", async () => {
    expect((await refusal(await h.call(security, "PATCH", `${API}/users/999999`, { displayName: "无" }), "USER_NOT_FOUND", 404)).params).toEqual({ id: 999999 });
    await refusal(await h.call(security, "POST", `${API}/users/999999/totp/reset`), "USER_NOT_FOUND", 404);
    await refusal(await h.call(security, "POST", `${API}/users/999999/totp/enrolment-code`), "USER_NOT_FOUND", 404);
  });

  it("disabling a user ends their sessions and their sign-in; the grant change is audited", async () => {
    const observer = await h.login("observer");
    const id = ids.get("observer")!;
    expect((await h.call(security, "PATCH", `${API}/users/${id}`, { disabled: true })).status).toBe(200);
    expect((await h.call(observer, "GET", `${API}/auth/me`)).status).toBe(401);
    const error = await refusal(await h.call(null, "POST", `${API}/auth/login`, { username: "observer", password: DEMO_PASSWORD }), "AUTH_WRONG_PASSWORD", 401);
    expect(error.problems.map((p) => p.path)).toEqual(["$.password"]);
    const { rows } = await h.deps.db.query<{ before: { disabled: boolean }; after: { disabled: boolean } }>(
      "SELECT before, after FROM audit_log WHERE action = 'user.permissions' AND entity_id = $1 ORDER BY seq DESC LIMIT 1",
      [String(id)],
    );
    expect(rows[0]).toMatchObject({ before: { disabled: false }, after: { disabled: true } });
    expect((await h.call(security, "PATCH", `${API}/users/${id}`, { disabled: false })).status).toBe(200);
    expect((await h.call(null, "POST", `${API}/auth/login`, { username: "observer", password: DEMO_PASSWORD })).status).toBe(200);
  });
});

describe("second factor of others", () => {
  it("not one's own reset or enrolment code; no enrolment code for a user who is not an administrator", async () => {
    const self = ids.get("security")!;
    await refusal(await h.call(security, "POST", `${API}/users/${self}/totp/reset`), "USER_SELF_TOTP_RESET", 403);
    await refusal(await h.call(security, "POST", `${API}/users/${self}/totp/enrolment-code`), "USER_SELF_ENROLMENT_CODE", 403);
    const error = await refusal(await h.call(security, "POST", `${API}/users/${ids.get("city")}/totp/enrolment-code`), "USER_NOT_ADMIN", 409);
    expect(error.params).toEqual({ username: "city" });
  });
});
