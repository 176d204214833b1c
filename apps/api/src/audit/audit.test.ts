import { errorText } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";

/** The audit routes: the log and its filters, the chain check, and the region check of a record's history. */

const API = "/api/v1";
let h: Harness;
let auditor: string;

beforeAll(async () => {
  h = await makeHarness();
  auditor = await h.login("auditor");
}, 120_000);
afterAll(() => h?.dispose());

type Entry = { seq: number; at: string; actor: string; action: string; entity: string; entityId: string };
const log = async (query: string) => {
  const res = await h.call(auditor, "GET", `${API}/audit/log?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { total: number; limit: number; offset: number; entries: Entry[] };
};
const count = async (where: string, params: unknown[] = []) => (await h.deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE ${where}`, params)).rows[0]!.n;

describe("GET /audit/log", () => {
  it("filters by action prefix, actor and entity, newest first, with the total of every match", async () => {
    await h.login("observer");
    await h.login("observer");
    const page = await log("action=auth.&actor=user:observer&limit=1");
    expect(page.total).toBe(await count("starts_with(action, 'auth.') AND actor = 'user:observer'"));
    expect(page.total).toBeGreaterThanOrEqual(2);
    expect(page).toMatchObject({ limit: 1, offset: 0 });
    expect(page.entries).toHaveLength(1);
    const next = await log("action=auth.&actor=user:observer&limit=1&offset=1");
    expect(next.entries[0]!.seq).toBeLessThan(page.entries[0]!.seq);
    // an exact action is not a prefix
    expect((await log("action=auth")).total).toBe(await count("action = 'auth'"));
    const users = await log("entity=user&limit=500");
    expect(users.entries.every((e) => e.entity === "user")).toBe(true);
  });

  it("filters by time, both ends included", async () => {
    const all = await log("limit=3");
    const newest = all.entries[0]!;
    const only = await log(`from=${encodeURIComponent(newest.at)}&to=${encodeURIComponent(newest.at)}&limit=500`);
    expect(only.entries.map((e) => e.seq)).toContain(newest.seq);
    expect(only.entries.every((e) => e.at === newest.at)).toBe(true);
  });

  it("refuses a time range that ends before it starts, naming the field", async () => {
    const res = await h.call(auditor, "GET", `${API}/audit/log?from=2024-10-02T00:00:00Z&to=2024-10-01T00:00:00Z`);
    expect(res.status).toBe(400);
    expect((await res.json()).error.problems.map((p: { path: string }) => p.path)).toEqual(["$.query.to"]);
  });
});

describe("GET /audit/verify", () => {
  it("finds the chain intact, then broken where an entry was edited", async () => {
    expect(await (await h.call(auditor, "GET", `${API}/audit/verify`)).json()).toMatchObject({ ok: true });
    const { rows } = await h.deps.db.query<{ seq: number; actor: string }>("SELECT seq, actor FROM audit_log ORDER BY seq DESC LIMIT 1");
    const last = rows[0]!;
    await h.deps.db.query("UPDATE audit_log SET actor = 'user:mallory' WHERE seq = $1", [last.seq]);
    try {
      expect(await (await h.call(auditor, "GET", `${API}/audit/verify`)).json()).toMatchObject({ ok: false, brokenAt: Number(last.seq) });
    } finally {
      await h.deps.db.query("UPDATE audit_log SET actor = $2 WHERE seq = $1", [last.seq, last.actor]);
    }
  });
});

describe("GET /audit/history", () => {
  it("gives staff the history of a record of their area, oldest first", async () => {
    const city = await h.login("city");
    await h.login("county"); // a sign-in is an entry of the user's history
    const res = await h.call(city, "GET", `${API}/audit/history?entity=user&id=county`);
    expect(res.status).toBe(200);
    const seqs = ((await res.json()).entries as Entry[]).map((e) => e.seq);
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it("refuses a record outside the caller's area, an unknown one, and one of an entity without a region, with its own code", async () => {
    const reviewer = await h.login("reviewer"); // of 邵阳市 (430500)
    for (const [entity, id] of [["user", "admin"], ["user", "nobody"], ["api_token", "1"], ["plan", "hn2024"]] as const) {
      const res = await h.call(reviewer, "GET", `${API}/audit/history?entity=${entity}&id=${id}`);
      expect(res.status, `${entity} ${id}`).toBe(403);
      const { error } = await res.json();
      expect(error).toMatchObject({ code: "AUDIT_RECORD_OUTSIDE_AREA", params: { entity, id } });
      expect(error.message).toBe(errorText("AUDIT_RECORD_OUTSIDE_AREA", { entity, id }));
    }
    // the audit administrator sees every record
    expect((await h.call(auditor, "GET", `${API}/audit/history?entity=api_token&id=1`)).status).toBe(200);
  });
});
