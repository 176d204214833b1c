/** 满意度测评 (rule 14): counts or one tablet ballot per deputy, the rate and the 不满意 > 1/2 flag, frozen once published. */
import { satisfactionBallot } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";
import { createUser } from "../users/service.js";
import { DEMO_PASSWORD } from "../seed.js";

let h: Harness;
const cookies: Record<string, string> = {};
const api = (who: string, method: string, path: string, body?: unknown) => h.call(cookies[who]!, method, `/api/v1${path}`, body);
const projects = ["sy2024-p01", "sy2024-p02"];

beforeAll(async () => {
  h = await makeHarness();
  await h.deps.db.transaction(async (tx) => {
    for (const n of [1, 2, 3, 4]) await createUser(tx, { username: `deputy${n}`, displayName: `代表${n}`, password: DEMO_PASSWORD, role: "observer", region: "430500", unit: null }, "test");
  });
  for (const who of ["city", "county", "deputy1", "deputy2", "deputy3", "deputy4"]) cookies[who] = await h.login(who);
}, 120_000);
afterAll(() => h?.dispose());

const open = async () => {
  const res = await api("city", "POST", "/satisfaction", { region: "430500", year: 2024, date: "2024-12-20", projects });
  if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()).id as number;
};

describe("the deputies' satisfaction ballot", () => {
  it("flags 不满意 over half, not exactly half (tablet ballots, one per deputy)", async () => {
    const id = await open();
    const ballot = (a: string, b: string) => ({ ratings: [{ project: projects[0], rating: a }, { project: projects[1], rating: b }] });
    expect((await api("deputy1", "POST", `/satisfaction/${id}/ballots`, ballot("dissatisfied", "dissatisfied"))).status).toBe(201);
    expect((await api("deputy2", "POST", `/satisfaction/${id}/ballots`, ballot("dissatisfied", "satisfied"))).status).toBe(201);
    expect((await api("deputy3", "POST", `/satisfaction/${id}/ballots`, ballot("satisfied", "basically_satisfied"))).status).toBe(201);
    const last = await api("deputy4", "POST", `/satisfaction/${id}/ballots`, ballot("basically_satisfied", "dissatisfied"));
    expect(await last.json()).toEqual({ cast: 4 });
    const twice = await api("deputy1", "POST", `/satisfaction/${id}/ballots`, ballot("satisfied", "satisfied"));
    expect(twice.status).toBe(409);
    expect((await twice.json()).error.code).toBe("SATISFACTION_DEPUTY_VOTED");
    const r = await (await api("city", "GET", `/satisfaction/${id}`)).json();
    // p01: 2 of 4 不满意 (exactly half: not flagged); p02: 2 of 4 as well
    expect(r.projects.map((p: { flagged: boolean; dissatisfied: number; total: number }) => [p.dissatisfied, p.total, p.flagged])).toEqual([[2, 4, false], [2, 4, false]]);
    expect(r.projects[0]).toMatchObject(satisfactionBallot({ satisfied: 1, basically_satisfied: 1, dissatisfied: 2 }));
  });

  it("flags a project once 不满意 is over half of the valid ballots (counts)", async () => {
    const id = await open();
    const res = await api("city", "POST", `/satisfaction/${id}/counts`, {
      counts: [
        { project: projects[0], satisfied: 10, basically_satisfied: 0, dissatisfied: 10 },
        { project: projects[1], satisfied: 9, basically_satisfied: 0, dissatisfied: 10 },
      ],
    });
    expect(res.status).toBe(200);
    expect((await res.json()).projects.map((p: { flagged: boolean; satisfactionRate: number }) => [p.flagged, p.satisfactionRate])).toEqual([[false, 50], [true, 47.37]]);
    expect((await api("deputy1", "POST", `/satisfaction/${id}/ballots`, { ratings: projects.map((project) => ({ project, rating: "satisfied" })) })).status).toBe(409);
    expect((await api("city", "POST", `/satisfaction/${id}/publish`)).status).toBe(200);
    // the bulletin of the region's year shows the published ballot, flag and all
    const bulletin = await (await api("city", "GET", "/bulletins?plan=sy2024&region=430500&period=2024-12&format=json")).json();
    const section = bulletin.sections.find((x: { key: string }) => x.key === "satisfaction");
    expect(section.blocks[1].rows.map((r: (string | number)[]) => [r[4], r[6]])).toEqual([[10, ""], [10, "是"]]);
    const late = await api("city", "POST", `/satisfaction/${id}/counts`, { counts: projects.map((project) => ({ project, satisfied: 1, basically_satisfied: 0, dissatisfied: 0 })) });
    expect(late.status).toBe(409);
    expect((await late.json()).error.code).toBe("SATISFACTION_FROZEN");
  });

  it("refuses projects not of that year's plans in the region, and counts missing a project", async () => {
    const wrong = await api("city", "POST", "/satisfaction", { region: "430500", year: 2025, date: "2025-12-20", projects });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.problems[0].path).toBe("$.projects[0]");
    const id = await open();
    const missing = await api("city", "POST", `/satisfaction/${id}/counts`, { counts: [{ project: projects[0], satisfied: 1, basically_satisfied: 0, dissatisfied: 0 }] });
    expect((await missing.json()).error.code).toBe("SATISFACTION_COUNTS_INCOMPLETE");
    expect((await api("county", "GET", `/satisfaction/${id}`)).status).toBe(403);
  });
});
