import { informationCard } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";

/**
 * Observers' filings (rule 12) through the API: the information card of a site, photos (images
 * only, at most nine, only one's own filing while it waits), who sees which filing, and the
 * task force's triage refusing what it lacks.
 */

const API = "/api/v1";
let h: Harness;
const cookie: Record<string, string> = {};
let siteCode = "";
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, ...new TextEncoder().encode("IHDR"), 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
const upload = (field: string, bytes: Uint8Array, name: string) => {
  const form = new FormData();
  form.append(field, new Blob([bytes]), name);
  return form;
};
const count = async (table: string) => Number((await h.deps.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
const letter = (over: Record<string, unknown>) => ({ kind: "assignment", to: { region: "430523" }, subject: "交办函", body: "请整改。", dueOn: "2024-12-31", ...over });

beforeAll(async () => {
  h = await makeHarness();
  for (const a of ["admin", "city", "county", "reporter", "observer", "security"]) cookie[a] = await h.login(a);
  expect((await h.call(cookie.admin!, "GET", `${API}/sites?limit=1`)).status).toBe(200);
  siteCode = (await h.deps.db.query<{ code: string }>("SELECT code FROM project_sites WHERE region = '430523' ORDER BY code LIMIT 1")).rows[0]!.code;
  // a second observer, in 隆回县, to show filings are their filers' own
  const made = await h.call(cookie.security!, "POST", `${API}/users`, { username: "observer2", displayName: "观察员二", password: "observer-pass-2024", role: "observer", region: "430524" });
  expect(made.status).toBe(201);
  for (const [username, region] of [["observer", "430523"], ["observer2", "430524"]] as const) {
    const { rows } = await h.deps.db.query<{ id: string }>("SELECT id FROM users WHERE username = $1", [username]);
    expect((await h.call(cookie.city!, "POST", `${API}/observers`, { name: username, background: "律师", region, group: "综合组", userId: Number(rows[0]!.id) })).status).toBe(201);
  }
  cookie.observer2 = await h.login("observer2", "observer-pass-2024");
}, 120_000);
afterAll(() => h?.dispose());

describe("filing", () => {
  it("offers the site's information card, made from its project's indicators", async () => {
    const res = await h.call(cookie.observer!, "GET", `${API}/observations/card?site=${siteCode}`);
    expect(res.status).toBe(200);
    const card = await res.json();
    const { rows } = await h.deps.db.query<{ name: string; unit: string; kind: "quantity" | "milestone" }>(
      "SELECT i.name, i.unit, i.kind FROM indicators i JOIN project_sites s ON s.project = i.project WHERE s.code = $1 ORDER BY i.position, i.id",
      [siteCode],
    );
    expect(card.items).toEqual(informationCard({ indicators: rows }));
    expect((await h.call(cookie.observer!, "GET", `${API}/observations/card?site=ZZZZZZZZ`)).status).toBe(400);
  });

  it("files an inspection on the card, in the site's region", async () => {
    const card = [{ item: "现场张贴项目二维码（码上通）", ok: false, note: "未张贴" }];
    const res = await h.call(cookie.observer!, "POST", `${API}/observations`, { kind: "inspection", text: "专项检查：现场未张贴二维码。", site: siteCode, card });
    expect(res.status).toBe(201);
    const seen = await (await h.call(cookie.observer!, "GET", `${API}/observations/${(await res.json()).id}`)).json();
    expect(seen).toMatchObject({ kind: "inspection", region: "430523", site: siteCode, card, state: "submitted" });
    const before = await count("observations");
    for (const bad of [{ kind: "gossip", text: "某某项目进展顺利。" }, { kind: "information", text: "短" }, { kind: "information", text: "未知点位的信息。", site: "ZZZZZZZZ" }]) {
      const r = await h.call(cookie.observer!, "POST", `${API}/observations`, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect((await r.json()).error.problems.length).toBeGreaterThan(0);
    }
    expect(await count("observations")).toBe(before);
  });

  it("refuses photos that are not photos (415) and more than nine", async () => {
    const { id } = await (await h.call(cookie.observer!, "POST", `${API}/observations`, { kind: "suggestion", text: "建议在路口增设减速带。" })).json();
    const before = await count("observation_photos");
    const html = await h.call(cookie.observer!, "POST", `${API}/observations/${id}/photos`, upload("photo", new TextEncoder().encode("<html><script>1</script></html>"), "x.png"));
    expect(html.status).toBe(415);
    expect((await html.json()).error.code).toBe("OBSERVATION_PHOTO_NOT_IMAGE");
    const pdf = await h.call(cookie.observer!, "POST", `${API}/observations/${id}/photos`, upload("photo", new TextEncoder().encode("%PDF-1.4\n%%EOF"), "x.jpg"));
    expect(pdf.status).toBe(415);
    expect(await count("observation_photos")).toBe(before);
    for (let i = 0; i < 9; i++) {
      const distinct = new Uint8Array([...png, i]);
      expect((await h.call(cookie.observer!, "POST", `${API}/observations/${id}/photos`, upload("photo", distinct, `p${i}.png`))).status).toBe(201);
    }
    const tenth = await h.call(cookie.observer!, "POST", `${API}/observations/${id}/photos`, upload("photo", png, "p10.png"));
    expect(tenth.status).toBe(409);
    expect(await count("observation_photos")).toBe(before + 9);
  });

  it("refuses a triage without its reason, target or letter", async () => {
    const { id } = await (await h.call(cookie.observer!, "POST", `${API}/observations`, { kind: "information", text: "道路硬化质量较好。" })).json();
    for (const [body, path] of [
      [{ action: "none" }, "$.reason"],
      [{ action: "forward" }, "$.to"],
      [{ action: "letter" }, "$.letter"],
      [{ action: "forward", to: { unit: "nope" } }, "$.to.unit"],
      [{ action: "letter", letter: letter({ dueOn: "2020-01-01" }) }, "$.letter.dueOn"],
    ] as const) {
      const res = await h.call(cookie.city!, "POST", `${API}/observations/${id}/triage`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.problems.map((p: { path: string }) => p.path)).toContain(path);
    }
    const seen = await (await h.call(cookie.observer!, "GET", `${API}/observations/${id}`)).json();
    expect(seen.state).toBe("submitted");
    const fwd = await h.call(cookie.city!, "POST", `${API}/observations/${id}/triage`, { action: "forward", to: { unit: "edu" }, reason: "请市教育局核实" });
    expect(await fwd.json()).toEqual({ id, state: "forwarded", letterId: null });
    const after = await (await h.call(cookie.observer!, "GET", `${API}/observations/${id}`)).json();
    expect(after.outcome).toMatchObject({ action: "forward", to: { unit: "edu", name: "市教育局" }, reason: "请市教育局核实", letter: null });
  });

  it("an observer sees only their own filings; an unregistered account may not file", async () => {
    const other = await h.call(cookie.county!, "GET", `${API}/observations?state=forwarded`);
    expect(other.status).toBe(200);
    // the observer account of a new user, not in the registry
    const res = await h.call(cookie.reporter!, "POST", `${API}/observations`, { kind: "information", text: "填报员不能报送观察信息。" });
    expect(res.status).toBe(403);
  });
  it("photos go on one's own filing only, while it waits to be sorted", async () => {
    const { id } = await (await h.call(cookie.observer!, "POST", `${API}/observations`, { kind: "information", text: "自己的观察信息。" })).json();
    expect((await h.call(cookie.observer2!, "POST", `${API}/observations/${id}/photos`, upload("photo", png, "x.png"))).status).toBe(404);
    expect((await h.call(cookie.observer2!, "GET", `${API}/observations/${id}`)).status).toBe(404);
    const theirs = await (await h.call(cookie.observer2!, "GET", `${API}/observations`)).json();
    expect(theirs.observations).toEqual([]);
    // the filing's county task force reads it
    const county = await h.login("county");
    expect((await h.call(county, "GET", `${API}/observations/${id}`)).status).toBe(200);
    await h.call(cookie.city!, "POST", `${API}/observations/${id}/triage`, { action: "none", reason: "已掌握情况" });
    const late = await h.call(cookie.observer!, "POST", `${API}/observations/${id}/photos`, upload("photo", png, "late.png"));
    expect(late.status).toBe(409);
    expect((await late.json()).error.code).toBe("OBSERVATION_ALREADY_TRIAGED");
  });
});
