import { Aggregation, IndicatorKind, PlanLevel, Schedule } from "@minsheng/domain";
import { z } from "zod";
import type { ApiOperation } from "./openapi.js";
import { type Entry, entries, type OperationKey } from "./openapi-entry.js";
import {
  DeleteQuery,
  IndicatorPatch,
  ItemPatch,
  NewIndicator,
  NewItem,
  NewPlan,
  NewProject,
  PlanIdParam,
  PlanPatch,
  ProjectPatch,
  RecordIdParam,
  TargetsBody,
  TargetsQuery,
} from "./routes/plan-editor.js";

/**
 * The OpenAPI entries of 计划管理 (routes/plan-editor.ts): plans, items, projects, indicators,
 * targets per region and schedules, kept beside the registry in openapi.ts, which lists them.
 */

const Version = z.number().int().describe("send it back with a change: a stale one is a 409");

const PlanRecord = z.object({ id: z.string(), year: z.number().int(), level: PlanLevel, region: z.string(), title: z.string(), schedule: Schedule, version: Version });
const ItemRecord = z.object({ id: z.string(), plan: z.string(), no: z.number().int(), title: z.string(), version: Version });
const ProjectRecord = z.object({ id: z.string(), item: z.string(), no: z.number().int(), title: z.string(), leadUnit: z.string(), version: Version });
const IndicatorRecord = z.object({
  id: z.string(),
  project: z.string(),
  name: z.string(),
  unit: z.string(),
  kind: IndicatorKind,
  aggregation: Aggregation,
  linkedTo: z.string().nullable().describe("纳入省定统一调度: the actual comes from this indicator of another plan"),
  schedule: Schedule.nullable().describe("its own schedule; null follows the plan's"),
  version: Version,
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

const structure = "the plan must be issued by your own region (admins: any plan)";

/** Deleting an item, project or indicator at the version read (one handler serves the three): 409 while something hangs on it. */
const deletion = (key: OperationKey, operationId: string, summary: Entry["summary"], description: string): Entry => ({
  key, operationId, summary, description,
  params: RecordIdParam, query: DeleteQuery,
  success: { status: 200, description: "deleted", schema: Ok },
  errors: [409],
});

export const planEditorOperations: ApiOperation[] = [
  ...entries({ tag: "plans" }, [
    {
      key: "POST /plans", operationId: "createPlan", access: "plans.edit",
      summary: ["新建计划", "Create a plan issued by your region"],
      scope: "`region` must be your own region (admins: any)",
      description: "The level must match the region's (province, city, county or zone). A used id is a 400 at `$.id`.",
      body: NewPlan, bodyExample: { id: "sy2025", year: 2025, level: "city", region: "430500", title: "2025年邵阳市重点民生实事", schedule: "linear-monthly" },
      success: { status: 201, description: "the plan", schema: PlanRecord },
    },
    {
      key: "GET /plans/{planId}/outline", operationId: "planOutline", access: "plans.read",
      summary: ["计划结构", "A plan's items, projects and indicators with their versions"],
      scope: "plans issued within your area or above it",
      params: PlanIdParam, examples: { planId: "sy2024" },
      success: { status: 200, description: "the plan's structure", schema: Outline },
    },
  ]),
  ...entries({ tag: "plans", access: "plans.edit", scope: structure }, [
    {
      key: "PATCH /plans/{planId}", operationId: "updatePlan",
      summary: ["修改计划", "Change a plan's title, year or schedule (序时进度)"],
      description: "The year cannot change once the plan holds monthly figures. A stale `version` is a 409.",
      params: PlanIdParam, body: PlanPatch, bodyExample: { version: 1, schedule: { type: "milestones", interpolation: "linear", points: [{ month: 6, fraction: 0.5 }, { month: 12, fraction: 1 }] } },
      success: { status: 200, description: "the plan", schema: PlanRecord },
      errors: [409],
    },
    {
      key: "POST /plans/{planId}/items", operationId: "createItem",
      summary: ["新增实事", "Add an item (实事) to a plan"],
      description: "Item numbers are unique within the plan.",
      params: PlanIdParam, body: NewItem, bodyExample: { id: "sy2024-i11", no: 11, title: "改善人居环境" },
      success: { status: 201, description: "the item", schema: ItemRecord },
    },
    {
      key: "PATCH /items/{id}", operationId: "updateItem",
      summary: ["修改实事", "Change an item's number or title"],
      params: RecordIdParam, body: ItemPatch, bodyExample: { version: 1, title: "推进教育高质量发展" },
      success: { status: 200, description: "the item", schema: ItemRecord },
      errors: [409],
    },
    deletion("DELETE /items/{id}", "deleteItem", ["删除实事", "Delete an item with its projects and indicators"], "Refused (409) while monthly figures, disclosure records, 码上通 content or citizens' suggestions hang on it, or another indicator links to one of its indicators."),
    {
      key: "POST /items/{id}/projects", operationId: "createProject",
      summary: ["新增项目", "Add a project (项目) to an item"],
      description: "Project numbers are unique within the plan; the lead unit must belong to the plan's area.",
      params: RecordIdParam, body: NewProject, bodyExample: { id: "sy2024-p25", no: 25, title: "城区停车位建设", leadUnit: "zj" },
      success: { status: 201, description: "the project", schema: ProjectRecord },
    },
    {
      key: "PATCH /projects/{id}", operationId: "updateProject",
      summary: ["修改项目", "Change a project's number, title or lead unit"],
      params: RecordIdParam, body: ProjectPatch, bodyExample: { version: 1, title: "普惠性托育“护蕾”行动" },
      success: { status: 200, description: "the project", schema: ProjectRecord },
      errors: [409],
    },
    deletion("DELETE /projects/{id}", "deleteProject", ["删除项目", "Delete a project with its indicators"], "Refused (409) while figures, disclosure, 码上通 content or suggestions hang on it, or a link points at one of its indicators."),
    {
      key: "POST /projects/{id}/indicators", operationId: "createIndicator",
      summary: ["新增指标", "Add an indicator: kind, unit, aggregation, optional link and schedule"],
      description: "`linkedTo` must name another plan's indicator you can see and must not close a cycle of links (the domain's reference checks).",
      params: RecordIdParam, body: NewIndicator, bodyExample: { id: "sy2024-p25-a", name: "新增停车位", unit: "个", kind: "quantity", aggregation: "sum" },
      success: { status: 201, description: "the indicator", schema: IndicatorRecord },
    },
    {
      key: "PATCH /indicators/{id}", operationId: "updateIndicator",
      summary: ["修改指标", "Change an indicator (null unlinks it or drops its own schedule)"],
      params: RecordIdParam, body: IndicatorPatch, bodyExample: { version: 1, schedule: { type: "milestones", interpolation: "step", points: [{ month: 6, fraction: 1 }] } },
      success: { status: 200, description: "the indicator", schema: IndicatorRecord },
      errors: [409],
    },
    deletion("DELETE /indicators/{id}", "deleteIndicator", ["删除指标", "Delete an indicator with its targets"], "Refused (409) while monthly figures exist for it or another indicator links to it."),
  ]),
  ...entries({ tag: "plans" }, [
    {
      key: "GET /indicators/{id}/targets", operationId: "indicatorTargets", access: "plans.read",
      summary: ["目标分解", "The split-down of an indicator's targets below a region (自我加压 marked)"],
      scope: "the plan must concern your area and `region` lie within it",
      params: RecordIdParam, query: TargetsQuery, examples: { id: "hn2024-p02-a", region: "430500", depth: "1" },
      success: { status: 200, description: "each region's own target beside its children's total", schema: TargetTree },
    },
    {
      key: "PUT /indicators/{id}/targets", operationId: "setTargets", access: "plans.edit",
      summary: ["设置目标任务", "Set, change or remove (null) regions' own targets, all or nothing"],
      scope: "regions inside your area; your own region's target only in a plan your region issued (the level above assigned it otherwise)",
      description: "Each row carries the version of the target you read (none when there was none): a stale one is a 409 naming the rows. Answers the split-down tree afterwards.",
      params: RecordIdParam, query: TargetsQuery, body: TargetsBody, bodyExample: { targets: [{ region: "430523", value: 30, version: 1 }] },
      success: { status: 200, description: "the split-down tree after the change", schema: TargetTree },
      errors: [409],
    },
  ]),
];
