// 预警 (rule 16) through the API on the demo plan (seed 003): the domain's atRisk on the same figures.
import { readFileSync } from "node:fs";
import { atRisk, parseBundle, PreparedBundle } from "@minsheng/domain";
import { Either } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturePath, type Harness, makeHarness } from "../../test/harness.js";

let h: Harness;
let city: string;
const API = "/api/v1";
const model = new PreparedBundle(Either.getOrThrow(parseBundle(JSON.parse(readFileSync(fixturePath, "utf8")))));

beforeAll(async () => {
  h = await makeHarness();
  city = await h.login("city");
}, 120_000);
afterAll(() => h?.dispose());

const risks = async (cookie: string, plan: string, period: string, region: string) => {
  const res = await h.call(cookie, "GET", `${API}/plans/${plan}/risks?period=${period}&region=${region}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { risks: { indicator: string; region: string; needed: number; recent: number; text: string }[] }).risks;
};

describe("GET /plans/{planId}/risks", () => {
  it("answers what atRisk computes from the plan's figures, month by month", async () => {
    for (const plan of ["hn2024", "sy2024"])
      for (const period of ["2024-03", "2024-06", "2024-09"]) {
        const got = await risks(city, plan, period, "430500");
        expect(got).toEqual(atRisk(model, { period, region: "430500", plan }));
      }
    const sep = await risks(city, "hn2024", "2024-09", "430500");
    expect(sep.length).toBeGreaterThan(0);
    for (const r of sep) {
      // decided on exact fractions: rounded to 2 decimals the two may print alike (4.33 and 4.33)
      expect(r.needed).toBeGreaterThanOrEqual(r.recent);
      expect(r.text).toMatch(/^需月均完成 -?\d+\.\d{2}，近三月月均 -?\d+\.\d{2}$/);
    }
    // nothing is at risk in December: what is short then is behind
    expect(await risks(city, "hn2024", "2024-12", "430500")).toEqual([]);
  });

  it("refuses bad input, unknown plans and regions outside the caller's area", async () => {
    const bad = await h.call(city, "GET", `${API}/plans/hn2024/risks?period=2024-9&region=430500`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.problems[0].path).toBe("$.query.period");
    expect((await h.call(city, "GET", `${API}/plans/nope/risks?period=2024-09&region=430500`)).status).toBe(404);
    expect((await h.call(city, "GET", `${API}/plans/hn2024/risks?period=2024-09&region=430000`)).status).toBe(403);
    expect((await h.call(null, "GET", `${API}/plans/hn2024/risks?period=2024-09&region=430500`)).status).toBe(401);
  });
});
