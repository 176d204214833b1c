/** 回头看 (rule 15): a unit assesses only its own projects; one record per project; concluded records are closed. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";

let h: Harness;
const cookies: Record<string, string> = {};
const api = (who: string, method: string, path: string, body?: unknown) => h.call(cookies[who]!, method, `/api/v1${path}`, body);

beforeAll(async () => {
  h = await makeHarness();
  for (const who of ["city", "observer", "reporter-edu"]) cookies[who] = await h.login(who);
}, 120_000);
afterAll(() => h?.dispose());

describe("the look-back", () => {
  it("lets a unit assess the projects it leads only, once per project", async () => {
    // sy2024-p01 is led by 市教育局 (edu); sy2024-p04 by another unit
    const { rows } = await h.deps.db.query<{ id: string; lead_unit: string }>("SELECT id, lead_unit FROM projects WHERE id IN ('sy2024-p01', 'sy2024-p04')");
    const own = rows.find((r) => r.lead_unit === "edu")!.id;
    const other = rows.find((r) => r.lead_unit !== "edu")!.id;
    expect((await api("reporter-edu", "POST", "/lookback", { project: other, assessment: "不是本单位的项目" })).status).toBe(403);
    const res = await api("reporter-edu", "POST", "/lookback", { project: own, assessment: "全年目标全部完成，群众反映良好" });
    expect(res.status).toBe(201);
    const again = await api("city", "POST", "/lookback", { project: own, assessment: "重复" });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("LOOKBACK_EXISTS");
    const unknown = await api("city", "POST", "/lookback", { project: "no-such-project", assessment: "不存在的项目" });
    expect((await unknown.json()).error.problems[0].path).toBe("$.project");
    const { id } = await res.json();
    expect((await api("city", "POST", `/lookback/${id}/conclude`, { conclusion: "met" })).status).toBe(200);
    const late = await api("observer", "POST", `/lookback/${id}/questions`, { question: "结论之后还能提问吗？" });
    expect(late.status).toBe(409);
    const list = await (await api("reporter-edu", "GET", "/lookback?region=430500&year=2024")).json();
    expect(list.lookbacks.map((l: { project: { leadUnit: { id: string } } }) => l.project.leadUnit.id)).toEqual(["edu"]);
    expect(list.unmet).toEqual([]);
  });
});
