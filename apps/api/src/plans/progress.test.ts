// GET /plans/{planId}/progress: what the domain's evaluation answers for the demo bundle, region-scoped.
import { readFileSync } from "node:fs";
import { evaluateBundle } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturePath, type Harness, makeHarness } from "../../test/harness.js";

let h: Harness;
let admin: string;
const fixture = JSON.parse(readFileSync(fixturePath, "utf8"));

beforeAll(async () => {
  h = await makeHarness();
  admin = await h.login("admin");
});
afterAll(() => h.dispose());

describe("GET /api/v1/plans/:planId/progress", () => {
  it("answers what evaluateBundle answers for the plan, with that plan's counts", async () => {
    const res = await h.call(await h.login("city"), "GET", "/api/v1/plans/hn2024/progress?period=2024-09&region=430500");
    expect(res.status).toBe(200);
    const body = await res.json();
    const direct = evaluateBundle(fixture, { period: "2024-09", region: "430500", plan: "hn2024" });
    expect(body.counts).toEqual(direct.counts.hn2024);
    expect(body.counts).toEqual({ completed: 11, on_schedule: 13, behind: 0 });
    expect(body.indicators).toEqual(direct.indicators);
    expect(body.lagging).toEqual(direct.lagging);
    expect(body.disclosure).toEqual(direct.disclosure);
  });

  it("answers the city plan's figures with its linked indicators (适老化 2605 ÷ 2200)", async () => {
    const body = await (await h.call(await h.login("city"), "GET", "/api/v1/plans/sy2024/progress?period=2024-09&region=430500")).json();
    expect(body.indicators.find((i: { indicator: string }) => i.indicator === "sy2024-p03-a")).toMatchObject({ rate: 118.41, linked: true });
    expect(body.counts.behind).toBe(1);
  });

  it("names the query fields that are wrong", async () => {
    const res = await h.call(admin, "GET", "/api/v1/plans/hn2024/progress?period=2024-9&region=abc");
    expect(res.status).toBe(400);
    const paths = (await res.json()).error.problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(["$.query.period", "$.query.region"]);
  });

  it("keeps a county's staff inside its county", async () => {
    const county = await h.login("county");
    expect((await h.call(county, "GET", "/api/v1/plans/hn2024/progress?period=2024-09&region=430523")).status).toBe(200);
    expect((await h.call(county, "GET", "/api/v1/plans/hn2024/progress?period=2024-09&region=430500")).status).toBe(403);
    expect((await h.call(null, "GET", "/api/v1/plans/hn2024/progress?period=2024-09&region=430523")).status).toBe(401);
  });

  it("answers 404 for an unknown plan or region", async () => {
    expect((await h.call(admin, "GET", "/api/v1/plans/nope/progress?period=2024-09&region=430500")).status).toBe(404);
    const region = await h.call(admin, "GET", "/api/v1/plans/hn2024/progress?period=2024-09&region=999999");
    expect(region.status).toBe(404);
    expect((await region.json()).error).toMatchObject({ code: "REGION_NOT_FOUND", params: { region: "999999" } });
  });
});
