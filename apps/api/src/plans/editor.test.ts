// 计划管理 (plans/editor-routes.ts, service.ts): creating and editing plans, items, projects, indicators, targets
// per region (split-down) and schedules — happy paths, refusals with field paths, stale versions,
// and who may edit what.
import { errorText } from "@minsheng/domain";
import { auditHistory, verifyAuditChain } from "@minsheng/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";

const API = "/api/v1";
let h: Harness;
const cookie: Record<string, string> = {};

beforeAll(async () => {
  h = await makeHarness();
  for (const a of ["admin", "province", "city", "county", "reporter", "observer"]) cookie[a] = await h.login(a);
}, 120_000);
afterAll(() => h?.dispose());

const call = (who: string | null, method: string, path: string, body?: unknown) => h.call(who ? cookie[who]! : null, method, `${API}${path}`, body);
const paths = async (res: { json(): Promise<{ error: { problems: { path: string }[] } }> }) => (await res.json()).error.problems.map((p) => p.path).sort();
const count = async (sql: string, params: unknown[] = []) => Number((await h.deps.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params)).rows[0]!.n);

interface TreeRow {
  region: string;
  own: number | null;
  childrenTotal: number | null;
  effective: number | null;
  pressure: boolean;
  shortfall: boolean;
  difference: number | null;
  version: number | null;
  editable: boolean;
  parent: string | null;
  depth: number;
}
const rowsOf = async (res: { json(): Promise<{ rows: TreeRow[] }> }) => new Map((await res.json()).rows.map((r) => [r.region, r]));

describe("a city task force builds its plan", () => {
  it("creates a plan, an item, a project and an indicator, each audited, and reads them back in the outline", async () => {
    const plan = await call("city", "POST", "/plans", { id: "sy2025", year: 2025, level: "city", region: "430500", title: "2025年邵阳市重点民生实事" });
    expect(plan.status).toBe(201);
    expect(await plan.json()).toMatchObject({ id: "sy2025", schedule: "linear-monthly", version: 1 });
    expect((await call("city", "POST", "/plans/sy2025/items", { id: "sy2025-i01", no: 1, title: "推进教育高质量发展" })).status).toBe(201);
    expect((await call("city", "POST", "/items/sy2025-i01/projects", { id: "sy2025-p01", no: 1, title: "新建学位", leadUnit: "edu" })).status).toBe(201);
    const ind = await call("city", "POST", "/projects/sy2025-p01/indicators", { id: "sy2025-p01-a", name: "新增学位", unit: "个", kind: "quantity", aggregation: "sum" });
    expect(ind.status).toBe(201);
    expect(await ind.json()).toMatchObject({ id: "sy2025-p01-a", linkedTo: null, schedule: null, version: 1 });

    const outline = await (await call("city", "GET", "/plans/sy2025/outline")).json();
    expect(outline.plan).toMatchObject({ id: "sy2025", editable: true, version: 1 });
    expect(outline.items.map((i: { id: string }) => i.id)).toEqual(["sy2025-i01"]);
    expect(outline.projects).toEqual([{ id: "sy2025-p01", item: "sy2025-i01", no: 1, title: "新建学位", leadUnit: "edu", version: 1 }]);
    expect(outline.indicators.map((i: { id: string }) => i.id)).toEqual(["sy2025-p01-a"]);
    expect(outline.units.some((u: { id: string }) => u.id === "edu")).toBe(true);

    for (const [entity, id, action] of [["plan", "sy2025", "plan.create"], ["item", "sy2025-i01", "item.create"], ["project", "sy2025-p01", "project.create"], ["indicator", "sy2025-p01-a", "indicator.create"]] as const) {
      const entries = await auditHistory(h.deps.db, entity, id);
      expect(entries.map((e) => [e.action, e.actor]), `${entity} ${id}`).toEqual([[action, "user:city"]]);
    }
  });

  it("sets a milestone schedule on the plan and on an indicator, bumping versions", async () => {
    const schedule = { type: "milestones", interpolation: "linear", points: [{ month: 6, fraction: 0.5 }, { month: 12, fraction: 1 }] };
    const res = await call("city", "PATCH", "/plans/sy2025", { version: 1, schedule });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ schedule, version: 2 });
    const ind = await call("city", "PATCH", "/indicators/sy2025-p01-a", { version: 1, schedule: { type: "milestones", points: [{ month: 6, fraction: 1 }] } });
    expect(ind.status).toBe(200);
    expect(await ind.json()).toMatchObject({ version: 2, schedule: { type: "milestones", interpolation: "linear", points: [{ month: 6, fraction: 1 }] } });
    const [entry] = await auditHistory(h.deps.db, "plan", "sy2025").then((e) => e.filter((x) => x.action === "plan.update"));
    expect(entry!.before).toMatchObject({ schedule: "linear-monthly", version: 1 });
    expect(entry!.after).toMatchObject({ schedule, version: 2 });
    // back to the plan's schedule
    expect(await (await call("city", "PATCH", "/indicators/sy2025-p01-a", { version: 2, schedule: null })).json()).toMatchObject({ schedule: null, version: 3 });
  });

  it("splits targets down: the city's own target beside the counties' sum, 自我加压 marked, as the evaluation uses it", async () => {
    const res = await call("city", "PUT", "/indicators/sy2025-p01-a/targets?depth=1", {
      targets: [
        { region: "430500", value: 100 },
        { region: "430523", value: 60.1 },
        { region: "430524", value: 49.9 },
        { region: "430501", value: 0.2 },
      ],
    });
    expect(res.status).toBe(200);
    const rows = await rowsOf(res);
    // 60.1 + 49.9 + 0.2 = 110.2 exactly, over the own 100
    expect(rows.get("430500")).toMatchObject({ own: 100, childrenTotal: 110.2, effective: 100, pressure: true, shortfall: false, difference: 10.2, version: 1, depth: 0, editable: true });
    expect(rows.get("430523")).toMatchObject({ own: 60.1, version: 1, parent: "430500", depth: 1 });
    expect(rows.get("430502")).toMatchObject({ own: null, version: null, effective: null });
    expect(await count("audit_log WHERE action = 'target.set' AND entity_id LIKE 'sy2025-p01-a@%'")).toBe(4);
    const progress = await (await call("city", "GET", "/plans/sy2025/progress?period=2025-01&region=430500")).json();
    expect(progress.indicators.find((i: { region: string }) => i.region === "430500").target).toBe(100);
  });

  it("changes and removes targets with the versions read; a stale one is a 409 that changes nothing", async () => {
    const res = await call("city", "PUT", "/indicators/sy2025-p01-a/targets", { targets: [{ region: "430523", value: 40.1, version: 1 }, { region: "430501", value: null, version: 1 }] });
    expect(res.status).toBe(200);
    const rows = await rowsOf(res);
    expect(rows.get("430523")).toMatchObject({ own: 40.1, version: 2 });
    expect(rows.get("430501")).toMatchObject({ own: null, version: null });
    expect(rows.get("430500")).toMatchObject({ childrenTotal: 90, shortfall: true, pressure: false, difference: -10 });

    // a second editor still holding version 1 of 430523, and one who thinks 430502 has no target yet
    await call("city", "PUT", "/indicators/sy2025-p01-a/targets", { targets: [{ region: "430502", value: 5 }] });
    const stale = await call("province", "PUT", "/indicators/sy2025-p01-a/targets", { targets: [{ region: "430523", value: 1, version: 1 }, { region: "430502", value: 7 }] });
    expect(stale.status).toBe(409);
    const body = await stale.json();
    expect(body.error.current).toEqual([{ region: "430523", value: 40.1, version: 2 }, { region: "430502", value: 5, version: 1 }]);
    expect(body.error).toMatchObject({ code: "TARGETS_VERSION_STALE", params: { regions: "430523、430502" } });
    expect((await h.deps.db.query<{ value: string }>("SELECT value::text AS value FROM targets WHERE indicator = 'sy2025-p01-a' AND region = '430523'")).rows[0]!.value).toBe("40.1");
  });

  it("links an indicator to another plan's, refusing its own plan, an unknown one and a cycle (domain reference checks)", async () => {
    const linked = await call("city", "POST", "/projects/sy2025-p01/indicators", { id: "sy2025-p01-b", name: "家庭教育指导", unit: "场次", kind: "quantity", aggregation: "sum", linkedTo: "hn2024-p02-a" });
    expect(linked.status).toBe(201);
    expect(await linked.json()).toMatchObject({ linkedTo: "hn2024-p02-a" });
    const own = await call("city", "PATCH", "/indicators/sy2025-p01-b", { version: 1, linkedTo: "sy2025-p01-a" });
    expect(own.status).toBe(400);
    expect((await own.json()).error.problems).toEqual([{ path: "$.linkedTo", message: "must be an indicator of another plan (纳入上级统一调度)", code: "INDICATOR_LINK_SAME_PLAN", params: {} }]);
    const unknown = await call("city", "PATCH", "/indicators/sy2025-p01-b", { version: 1, linkedTo: "nope-a" });
    expect((await unknown.json()).error).toMatchObject({ code: "INDICATOR_LINK_UNKNOWN", problems: [{ path: "$.linkedTo", message: 'unknown indicator "nope-a"' }] });
    // hn2024-p02-a → sy2025-p01-b → hn2024-p02-a would loop
    const cycle = await call("admin", "PATCH", "/indicators/hn2024-p02-a", { version: 1, linkedTo: "sy2025-p01-b" });
    expect(cycle.status).toBe(400);
    expect((await cycle.json()).error).toMatchObject({ code: "INDICATOR_LINK_CYCLE", problems: [{ path: "$.linkedTo", message: "linked indicators form a cycle through hn2024-p02-a" }] });
    expect((await h.deps.db.query<{ linked_to: string | null }>("SELECT linked_to FROM indicators WHERE id = 'hn2024-p02-a'")).rows[0]!.linked_to).toBeNull();
  });

  it("deletes records nothing depends on and refuses those with figures or links pointing at them", async () => {
    const withFigures = await call("admin", "DELETE", "/indicators/hn2024-p02-a?version=1");
    expect(withFigures.status).toBe(409);
    const { blockers, code } = (await withFigures.json()).error;
    expect(code).toBe("INDICATOR_IN_USE");
    expect(blockers[0]).toMatch(/^\d+ monthly figure/);
    expect(blockers.at(-1)).toMatch(/^indicator\(s\) linked to it: .*sy2025-p01-b/);
    expect(await count("indicators WHERE id = 'hn2024-p02-a'")).toBe(1);
    expect((await call("city", "DELETE", "/indicators/sy2025-p01-b?version=1")).status).toBe(200);
    expect(await count("indicators WHERE id = 'sy2025-p01-b'")).toBe(0);
    const [entry] = (await auditHistory(h.deps.db, "indicator", "sy2025-p01-b")).filter((e) => e.action === "indicator.delete");
    expect(entry!.before).toMatchObject({ id: "sy2025-p01-b", linkedTo: "hn2024-p02-a" });

    // an item goes with its projects, indicators and targets
    expect((await call("city", "POST", "/plans/sy2025/items", { id: "sy2025-i09", no: 9, title: "临时" })).status).toBe(201);
    expect((await call("city", "POST", "/items/sy2025-i09/projects", { id: "sy2025-p09", no: 9, title: "临时项目", leadUnit: "zj" })).status).toBe(201);
    expect((await call("city", "POST", "/projects/sy2025-p09/indicators", { id: "sy2025-p09-a", name: "临时指标", unit: "个", kind: "quantity", aggregation: "sum" })).status).toBe(201);
    expect((await call("city", "PUT", "/indicators/sy2025-p09-a/targets", { targets: [{ region: "430523", value: 3 }] })).status).toBe(200);
    expect((await call("city", "DELETE", "/items/sy2025-i09?version=2")).status).toBe(409);
    expect((await call("city", "DELETE", "/items/sy2025-i09?version=1")).status).toBe(200);
    expect(await count("projects WHERE id = 'sy2025-p09'")).toBe(0);
    expect(await count("targets WHERE indicator = 'sy2025-p09-a'")).toBe(0);
    // and a province item with reported figures stays
    const item = await call("admin", "DELETE", "/items/hn2024-i01?version=1");
    expect(item.status).toBe(409);
    expect(await count("items WHERE id = 'hn2024-i01'")).toBe(1);
  });

  it("reports every broken field at once and creates nothing", async () => {
    const before = await count("plans");
    const res = await call("city", "POST", "/plans", { id: "bad id!", year: 1999, level: "city", region: "430500", title: " ", schedule: { type: "milestones", points: [{ month: 9, fraction: 0.8 }, { month: 6, fraction: 0.5 }] } });
    expect(res.status).toBe(400);
    expect(await paths(res)).toEqual(["$.id", "$.schedule.points[1].fraction", "$.schedule.points[1].month", "$.title", "$.year"]);
    expect(await count("plans")).toBe(before);
    const level = await call("admin", "POST", "/plans", { id: "sy2025b", year: 2025, level: "province", region: "430500", title: "级别不符" });
    const { problems } = (await level.json()).error;
    expect(problems).toEqual([{ path: "$.level", message: "does not match the region's level (邵阳市 is city)", code: "PLAN_LEVEL_MISMATCH", params: { name: "邵阳市", levelLabel: "市级" } }]);
    expect(errorText("PLAN_LEVEL_MISMATCH", problems[0].params)).toBe("计划级别与地区级别不符（邵阳市为市级）");
    const item = await call("city", "POST", "/plans/sy2025/items", { id: "sy2025-i01", no: 1, title: "重复" });
    // every problem at once, under the first one's code
    const { error } = (await item.json()) as { error: { code: string; params: unknown; problems: { path: string }[] } };
    expect(error).toMatchObject({ code: "ITEM_ID_TAKEN", params: { id: "sy2025-i01" } });
    expect(error.problems.map((p) => p.path)).toEqual(["$.id", "$.no"]);
    const project = await call("city", "POST", "/items/sy2025-i01/projects", { id: "sy2025-p02", no: 2, title: "x", leadUnit: "nobody" });
    expect((await project.json()).error).toMatchObject({ code: "LEAD_UNIT_UNKNOWN", params: { unit: "nobody" }, problems: [{ path: "$.leadUnit", message: 'unknown unit "nobody"' }] });
    const patch = await call("city", "PATCH", "/projects/sy2025-p01", { version: 1, region: "430000" });
    expect(await paths(patch)).toEqual(["$"]);
    const targets = await call("city", "PUT", "/indicators/sy2025-p01-a/targets", {
      targets: [{ region: "430523", value: 0, version: 2 }, { region: "4305", value: 2e12 }],
    });
    expect(targets.status).toBe(400);
    expect(await paths(targets)).toEqual(["$.targets[0].value", "$.targets[1].region", "$.targets[1].value"]);
    const regions = await call("city", "PUT", "/indicators/sy2025-p01-a/targets", {
      targets: [{ region: "430523", value: 1, version: 2 }, { region: "430000", value: 5 }, { region: "999999", value: 5 }, { region: "430524", value: 5, version: 1 }, { region: "430524", value: 6, version: 1 }],
    });
    expect((await regions.json()).error.problems).toEqual([
      { path: "$.targets[1].region", message: "is outside the plan's area (430500)", code: "TARGET_REGION_OUTSIDE_PLAN", params: { region: "430000", planRegion: "430500" } },
      { path: "$.targets[2].region", message: 'unknown region "999999"', code: "TARGET_REGION_UNKNOWN", params: { region: "999999" } },
      { path: "$.targets[4].region", message: "repeats targets[3]", code: "TARGET_REGION_REPEATED", params: { region: "430524", first: 4 } },
    ]);
    expect((await h.deps.db.query<{ value: string }>("SELECT value::text AS value FROM targets WHERE indicator = 'sy2025-p01-a' AND region = '430523'")).rows[0]!.value).toBe("40.1");
    const milestone = await call("admin", "PUT", "/indicators/hn2024-p01-a/targets", { targets: [{ region: "430523", value: 120, version: 1 }] });
    expect((await milestone.json()).error.problems).toEqual([{ path: "$.targets[0].value", message: "is a milestone percent: at most 100", code: "TARGET_MILESTONE_OVER_100", params: {} }]);
  });
});

describe("editing and deleting items, projects and indicators alike", () => {
  // Each record kind goes through the same steps: load it locked (404), check the plan is the
  // caller's to edit (403) and the version read (409 with currentVersion), write, audit before/after.
  const kinds = [
    { kind: "item", path: "/items/sy2026-i01", patch: { title: "改过的实事" } },
    { kind: "project", path: "/projects/sy2026-p01", patch: { title: "改过的项目", leadUnit: "zj" } },
    { kind: "indicator", path: "/indicators/sy2026-p01-a", patch: { name: "改过的指标", linkedTo: null } },
  ] as const;

  beforeAll(async () => {
    expect((await call("city", "POST", "/plans", { id: "sy2026", year: 2026, level: "city", region: "430500", title: "2026年邵阳市重点民生实事" })).status).toBe(201);
    expect((await call("city", "POST", "/plans/sy2026/items", { id: "sy2026-i01", no: 1, title: "实事" })).status).toBe(201);
    expect((await call("city", "POST", "/items/sy2026-i01/projects", { id: "sy2026-p01", no: 1, title: "项目", leadUnit: "edu" })).status).toBe(201);
    const ind = { id: "sy2026-p01-a", name: "指标", unit: "个", kind: "quantity", aggregation: "sum" };
    expect((await call("city", "POST", "/projects/sy2026-p01/indicators", ind)).status).toBe(201);
    expect((await call("city", "POST", "/projects/sy2026-p01/indicators", { ...ind, id: "sy2026-p01-b" })).status).toBe(201);
    expect((await call("city", "PUT", "/indicators/sy2026-p01-b/targets", { targets: [{ region: "430523", value: 7 }] })).status).toBe(200);
  });

  it("answers 404, 403 and a stale 409 the same way for each kind, changing nothing", async () => {
    for (const { kind, path, patch } of kinds) {
      const missing = path.replace(/sy2026-\w+(-a)?$/, "nope");
      const gone = await call("city", "PATCH", missing, { version: 1, ...patch });
      expect(gone.status, `${kind} 404`).toBe(404);
      expect((await gone.json()).error).toMatchObject({ code: `${kind.toUpperCase()}_NOT_FOUND`, params: { id: "nope" } });
      expect((await call("city", "DELETE", `${missing}?version=1`)).status, `${kind} 404`).toBe(404);
      const elsewhere = await call("province", "PATCH", path, { version: 1, ...patch });
      expect(elsewhere.status, `${kind} 403`).toBe(403);
      expect((await elsewhere.json()).error).toMatchObject({ code: "PLAN_ISSUED_ELSEWHERE", params: { id: "sy2026", region: "430500", own: "430000" } });
      expect((await call("province", "DELETE", `${path}?version=1`)).status, `${kind} 403`).toBe(403);
      const stale = await call("city", "PATCH", path, { version: 5, ...patch });
      expect(stale.status, `${kind} 409`).toBe(409);
      expect((await stale.json()).error).toMatchObject({
        code: `${kind.toUpperCase()}_VERSION_STALE`,
        params: { id: path.split("/")[2], current: 1, sent: 5 },
        message: `${kind} ${path.split("/")[2]} changed since you read it (version 1, not 5); reload it`,
        currentVersion: 1,
      });
      const staleDelete = await call("city", "DELETE", `${path}?version=5`);
      expect(staleDelete.status, `${kind} 409`).toBe(409);
      expect((await staleDelete.json()).error.code).toBe(`${kind.toUpperCase()}_VERSION_STALE`);
      expect((await auditHistory(h.deps.db, kind, path.split("/")[2]!)).map((e) => e.action)).toEqual([`${kind}.create`]);
    }
  });

  it("updates each kind with the version read, answering and auditing the record before and after", async () => {
    for (const { kind, path, patch } of kinds) {
      const id = path.split("/")[2]!;
      const res = await call("city", "PATCH", path, { version: 1, ...patch });
      expect(res.status, kind).toBe(200);
      const after = await res.json();
      expect(after).toMatchObject({ id, ...patch, version: 2 });
      const [created, updated] = await auditHistory(h.deps.db, kind, id);
      expect(updated).toMatchObject({ action: `${kind}.update`, actor: "user:city", entity: kind, entityId: id, before: created!.after, after });
    }
  });

  it("deletes each kind with the version read, auditing what went with it", async () => {
    const del = async (kind: string, id: string) => {
      expect((await call("city", "DELETE", `/${kind}s/${id}?version=2`)).status, `${kind} ${id}`).toBe(200);
      const entries = await auditHistory(h.deps.db, kind, id);
      expect(entries.at(-1)).toMatchObject({ action: `${kind}.delete`, actor: "user:city", after: null });
      return entries.at(-1)!.before;
    };
    expect((await call("city", "PATCH", "/indicators/sy2026-p01-b", { version: 1, unit: "所" })).status).toBe(200);
    expect(await del("indicator", "sy2026-p01-b")).toEqual({
      id: "sy2026-p01-b", project: "sy2026-p01", name: "指标", unit: "所", kind: "quantity", aggregation: "sum", linkedTo: null, schedule: null, version: 2,
      targets: [{ region: "430523", value: 7 }],
    });
    expect(await del("project", "sy2026-p01")).toEqual({ id: "sy2026-p01", item: "sy2026-i01", no: 1, title: "改过的项目", leadUnit: "zj", version: 2, indicators: ["sy2026-p01-a"] });
    expect(await count("indicators WHERE id = 'sy2026-p01-a'")).toBe(0);
    expect((await call("city", "POST", "/items/sy2026-i01/projects", { id: "sy2026-p02", no: 2, title: "项目二", leadUnit: "edu" })).status).toBe(201);
    expect(await del("item", "sy2026-i01")).toEqual({ id: "sy2026-i01", plan: "sy2026", no: 1, title: "改过的实事", version: 2, projects: ["sy2026-p02"], indicators: [] });
    expect(await count("projects WHERE id = 'sy2026-p02'")).toBe(0);
  });
});

describe("two staff editing at once", () => {
  it("lets the first change win and answers the second 409 with the current version", async () => {
    const read = await (await call("city", "GET", "/plans/sy2025/outline")).json();
    const v = read.projects[0].version as number;
    expect((await call("city", "PATCH", "/projects/sy2025-p01", { version: v, title: "新建改扩建学位" })).status).toBe(200);
    const second = await call("admin", "PATCH", "/projects/sy2025-p01", { version: v, title: "别的标题" });
    expect(second.status).toBe(409);
    expect((await second.json()).error.currentVersion).toBe(v + 1);
    expect((await h.deps.db.query<{ title: string }>("SELECT title FROM projects WHERE id = 'sy2025-p01'")).rows[0]!.title).toBe("新建改扩建学位");
  });

  it("treats a bundle import that rewrites a record as a change: the editor's copy goes stale", async () => {
    const read = await (await call("city", "GET", "/plans/sy2025/outline")).json();
    const bundle = {
      format: "minsheng.bundle/v1",
      regions: [{ code: "430000", name: "湖南省", level: "province", parent: null }, { code: "430500", name: "邵阳市", level: "city", parent: "430000" }],
      plans: [{ id: "sy2025", year: 2025, level: "city", region: "430500", title: "2025年邵阳市重点民生实事（导入）" }],
    };
    expect((await call("admin", "POST", "/bundles", bundle)).status).toBe(201);
    const res = await call("city", "PATCH", "/plans/sy2025", { version: read.plan.version, title: "编辑" });
    expect(res.status).toBe(409);
    // re-importing identical data changes nothing, so it does not bump versions
    const now = (await (await call("city", "GET", "/plans/sy2025/outline")).json()).plan.version;
    expect((await call("admin", "POST", "/bundles", bundle)).status).toBe(201);
    expect((await (await call("city", "GET", "/plans/sy2025/outline")).json()).plan.version).toBe(now);
  });
});

describe("who may edit what", () => {
  it("keeps structure with the region that issued the plan", async () => {
    expect((await call("city", "PATCH", "/plans/hn2024", { version: 1, title: "改省定计划" })).status).toBe(403);
    expect((await call("province", "PATCH", "/plans/sy2025", { version: 99, title: "改市定计划" })).status).toBe(403);
    expect((await call("city", "POST", "/plans", { id: "hn2025", year: 2025, level: "province", region: "430000", title: "越级" })).status).toBe(403);
    expect((await call("county", "POST", "/plans/sy2025/items", { id: "x-i", no: 9, title: "x" })).status).toBe(403);
    expect((await call("reporter", "PATCH", "/items/sy2025-i01", { version: 1, title: "x" })).status).toBe(403);
    expect((await call(null, "PATCH", "/items/sy2025-i01", { version: 1, title: "x" })).status).toBe(401);
    const outline = await (await call("observer", "GET", "/plans/sy2025/outline")).json();
    expect(outline.plan.editable).toBe(false);
    expect((await (await call("province", "GET", "/plans/hn2024/outline")).json()).plan.editable).toBe(true);
  });

  it("lets the city split a province target down to its counties, not change the target the province gave it", async () => {
    const tree = await rowsOf(await call("city", "GET", "/indicators/hn2024-p02-a/targets?depth=1"));
    expect(tree.get("430500")).toMatchObject({ editable: false, own: null });
    expect(tree.get("430523")!.editable).toBe(true);
    const v = tree.get("430523")!.version;
    const ok = await call("city", "PUT", "/indicators/hn2024-p02-a/targets", { targets: [{ region: "430523", value: 40, version: v }] });
    expect(ok.status).toBe(200);
    expect((await call("city", "PUT", "/indicators/hn2024-p02-a/targets", { targets: [{ region: "430500", value: 300 }] })).status).toBe(403);
    expect((await call("city", "PUT", "/indicators/hn2024-p02-a/targets", { targets: [{ region: "430000", value: 300 }] })).status).toBe(403);
    // the province assigns the city's own target
    const prov = await call("province", "PUT", "/indicators/hn2024-p02-a/targets?region=430500&depth=1", { targets: [{ region: "430500", value: 300 }] });
    expect(prov.status).toBe(200);
    expect((await rowsOf(prov)).get("430500")).toMatchObject({ own: 300, editable: true });
    expect((await call("county", "PUT", "/indicators/hn2024-p02-a/targets", { targets: [{ region: "430523", value: 1, version: 2 }] })).status).toBe(403);
    expect((await call("reporter", "GET", "/indicators/hn2024-p02-a/targets")).status).toBe(200);
    expect((await call("reporter", "GET", "/indicators/hn2024-p02-a/targets?region=430500")).status).toBe(403);
  });

  it("keeps a plan's year while it holds figures, and an indicator a quantity while a target is above 100", async () => {
    const plan = (await (await call("admin", "GET", "/plans/hn2024/outline")).json()).plan;
    const year = await call("admin", "PATCH", "/plans/hn2024", { version: plan.version, year: 2025 });
    expect(year.status).toBe(400);
    expect((await year.json()).error).toMatchObject({ code: "PLAN_YEAR_HAS_FIGURES", problems: [{ path: "$.year" }] });
    // 430500's own target of hn2024-p02-a is 300 (set above)
    const indicator = (await (await call("admin", "GET", "/indicators/hn2024-p02-a/targets")).json()).indicator;
    const milestone = await call("admin", "PATCH", "/indicators/hn2024-p02-a", { version: indicator.version, kind: "milestone" });
    expect(milestone.status).toBe(400);
    expect((await milestone.json()).error).toMatchObject({ code: "INDICATOR_MILESTONE_TARGETS", problems: [{ path: "$.kind" }] });
    expect((await (await call("admin", "GET", "/plans/hn2024/outline")).json()).plan).toEqual(plan);
  });

  it("refuses a cross-site write carrying the session cookie", async () => {
    const res = await h.call(cookie.city!, "PATCH", `${API}/items/sy2025-i01`, { version: 1, title: "跨站" }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect((await h.deps.db.query<{ title: string }>("SELECT title FROM items WHERE id = 'sy2025-i01'")).rows[0]!.title).toBe("推进教育高质量发展");
  });

  it("leaves an intact audit chain behind every write", async () => {
    expect((await verifyAuditChain(h.deps.db)).ok).toBe(true);
  });
});
