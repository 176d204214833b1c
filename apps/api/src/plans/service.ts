import { summarizePlan } from "@minsheng/bulletin";
import { type ErrorCode, type ErrorParams, type EvaluateOptions, evaluateModel, type Problem, referenceProblems, regionLevelLabel, type RegionLevel, type Schedule, splitDown, splitNodes } from "@minsheng/domain";
import { appendAudit, type Queryable } from "@minsheng/db";
import { Either } from "@minsheng/domain";
import { assertRegion, mayAccessRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import { can } from "../auth/roles.js";
import { loadDisclosureContent } from "../lib/compliance.js";
import type { Deps } from "../lib/context.js";
import { CodedError, fail } from "../lib/errors.js";
import { preparedPlans } from "../lib/plan-cache.js";
import type { RegionDirectory } from "../lib/regions.js";
import * as data from "./data.js";
import type { IndicatorRecord, PlanRecord, RecordKind, RecordOf } from "./data.js";

/**
 * 计划管理 and progress, the workflow: who may see and edit a plan, the checks against what is
 * stored (numbers, ids, units, links, dependents), each write in its transaction with its audit
 * entry, the split-down of targets, and a plan's evaluation. Every write carries the version the
 * editor read: a stale one is a 409, so two staff cannot overwrite each other. Structure is edited
 * by the task force that issued the plan (admins: any plan); targets by staff for regions inside
 * their area — the split-down of a target handed to them.
 *
 * Errors keep the English messages integrators saw
 * before; each has its own code (@minsheng/domain error-codes).
 */

// ---------------------------------------------------------------------------------------------
// Errors

/** An error of the table with the English detail it always carried (and, for a 409, what the client needs to recover). */
export const refusal = <C extends ErrorCode>(code: C, params: ErrorParams<C>, message: string, extra: Record<string, unknown> = {}) => new CodedError(code, params, message, [], extra);

/** A field's problem with the error it is refused with. */
export interface FieldProblem extends Problem {
  error: CodedError;
}
export const problem = (error: CodedError, path: string, message: string): FieldProblem => ({ error, path, message });

/** The 400 of the problems (at least one): every problem listed at once, under the first one's code. */
export const invalidInput = ([first, ...rest]: readonly [FieldProblem, ...FieldProblem[]], message = "invalid input") =>
  new CodedError(first.error.code, first.error.params, message, [first, ...rest].map(({ path, message, error }) => ({ path, message, code: error.code, params: error.params })));

/** Refuses the input when anything is wrong. */
export function refuse(problems: readonly FieldProblem[]): void {
  const [first, ...rest] = problems;
  if (first) throw invalidInput([first, ...rest]);
}

const notFound = { item: "ITEM_NOT_FOUND", project: "PROJECT_NOT_FOUND", indicator: "INDICATOR_NOT_FOUND" } as const;
const stale = { plan: "PLAN_VERSION_STALE", item: "ITEM_VERSION_STALE", project: "PROJECT_VERSION_STALE", indicator: "INDICATOR_VERSION_STALE" } as const;
const inUse = { item: "ITEM_IN_USE", project: "PROJECT_IN_USE", indicator: "INDICATOR_IN_USE" } as const;
const idTaken = { plans: "PLAN_ID_TAKEN", items: "ITEM_ID_TAKEN", projects: "PROJECT_ID_TAKEN", indicators: "INDICATOR_ID_TAKEN" } as const;

// ---------------------------------------------------------------------------------------------
// Who may do what

/** Whether the plan concerns the caller: issued within its area or above it (as GET /plans lists). */
export const planVisible = (p: Principal, plan: { region: string }, regions: RegionDirectory) =>
  mayAccessRegion(p, plan.region, regions) || (p.region !== null && regions.isWithin(p.region, plan.region));

/** The plan's structure is edited by the task force of the region that issued it; admins edit any. */
export const mayEditPlan = (p: Principal, plan: { region: string }) => p.region === null || p.region === plan.region;

function assertPlanEditable(p: Principal, plan: PlanRecord): void {
  if (!mayEditPlan(p, plan))
    throw refusal("PLAN_ISSUED_ELSEWHERE", { id: plan.id, region: plan.region, own: p.region ?? "" }, `plan ${plan.id} was issued by region ${plan.region}; you edit the plans of ${p.region} only`);
}

/**
 * Targets are split down inside one's area: staff set the targets of the regions below them, and
 * their own region's target only in a plan their region issued (the level above assigned it otherwise).
 */
function mayEditTarget(p: Principal, plan: PlanRecord, region: string, regions: RegionDirectory): boolean {
  if (p.region === null) return true;
  if (!regions.isWithin(region, p.region)) return false;
  return region !== p.region || plan.region === p.region;
}

const checkVersion = (kind: keyof typeof stale, id: string, current: number, sent: number) => {
  if (current !== sent)
    throw refusal(stale[kind], { id, current, sent }, `${kind} ${id} changed since you read it (version ${current}, not ${sent}); reload it`, { currentVersion: current });
};

const LEVEL_OF_PLAN: Record<PlanRecord["level"], string[]> = { province: ["province"], city: ["city"], county: ["county", "zone"] };

async function loadPlan(db: Queryable, id: string, lock = false): Promise<PlanRecord> {
  const plan = await data.findPlan(db, id, lock);
  if (!plan) throw refusal("PLAN_NOT_FOUND", { id }, `plan ${id} not found`);
  return plan;
}

async function loadRecord<K extends RecordKind>(db: Queryable, kind: K, id: string, lock = false) {
  const found = await data.findRecord(db, kind, id, lock);
  const code: (typeof notFound)[RecordKind] = notFound[kind];
  if (!found) throw refusal(code, { id }, `${kind} ${id} not found`);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Checks against what is stored

/** The number must be free within the plan (items and projects are numbered per plan). */
async function numberProblems(db: Queryable, kind: "item" | "project", planId: string, no: number, except: string | null): Promise<FieldProblem[]> {
  const other = await data.numberUsedBy(db, kind, planId, no, except);
  if (other === null) return [];
  const error = kind === "item" ? fail("ITEM_NO_TAKEN", { no, other }) : fail("PROJECT_NO_TAKEN", { no, other });
  return [problem(error, "$.no", `is already used by ${kind} ${other} in this plan`)];
}

async function idProblems(db: Queryable, table: keyof typeof idTaken, id: string): Promise<FieldProblem[]> {
  return (await data.idExists(db, table, id)) ? [problem(fail(idTaken[table], { id }), "$.id", `is already used by another ${table.slice(0, -1)}`)] : [];
}

async function unitProblems(db: Queryable, unit: string, plan: PlanRecord, regions: RegionDirectory): Promise<FieldProblem[]> {
  const r = await data.unitRegion(db, unit);
  if (r === null) return [problem(fail("LEAD_UNIT_UNKNOWN", { unit }), "$.leadUnit", `unknown unit "${unit}"`)];
  if (!regions.isWithin(r, plan.region) && !regions.isWithin(plan.region, r))
    return [problem(fail("LEAD_UNIT_OUTSIDE_PLAN", { unit, region: r, planRegion: plan.region }), "$.leadUnit", `unit ${unit} belongs to region ${r}, outside the plan's area ${plan.region}`)];
  return [];
}

/**
 * A link must name another plan's indicator that the caller can see, and must not close a cycle —
 * the domain's reference checks decide, on every stored indicator with this one changed.
 */
async function linkProblems(db: Queryable, p: Principal, regions: RegionDirectory, self: { id: string; project: string; linkedTo: string | null }, plan: PlanRecord): Promise<FieldProblem[]> {
  if (self.linkedTo === null) return [];
  const source = await data.planOfIndicator(db, self.linkedTo);
  const problems: FieldProblem[] = [];
  if (source) {
    if (source.plan === plan.id) problems.push(problem(fail("INDICATOR_LINK_SAME_PLAN"), "$.linkedTo", "must be an indicator of another plan (纳入上级统一调度)"));
    else if (!planVisible(p, source, regions)) problems.push(problem(fail("INDICATOR_LINK_OUTSIDE_AREA", { plan: source.plan }), "$.linkedTo", `is in plan ${source.plan}, outside your area`));
  }
  const indicators = (await data.indicatorLinks(db)).filter((r) => r.id !== self.id).map((r) => ({ id: r.id, project: r.project, linkedTo: r.linkedTo ?? undefined }));
  indicators.push({ id: self.id, project: self.project, linkedTo: self.linkedTo });
  const at = `$.indicators[${indicators.length - 1}].linkedTo`;
  const found = referenceProblems({ regions: [], units: [], plans: [], items: [], projects: [], indicators, targets: [], progress: [], disclosure: [] });
  // the domain says what is wrong with the link: an unknown indicator, itself, or a cycle
  const codeOf = () =>
    !source ? fail("INDICATOR_LINK_UNKNOWN", { linkedTo: self.linkedTo ?? "" }) : self.linkedTo === self.id ? fail("INDICATOR_LINK_SELF") : fail("INDICATOR_LINK_CYCLE", { id: self.id });
  for (const pr of found) if (pr.path === at) problems.push(problem(codeOf(), "$.linkedTo", pr.message));
  return problems;
}

/** Refuses (409) the deletion while figures, disclosure or citizens' content hang on the records, or links point at them. */
async function assertDeletable(db: Queryable, kind: RecordKind, id: string, projects: string[], indicators: string[]) {
  const d = await data.dependentsOf(db, projects, indicators);
  const blockers: string[] = [];
  if (d.reports > 0) blockers.push(`${d.reports} monthly figure(s)`);
  if (d.disclosure > 0) blockers.push(`${d.disclosure} disclosure record(s)`);
  if (d.content > 0) blockers.push(`${d.content} published 码上通 item(s)`);
  if (d.feedback > 0) blockers.push(`${d.feedback} citizens' suggestion(s)`);
  if (d.linked.length > 0) blockers.push(`indicator(s) linked to it: ${d.linked.join(", ")}`);
  if (blockers.length > 0) throw refusal(inUse[kind], { id }, `${kind} ${id} cannot be deleted: ${blockers.join("; ")} depend on it`, { blockers });
}

/**
 * What a deletion takes with it, checked first: refused (409) while figures, disclosure, citizens'
 * content or links hang on any of it; what goes is kept in the audit's before.
 */
const DEPENDENTS: { [K in RecordKind]: (tx: Queryable, id: string) => Promise<Record<string, unknown>> } = {
  async item(tx, id) {
    const projects = await data.projectIdsOfItem(tx, id);
    const indicators = await data.indicatorIdsOfProjects(tx, projects);
    await assertDeletable(tx, "item", id, projects, indicators);
    return { projects, indicators };
  },
  async project(tx, id) {
    const indicators = await data.indicatorIdsOfProject(tx, id);
    await assertDeletable(tx, "project", id, [id], indicators);
    return { indicators };
  },
  async indicator(tx, id) {
    await assertDeletable(tx, "indicator", id, [], [id]);
    return { targets: await data.targetsOfIndicator(tx, id) };
  },
};

// ---------------------------------------------------------------------------------------------
// Reading

/** The plans issued within the caller's area or above it (a county's staff see no other county's plan). */
export async function visiblePlans(deps: Deps, p: Principal) {
  const plans = await data.listPlans(deps.db);
  const regions = await deps.regions.ready();
  return plans.filter((plan) => planVisible(p, plan, regions));
}

/** The plan with its items, projects, indicators and versions, the units of its area, and whether the caller may edit it. */
export async function planOutline(deps: Deps, p: Principal, planId: string) {
  const regions = await deps.regions.ready();
  const plan = await loadPlan(deps.db, planId);
  if (!planVisible(p, plan, regions)) throw refusal("PLAN_OUTSIDE_AREA", { id: planId }, `plan ${planId} does not concern your area`);
  const { items, projects, indicators, units } = await data.planOutline(deps.db, planId);
  const related = (r: string) => regions.isWithin(r, plan.region) || regions.isWithin(plan.region, r);
  return { plan: { ...plan, editable: can(p.role, "plans.edit") && mayEditPlan(p, plan) }, items, projects, indicators, units: units.filter((u) => related(u.region)) };
}

/**
 * What `evaluateBundle` answers for the plan at a month and region, from verified figures in the
 * database and (rule 6) the content its sites hold; `counts` holds this plan's completed /
 * on_schedule / behind, `summary` the bulletin's sentence for it.
 */
export async function planProgress(deps: Deps, p: Principal, planId: string, period: string, region: string) {
  const { db, regions } = deps;
  await regions.ready();
  if (!regions.get(region)) throw refusal("REGION_NOT_FOUND", { region }, `region ${region} not found`);
  assertRegion(p, region, regions);
  const { model } = await preparedPlans(db, [planId]);
  const options: EvaluateOptions = { period, region, plan: planId };
  const content = await loadDisclosureContent(db, regions, deps.now(), period, region, [planId]);
  const evaluation = Either.getOrThrowWith(evaluateModel(model, options, content), (e) => e);
  const summary = summarizePlan({ bundle: model, period, region, plan: planId, evaluation });
  return { ...evaluation, counts: evaluation.counts[planId] ?? { completed: 0, on_schedule: 0, behind: 0 }, summary };
}

/** 层层分解: the indicator's targets below a region — each region's own target beside its children's total, 自我加压 marked. */
export async function targetTree(db: Queryable, regions: RegionDirectory, p: Principal, indicatorId: string, rootAsked: string | undefined, depth: number) {
  const { record: indicator, plan } = await loadRecord(db, "indicator", indicatorId);
  if (!planVisible(p, plan, regions)) throw refusal("PLAN_OUTSIDE_AREA", { id: plan.id }, `plan ${plan.id} does not concern your area`);
  const root = rootAsked ?? (p.region !== null && regions.isWithin(p.region, plan.region) ? p.region : plan.region);
  if (!regions.get(root)) throw refusal("REGION_NOT_FOUND", { region: root }, `region ${root} not found`);
  if (!mayAccessRegion(p, root, regions)) throw refusal("TARGET_ROOT_OUTSIDE_AREA", { region: root }, `region ${root} is outside your area`);
  if (!regions.isWithin(root, plan.region))
    throw invalidInput([problem(fail("TARGET_ROOT_OUTSIDE_PLAN", { region: root, planRegion: plan.region }), "$.query.region", `is outside the plan's area (${plan.region})`)]);
  const subtree = regions.subtree(root);
  const rows = await data.targetsIn(db, indicatorId, subtree);
  const versions = new Map(rows.map((r) => [r.region, r.version]));
  const tree = splitDown(
    subtree.map((c) => regions.get(c)!),
    rows.map((r) => ({ region: r.region, value: r.value })),
    root,
    { aggregation: indicator.aggregation, depth },
  )!;
  const parentOf = new Map<string, string | null>([[root, regions.get(root)!.parent]]);
  const depthOf = new Map<string, number>([[root, 0]]);
  for (const n of splitNodes(tree))
    for (const c of n.children) {
      parentOf.set(c.region, n.region);
      depthOf.set(c.region, depthOf.get(n.region)! + 1);
    }
  return {
    indicator,
    plan: { id: plan.id, title: plan.title, region: plan.region, level: plan.level, year: plan.year },
    root,
    rows: splitNodes(tree).map(({ children, ...n }) => ({
      ...n,
      parent: parentOf.get(n.region) ?? null,
      depth: depthOf.get(n.region)!,
      hasChildren: children.length > 0,
      version: versions.get(n.region) ?? null,
      editable: can(p.role, "plans.edit") && mayEditTarget(p, plan, n.region, regions),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Writing: each in one transaction, audited with before and after

type NewPlan = Omit<PlanRecord, "version">;

/** Creates a plan (年度民生实事计划) issued by the caller's region. */
export async function createPlan(deps: Deps, p: Principal, body: NewPlan): Promise<PlanRecord> {
  const regions = await deps.regions.ready();
  const region = regions.get(body.region);
  if (!region) throw invalidInput([problem(fail("PLAN_REGION_UNKNOWN", { region: body.region }), "$.region", `unknown region "${body.region}"`)]);
  if (!mayEditPlan(p, body)) throw refusal("PLAN_REGION_NOT_OWN", { own: p.region ?? "" }, `you issue plans for region ${p.region} only`);
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const problems = await idProblems(tx, "plans", body.id);
    if (!LEVEL_OF_PLAN[body.level].includes(region.level))
      problems.push(problem(fail("PLAN_LEVEL_MISMATCH", { name: region.name, levelLabel: regionLevelLabel[region.level as RegionLevel] ?? region.level }), "$.level", `does not match the region's level (${region.name} is ${region.level})`));
    refuse(problems);
    const created = await data.insertPlan(tx, body);
    await appendAudit(tx, { actor: p.actor, action: "plan.create", entity: "plan", entityId: created.id, before: null, after: created, at });
    return created;
  });
}

/** Changes a plan's title, year or schedule (序时进度: linear, or milestones); the year not once it holds figures. */
export async function updatePlan(deps: Deps, p: Principal, planId: string, body: { version: number; title?: string; year?: number; schedule?: Schedule }): Promise<PlanRecord> {
  await deps.regions.ready();
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const before = await loadPlan(tx, planId, true);
    assertPlanEditable(p, before);
    checkVersion("plan", planId, before.version, body.version);
    if (body.year !== undefined && body.year !== before.year && (await data.planHasFigures(tx, planId)))
      throw invalidInput([problem(fail("PLAN_YEAR_HAS_FIGURES"), "$.year", "cannot change: the plan already holds monthly figures of its year")]);
    const after = await data.updatePlan(tx, planId, { title: body.title ?? before.title, year: body.year ?? before.year, schedule: body.schedule ?? before.schedule });
    await appendAudit(tx, { actor: p.actor, action: "plan.update", entity: "plan", entityId: planId, before, after, at });
    return after;
  });
}

/** A record about to change: loaded locked (404), its plan the caller's to edit (403), at the version the editor read (409). */
async function openForEdit<K extends RecordKind>(tx: Queryable, p: Principal, kind: K, id: string, version: number) {
  const { record: before, plan } = await loadRecord(tx, kind, id, true);
  assertPlanEditable(p, plan);
  checkVersion(kind, id, before.version, version);
  return { before, plan };
}

/** Changes a record: `write` checks and stores the change, answering the updated record; audited with before and after. */
async function updateRecord<K extends RecordKind>(
  deps: Deps,
  p: Principal,
  kind: K,
  id: string,
  version: number,
  write: (tx: Queryable, before: RecordOf[K], plan: PlanRecord) => Promise<RecordOf[K]>,
): Promise<RecordOf[K]> {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const { before, plan } = await openForEdit(tx, p, kind, id, version);
    const after = await write(tx, before, plan);
    await appendAudit(tx, { actor: p.actor, action: `${kind}.update`, entity: kind, entityId: id, before, after, at });
    return after;
  });
}

/** Deletes an item, project or indicator with what hangs on it (see DEPENDENTS), audited. */
export async function deleteRecord(deps: Deps, p: Principal, kind: RecordKind, id: string, version: number): Promise<void> {
  const at = deps.now();
  await deps.db.transaction(async (tx) => {
    const { before } = await openForEdit(tx, p, kind, id, version);
    const goes = await DEPENDENTS[kind](tx, id);
    await data.deleteRecord(tx, kind, id);
    await appendAudit(tx, { actor: p.actor, action: `${kind}.delete`, entity: kind, entityId: id, before: { ...before, ...goes }, after: null, at });
  });
}

/** Adds an item (实事) to a plan; numbers are unique within the plan. */
export async function createItem(deps: Deps, p: Principal, planId: string, body: { id: string; no: number; title: string }) {
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const plan = await loadPlan(tx, planId, true);
    assertPlanEditable(p, plan);
    refuse([...(await idProblems(tx, "items", body.id)), ...(await numberProblems(tx, "item", planId, body.no, null))]);
    const created = await data.insertItem(tx, { id: body.id, plan: planId, no: body.no, title: body.title });
    await appendAudit(tx, { actor: p.actor, action: "item.create", entity: "item", entityId: created.id, before: null, after: created, at });
    return created;
  });
}

export const updateItem = (deps: Deps, p: Principal, id: string, body: { version: number; no?: number; title?: string }) =>
  updateRecord(deps, p, "item", id, body.version, async (tx, before, plan) => {
    if (body.no !== undefined) refuse(await numberProblems(tx, "item", plan.id, body.no, id));
    return data.updateItem(tx, id, { no: body.no ?? before.no, title: body.title ?? before.title });
  });

/** Adds a project (项目) to an item; its lead unit (牵头单位) must belong to the plan's area. */
export async function createProject(deps: Deps, p: Principal, itemId: string, body: { id: string; no: number; title: string; leadUnit: string }) {
  const regions = await deps.regions.ready();
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const { plan } = await loadRecord(tx, "item", itemId, true);
    assertPlanEditable(p, plan);
    refuse([
      ...(await idProblems(tx, "projects", body.id)),
      ...(await numberProblems(tx, "project", plan.id, body.no, null)),
      ...(await unitProblems(tx, body.leadUnit, plan, regions)),
    ]);
    const created = await data.insertProject(tx, { id: body.id, item: itemId, no: body.no, title: body.title, leadUnit: body.leadUnit });
    await appendAudit(tx, { actor: p.actor, action: "project.create", entity: "project", entityId: created.id, before: null, after: created, at });
    return created;
  });
}

export async function updateProject(deps: Deps, p: Principal, id: string, body: { version: number; no?: number; title?: string; leadUnit?: string }) {
  const regions = await deps.regions.ready();
  return updateRecord(deps, p, "project", id, body.version, async (tx, before, plan) => {
    refuse([
      ...(body.no !== undefined ? await numberProblems(tx, "project", plan.id, body.no, id) : []),
      ...(body.leadUnit !== undefined ? await unitProblems(tx, body.leadUnit, plan, regions) : []),
    ]);
    return data.updateProject(tx, id, { no: body.no ?? before.no, title: body.title ?? before.title, leadUnit: body.leadUnit ?? before.leadUnit });
  });
}

type NewIndicator = Omit<IndicatorRecord, "project" | "version" | "linkedTo" | "schedule"> & { linkedTo?: string; schedule?: Schedule };

/** Adds an indicator (指标): quantity or milestone, its unit and aggregation, optionally linked to another plan's indicator. */
export async function createIndicator(deps: Deps, p: Principal, projectId: string, body: NewIndicator) {
  const regions = await deps.regions.ready();
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const { plan } = await loadRecord(tx, "project", projectId, true);
    assertPlanEditable(p, plan);
    refuse([...(await idProblems(tx, "indicators", body.id)), ...(await linkProblems(tx, p, regions, { id: body.id, project: projectId, linkedTo: body.linkedTo ?? null }, plan))]);
    const created = await data.insertIndicator(tx, {
      id: body.id,
      project: projectId,
      name: body.name,
      unit: body.unit,
      kind: body.kind,
      aggregation: body.aggregation,
      linkedTo: body.linkedTo ?? null,
      schedule: body.schedule === undefined ? null : body.schedule,
    });
    await appendAudit(tx, { actor: p.actor, action: "indicator.create", entity: "indicator", entityId: created.id, before: null, after: created, at });
    return created;
  });
}

type IndicatorPatch = { version: number } & Partial<Pick<IndicatorRecord, "name" | "unit" | "kind" | "aggregation" | "linkedTo" | "schedule">>;

/** Changes an indicator (null unlinks it or drops its own schedule); not to a milestone while a target is above 100. */
export async function updateIndicator(deps: Deps, p: Principal, id: string, body: IndicatorPatch) {
  const regions = await deps.regions.ready();
  return updateRecord(deps, p, "indicator", id, body.version, async (tx, before, plan) => {
    const next = {
      name: body.name ?? before.name,
      unit: body.unit ?? before.unit,
      kind: body.kind ?? before.kind,
      aggregation: body.aggregation ?? before.aggregation,
      linkedTo: body.linkedTo === undefined ? before.linkedTo : body.linkedTo,
      schedule: body.schedule === undefined ? before.schedule : body.schedule,
    };
    const problems = body.linkedTo !== undefined ? await linkProblems(tx, p, regions, { id, project: before.project, linkedTo: next.linkedTo }, plan) : [];
    if (next.kind === "milestone" && before.kind !== "milestone" && (await data.hasTargetAbove(tx, id, 100)))
      problems.push(problem(fail("INDICATOR_MILESTONE_TARGETS"), "$.kind", "cannot be milestone: some targets are above 100 (a milestone is a percent)"));
    refuse(problems);
    return data.updateIndicator(tx, id, next);
  });
}

/**
 * Sets, changes or removes (value null) the own targets of regions, all or nothing. Each row
 * carries the version of the target read (none when it had none): a stale one is a 409.
 */
export async function setTargets(deps: Deps, p: Principal, id: string, targets: readonly { region: string; value: number | null; version?: number | null }[]): Promise<void> {
  const regions = await deps.regions.ready();
  const at = deps.now();
  await deps.db.transaction(async (tx) => {
    const { record: indicator, plan } = await loadRecord(tx, "indicator", id, true);
    const problems: FieldProblem[] = [];
    const seen = new Map<string, number>();
    targets.forEach((t, i) => {
      const path = `$.targets[${i}]`;
      const first = seen.get(t.region);
      if (first !== undefined) problems.push(problem(fail("TARGET_REGION_REPEATED", { region: t.region, first: first + 1 }), `${path}.region`, `repeats targets[${first}]`));
      seen.set(t.region, i);
      if (!regions.get(t.region)) problems.push(problem(fail("TARGET_REGION_UNKNOWN", { region: t.region }), `${path}.region`, `unknown region "${t.region}"`));
      else if (!regions.isWithin(t.region, plan.region))
        problems.push(problem(fail("TARGET_REGION_OUTSIDE_PLAN", { region: t.region, planRegion: plan.region }), `${path}.region`, `is outside the plan's area (${plan.region})`));
      if (indicator.kind === "milestone" && t.value !== null && t.value > 100) problems.push(problem(fail("TARGET_MILESTONE_OVER_100"), `${path}.value`, "is a milestone percent: at most 100"));
    });
    refuse(problems);
    const refused = targets.filter((t) => !mayEditTarget(p, plan, t.region, regions)).map((t) => t.region);
    if (refused.length > 0)
      throw refusal(
        "TARGETS_NOT_YOURS",
        { regions: refused.join("、") },
        `you may not set the targets of ${refused.join(", ")}: staff split targets down to the regions of their own area${p.region ? ` (${p.region})` : ""}`,
      );
    const rows = await data.targetsIn(
      tx,
      id,
      targets.map((t) => t.region),
      true,
    );
    const current = new Map(rows.map((r) => [r.region, { value: r.value, version: r.version }]));
    const changed = targets.filter((t) => (current.get(t.region)?.version ?? null) !== (t.version ?? null));
    if (changed.length > 0)
      throw refusal("TARGETS_VERSION_STALE", { regions: changed.map((t) => t.region).join("、") }, `targets changed since you read them: ${changed.map((t) => t.region).join(", ")}; reload them`, {
        current: changed.map((t) => ({ region: t.region, value: current.get(t.region)?.value ?? null, version: current.get(t.region)?.version ?? null })),
      });
    for (const t of targets) {
      const before = current.get(t.region) ?? null;
      if (before?.value === t.value || (before === null && t.value === null)) continue;
      let after: { value: number; version: number } | null = null;
      if (t.value === null) await data.deleteTarget(tx, id, t.region);
      else after = { value: t.value, version: await data.upsertTarget(tx, id, t.region, t.value) };
      await appendAudit(tx, { actor: p.actor, action: "target.set", entity: "target", entityId: `${id}@${t.region}`, before, after, at });
    }
  });
}
