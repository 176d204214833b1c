import { Aggregation, Id, Indicator, IndicatorKind, Item, Plan, PlanLevel, Project, Schedule, Target } from "@minsheng/domain";
import { z } from "zod";
import { requirePermission } from "../auth/middleware.js";
import { defineOperation, router } from "../lib/operation.js";
import { RegionCode } from "../lib/region-code.js";
import {
  createIndicator,
  createItem,
  createPlan,
  createProject,
  deleteRecord,
  planOutline,
  setTargets,
  targetTree,
  updateIndicator,
  updateItem,
  updatePlan,
  updateProject,
} from "./service.js";

/**
 * 计划管理: creating and editing plans, items (实事), projects (项目), indicators (指标), targets
 * per region (层层分解) and schedules, record by record (the workflow in service.ts). Bodies are
 * the domain's own schemas. Mounted at the API's root: its paths name the record.
 */

const Version = z.number({ error: "must be the version you read (a whole number)" }).int("must be a whole number").positive("must be positive");

export const PlanIdParam = z.object({ planId: Id });
export const RecordIdParam = z.object({ id: Id });
export const DeleteQuery = z.object({ version: z.coerce.number({ error: "must be the version you read" }).int().positive("must be the version you read") });

export const NewPlan = Plan;
export const PlanPatch = z.strictObject({ version: Version, title: Plan.shape.title.optional(), year: Plan.shape.year.optional(), schedule: Schedule.optional() });
export const NewItem = Item.omit({ plan: true });
export const ItemPatch = z.strictObject({ version: Version, no: Item.shape.no.optional(), title: Item.shape.title.optional() });
export const NewProject = Project.omit({ item: true });
export const ProjectPatch = z.strictObject({ version: Version, no: Project.shape.no.optional(), title: Project.shape.title.optional(), leadUnit: Project.shape.leadUnit.optional() });
export const NewIndicator = Indicator.omit({ project: true });
export const IndicatorPatch = z.strictObject({
  version: Version,
  name: Indicator.shape.name.optional(),
  unit: Indicator.shape.unit.optional(),
  kind: Indicator.shape.kind.optional(),
  aggregation: Indicator.shape.aggregation.optional(),
  /** null unlinks */
  linkedTo: Id.nullable().optional(),
  /** null: follow the plan's schedule */
  schedule: Schedule.nullable().optional(),
});
export const TargetsQuery = z.object({
  region: RegionCode.optional().describe("root of the tree (default: the plan's region, or your own region when the plan is above it)"),
  depth: z.coerce.number().int().min(1).max(6).default(2).describe("levels below the root to list"),
});
export const TargetsBody = z.object({
  targets: z
    .array(
      z.object({
        region: RegionCode,
        /** the region's own target; null removes it */
        value: Target.shape.value.nullable(),
        /** the version of the target row you read; absent or null when it had none */
        version: z.number().int().positive().nullable().optional(),
      }),
    )
    .min(1, "needs at least one target")
    .max(10_000, "at most 10,000 targets at once"),
});

// ---------------------------------------------------------------------------------------------
// Answers

const RecordVersion = z.number().int().describe("send it back with a change: a stale one is a 409");

const PlanRecord = z.object({ id: z.string(), year: z.number().int(), level: PlanLevel, region: z.string(), title: z.string(), schedule: Schedule, version: RecordVersion });
const ItemRecord = z.object({ id: z.string(), plan: z.string(), no: z.number().int(), title: z.string(), version: RecordVersion });
const ProjectRecord = z.object({ id: z.string(), item: z.string(), no: z.number().int(), title: z.string(), leadUnit: z.string(), version: RecordVersion });
const IndicatorRecord = z.object({
  id: z.string(),
  project: z.string(),
  name: z.string(),
  unit: z.string(),
  kind: IndicatorKind,
  aggregation: Aggregation,
  linkedTo: z.string().nullable().describe("纳入省定统一调度: the actual comes from this indicator of another plan"),
  schedule: Schedule.nullable().describe("its own schedule; null follows the plan's"),
  version: RecordVersion,
});

const Outline = z.object({
  plan: PlanRecord.extend({ editable: z.boolean().describe("whether you may change its structure") }),
  items: z.array(ItemRecord),
  projects: z.array(ProjectRecord),
  indicators: z.array(IndicatorRecord),
  units: z.array(z.object({ id: z.string(), name: z.string(), region: z.string() })).describe("units of the plan's area, for lead units"),
});

const TargetRow = z.object({
  region: z.string(),
  name: z.string(),
  level: z.string(),
  parent: z.string().nullable(),
  depth: z.number().int().describe("0 for the root"),
  hasChildren: z.boolean(),
  own: z.number().nullable().describe("the region's own target (目标任务)"),
  childrenTotal: z.number().nullable().describe("its children's targets combined (sum; mean for milestone percents)"),
  effective: z.number().nullable().describe("what rule 2 uses: own where assigned, else the children's"),
  pressure: z.boolean().describe("自我加压: children were given more than the own target"),
  shortfall: z.boolean().describe("未分解完: children hold less than the own target"),
  difference: z.number().nullable().describe("childrenTotal − own"),
  version: z.number().int().nullable().describe("of the own target row; null when there is none"),
  editable: z.boolean().describe("whether you may set this region's own target"),
});

const TargetTree = z.object({
  indicator: IndicatorRecord,
  plan: z.object({ id: z.string(), title: z.string(), region: z.string(), level: PlanLevel, year: z.number().int() }),
  root: z.string(),
  rows: z.array(TargetRow).describe("depth first, the root first"),
});

const Ok = z.object({ ok: z.literal(true) });

// ---------------------------------------------------------------------------------------------
// Operations

const structure = { tag: "plans", access: "plans.edit", scope: "the plan must be issued by your own region (admins: any plan)" } as const;

export const createPlanOp = defineOperation({
  tag: "plans", method: "post", path: "/plans", operationId: "createPlan", access: "plans.edit",
  summary: ["新建计划", "Create a plan issued by your region"],
  scope: "`region` must be your own region (admins: any)",
  description: "The level must match the region's (province, city, county or zone). A used id is a 400 at `$.id`.",
  body: NewPlan, bodyExample: { id: "sy2025", year: 2025, level: "city", region: "430500", title: "2025年邵阳市重点民生实事", schedule: "linear-monthly" },
  success: { status: 201, description: "the plan", schema: PlanRecord },
});

export const planOutlineOp = defineOperation({
  tag: "plans", method: "get", path: "/plans/{planId}/outline", operationId: "planOutline", access: "plans.read",
  summary: ["计划结构", "A plan's items, projects and indicators with their versions"],
  scope: "plans issued within your area or above it",
  params: PlanIdParam, examples: { planId: "sy2024" },
  success: { status: 200, description: "the plan's structure", schema: Outline },
});

export const updatePlanOp = defineOperation({
  ...structure, method: "patch", path: "/plans/{planId}", operationId: "updatePlan",
  summary: ["修改计划", "Change a plan's title, year or schedule (序时进度)"],
  description: "The year cannot change once the plan holds monthly figures. A stale `version` is a 409.",
  params: PlanIdParam, body: PlanPatch, bodyExample: { version: 1, schedule: { type: "milestones", interpolation: "linear", points: [{ month: 6, fraction: 0.5 }, { month: 12, fraction: 1 }] } },
  success: { status: 200, description: "the plan", schema: PlanRecord },
  errors: [409],
});

export const createItemOp = defineOperation({
  ...structure, method: "post", path: "/plans/{planId}/items", operationId: "createItem",
  summary: ["新增实事", "Add an item (实事) to a plan"],
  description: "Item numbers are unique within the plan.",
  params: PlanIdParam, body: NewItem, bodyExample: { id: "sy2024-i11", no: 11, title: "改善人居环境" },
  success: { status: 201, description: "the item", schema: ItemRecord },
});

export const updateItemOp = defineOperation({
  ...structure, method: "patch", path: "/items/{id}", operationId: "updateItem",
  summary: ["修改实事", "Change an item's number or title"],
  params: RecordIdParam, body: ItemPatch, bodyExample: { version: 1, title: "推进教育高质量发展" },
  success: { status: 200, description: "the item", schema: ItemRecord },
  errors: [409],
});

/** Deleting an item, project or indicator at the version read (one handler serves the three): 409 while something hangs on it. */
const deletion = { ...structure, method: "delete", params: RecordIdParam, query: DeleteQuery, success: { status: 200, description: "deleted", schema: Ok }, errors: [409] } as const;

export const deleteItemOp = defineOperation({
  ...deletion, path: "/items/{id}", operationId: "deleteItem",
  summary: ["删除实事", "Delete an item with its projects and indicators"],
  description: "Refused (409) while monthly figures, disclosure records, 码上通 content or citizens' suggestions hang on it, or another indicator links to one of its indicators.",
});

export const createProjectOp = defineOperation({
  ...structure, method: "post", path: "/items/{id}/projects", operationId: "createProject",
  summary: ["新增项目", "Add a project (项目) to an item"],
  description: "Project numbers are unique within the plan; the lead unit must belong to the plan's area.",
  params: RecordIdParam, body: NewProject, bodyExample: { id: "sy2024-p25", no: 25, title: "城区停车位建设", leadUnit: "zj" },
  success: { status: 201, description: "the project", schema: ProjectRecord },
});

export const updateProjectOp = defineOperation({
  ...structure, method: "patch", path: "/projects/{id}", operationId: "updateProject",
  summary: ["修改项目", "Change a project's number, title or lead unit"],
  params: RecordIdParam, body: ProjectPatch, bodyExample: { version: 1, title: "普惠性托育“护蕾”行动" },
  success: { status: 200, description: "the project", schema: ProjectRecord },
  errors: [409],
});

export const deleteProjectOp = defineOperation({
  ...deletion, path: "/projects/{id}", operationId: "deleteProject",
  summary: ["删除项目", "Delete a project with its indicators"],
  description: "Refused (409) while figures, disclosure, 码上通 content or suggestions hang on it, or a link points at one of its indicators.",
});

export const createIndicatorOp = defineOperation({
  ...structure, method: "post", path: "/projects/{id}/indicators", operationId: "createIndicator",
  summary: ["新增指标", "Add an indicator: kind, unit, aggregation, optional link and schedule"],
  description: "`linkedTo` must name another plan's indicator you can see and must not close a cycle of links (the domain's reference checks).",
  params: RecordIdParam, body: NewIndicator, bodyExample: { id: "sy2024-p25-a", name: "新增停车位", unit: "个", kind: "quantity", aggregation: "sum" },
  success: { status: 201, description: "the indicator", schema: IndicatorRecord },
});

export const updateIndicatorOp = defineOperation({
  ...structure, method: "patch", path: "/indicators/{id}", operationId: "updateIndicator",
  summary: ["修改指标", "Change an indicator (null unlinks it or drops its own schedule)"],
  params: RecordIdParam, body: IndicatorPatch, bodyExample: { version: 1, schedule: { type: "milestones", interpolation: "step", points: [{ month: 6, fraction: 1 }] } },
  success: { status: 200, description: "the indicator", schema: IndicatorRecord },
  errors: [409],
});

export const deleteIndicatorOp = defineOperation({
  ...deletion, path: "/indicators/{id}", operationId: "deleteIndicator",
  summary: ["删除指标", "Delete an indicator with its targets"],
  description: "Refused (409) while monthly figures exist for it or another indicator links to it.",
});

export const indicatorTargetsOp = defineOperation({
  tag: "plans", method: "get", path: "/indicators/{id}/targets", operationId: "indicatorTargets", access: "plans.read",
  summary: ["目标分解", "The split-down of an indicator's targets below a region (自我加压 marked)"],
  scope: "the plan must concern your area and `region` lie within it",
  params: RecordIdParam, query: TargetsQuery, examples: { id: "hn2024-p02-a", region: "430500", depth: "1" },
  success: { status: 200, description: "each region's own target beside its children's total", schema: TargetTree },
});

export const setTargetsOp = defineOperation({
  tag: "plans", method: "put", path: "/indicators/{id}/targets", operationId: "setTargets", access: "plans.edit",
  summary: ["设置目标任务", "Set, change or remove (null) regions' own targets, all or nothing"],
  scope: "regions inside your area; your own region's target only in a plan your region issued (the level above assigned it otherwise)",
  description: "Each row carries the version of the target you read (none when there was none): a stale one is a 409 naming the rows. Answers the split-down tree afterwards.",
  params: RecordIdParam, query: TargetsQuery, body: TargetsBody, bodyExample: { targets: [{ region: "430523", value: 30, version: 1 }] },
  success: { status: 200, description: "the split-down tree after the change", schema: TargetTree },
  errors: [409],
});

// ---------------------------------------------------------------------------------------------
// Handlers

/** Mounted at the API's root. */
export const planEditorRoutes = router()
  .openapi(createPlanOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    return c.json(await createPlan(c.get("deps"), p, c.req.valid("json")), 201);
  })
  .openapi(planOutlineOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    return c.json(await planOutline(c.get("deps"), p, c.req.valid("param").planId), 200);
  })
  .openapi(updatePlanOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    return c.json(await updatePlan(c.get("deps"), p, c.req.valid("param").planId, c.req.valid("json")), 200);
  })
  .openapi(createItemOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    return c.json(await createItem(c.get("deps"), p, c.req.valid("param").planId, c.req.valid("json")), 201);
  })
  .openapi(updateItemOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    return c.json(await updateItem(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json")), 200);
  })
  .openapi(deleteItemOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    await deleteRecord(c.get("deps"), p, "item", c.req.valid("param").id, c.req.valid("query").version);
    return c.json({ ok: true as const }, 200);
  })
  .openapi(createProjectOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    return c.json(await createProject(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json")), 201);
  })
  .openapi(updateProjectOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    return c.json(await updateProject(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json")), 200);
  })
  .openapi(deleteProjectOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    await deleteRecord(c.get("deps"), p, "project", c.req.valid("param").id, c.req.valid("query").version);
    return c.json({ ok: true as const }, 200);
  })
  .openapi(createIndicatorOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    return c.json(await createIndicator(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json")), 201);
  })
  .openapi(updateIndicatorOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    return c.json(await updateIndicator(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json")), 200);
  })
  .openapi(deleteIndicatorOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    await deleteRecord(c.get("deps"), p, "indicator", c.req.valid("param").id, c.req.valid("query").version);
    return c.json({ ok: true as const }, 200);
  })
  .openapi(indicatorTargetsOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    const { id } = c.req.valid("param");
    const { region, depth } = c.req.valid("query");
    const deps = c.get("deps");
    const regions = await deps.regions.ready();
    return c.json(await targetTree(deps.db, regions, p, id, region, depth), 200);
  })
  .openapi(setTargetsOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    const { id } = c.req.valid("param");
    const { region, depth } = c.req.valid("query");
    const deps = c.get("deps");
    await setTargets(deps, p, id, c.req.valid("json").targets);
    // the split-down tree afterwards, as GET answers it
    return c.json(await targetTree(deps.db, await deps.regions.ready(), p, id, region, depth), 200);
  });
