// GET /disclosure/scores: rule 6 scores of a region's children, from the demo data's records.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";

let h: Harness;
let admin: string;

beforeAll(async () => {
  h = await makeHarness();
  admin = await h.login("admin");
});
afterAll(() => h.dispose());

describe("GET /api/v1/disclosure/scores", () => {
  it("answers the 12 county scores as seed 003 prints them", async () => {
    const body = await (await h.call(await h.login("city"), "GET", "/api/v1/disclosure/scores?period=2024-09&region=430500")).json();
    const byRegion = Object.fromEntries(body.scores.map((s: { region: string; score: number }) => [s.region, s.score]));
    expect(body.scores).toHaveLength(12);
    expect(byRegion["430524"]).toBe(5.4783);
    expect(byRegion["430527"]).toBe(5.1429);
    expect(byRegion["430529"]).toBe(1.2);
  });

  it("answers nothing before any record of the year", async () => {
    const body = await (await h.call(admin, "GET", "/api/v1/disclosure/scores?period=2024-08&region=430500")).json();
    expect(body.scores).toEqual([]);
  });

  it("answers 404 for an unknown region", async () => {
    const res = await h.call(admin, "GET", "/api/v1/disclosure/scores?period=2024-09&region=999999");
    expect(res.status).toBe(404);
    expect((await res.json()).error).toMatchObject({ code: "REGION_NOT_FOUND", params: { region: "999999" } });
  });
});
