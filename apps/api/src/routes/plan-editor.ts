import { Id, Indicator, Item, Plan, type Problem, Project, referenceProblems, Schedule, splitDown, splitNodes, Target } from "@minsheng/domain";
import { appendAudit, type Queryable } from "@minsheng/db";
import { Hono } from "hono";
import { createFactory } from "hono/factory";
import { z } from "zod";
import { mayAccessRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import type { Principal } from "../auth/principal.js";
import { can } from "../auth/roles.js";
import type { AppEnv } from "../lib/context.js";
import { conflict, forbidden, invalid, notFound } from "../lib/errors.js";
import type { RegionDirectory } from "../lib/regions.js";
import { jsonBody, paramsOf, queryOf } from "../lib/validate.js";

/**
 * 计划管理: creating and editing plans, items (实事), projects (项目), indicators (指标), targets
 * per region (层层分解) and schedules, record by record. Bodies are the domain's own schemas; linked
 * indicators go through the domain's reference checks. Every write is audited in its transaction
 * and carries the version the editor read: a stale one is a 409, so two staff cannot overwrite
 * each other. Structure is edited by the task force that issued the plan (admins: any plan);
 * targets by staff for regions inside their area — the split-down of a target handed to them.
 */

const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
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
// Records as the editor reads them

type Row = Record<string, unknown>;

interface PlanRecord {
  id: string;
  year: number;
  level: "province" | "city" | "county";
  region: string;
  title: string;
  schedule: Schedule;
  version: number;
}

const planView = (r: Row): PlanRecord => ({
  id: r.id as string,
  year: Number(r.year),
  level: r.level as PlanRecord["level"],
  region: r.region as string,
  title: r.title as string,
  schedule: r.schedule as Schedule,
  version: Number(r.version),
});
const itemView = (r: Row) => ({ id: r.id as string, plan: r.plan as string, no: Number(r.no), title: r.title as string, version: Number(r.version) });
const projectView = (r: Row) => ({ id: r.id as string, item: r.item as string, no: Number(r.no), title: r.title as string, leadUnit: r.lead_unit as string, version: Number(r.version) });
const indicatorView = (r: Row) => ({
  id: r.id as string,
  project: r.project as string,
  name: r.name as string,
  unit: r.unit as string,
  kind: r.kind as "quantity" | "milestone",
  aggregation: r.aggregation as "sum" | "mean",
  linkedTo: (r.linked_to as string | null) ?? null,
  schedule: (r.schedule as Schedule | null) ?? null,
  version: Number(r.version),
});

const PLAN_COLUMNS = "pl.id, pl.year, pl.level, pl.region, pl.title, pl.schedule, pl.version";

async function loadPlan(db: Queryable, id: string, lock = false): Promise<PlanRecord> {
  const { rows } = await db.query<Row>(`SELECT ${PLAN_COLUMNS} FROM plans pl WHERE pl.id = $1 ${lock ? "FOR UPDATE" : ""}`, [id]);
  if (!rows[0]) throw notFound(`plan ${id}`);
  return planView(rows[0]);
}

/** A record with the plan it belongs to (the record locked when `lock`), or 404. */
async function loadRecord(db: Queryable, kind: "item" | "project" | "indicator", id: string, lock = false) {
  const sql = {
    item: `SELECT to_jsonb(it) AS record, ${PLAN_COLUMNS} FROM items it JOIN plans pl ON pl.id = it.plan WHERE it.id = $1 ${lock ? "FOR UPDATE OF it" : ""}`,
    project: `SELECT to_jsonb(pr) AS record, ${PLAN_COLUMNS} FROM projects pr JOIN items it ON it.id = pr.item JOIN plans pl ON pl.id = it.plan
               WHERE pr.id = $1 ${lock ? "FOR UPDATE OF pr" : ""}`,
    indicator: `SELECT to_jsonb(i) AS record, ${PLAN_COLUMNS} FROM indicators i JOIN projects pr ON pr.id = i.project JOIN items it ON it.id = pr.item
                 JOIN plans pl ON pl.id = it.plan WHERE i.id = $1 ${lock ? "FOR UPDATE OF i" : ""}`,
  }[kind];
  const { rows } = await db.query<Row>(sql, [id]);
  if (!rows[0]) throw notFound(`${kind} ${id}`);
  return { record: rows[0].record as Row, plan: planView(rows[0]) };
}

// ---------------------------------------------------------------------------------------------
// Who may do what

/** Whether the plan concerns the caller: issued within its area or above it (as GET /plans lists). */
const planVisible = (p: Principal, plan: { region: string }, regions: RegionDirectory) =>
  mayAccessRegion(p, plan.region, regions) || (p.region !== null && regions.isWithin(p.region, plan.region));

/** The plan's structure is edited by the task force of the region that issued it; admins edit any. */
const mayEditPlan = (p: Principal, plan: { region: string }) => p.region === null || p.region === plan.region;

function assertPlanEditable(p: Principal, plan: PlanRecord): void {
  if (!mayEditPlan(p, plan)) throw forbidden(`plan ${plan.id} was issued by region ${plan.region}; you edit the plans of ${p.region} only`);
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

const checkVersion = (what: string, current: number, sent: number) => {
  if (current !== sent) throw conflict(`${what} changed since you read it (version ${current}, not ${sent}); reload it`, { currentVersion: current });
};

const LEVEL_OF_PLAN: Record<PlanRecord["level"], string[]> = { province: ["province"], city: ["city"], county: ["county", "zone"] };

// ---------------------------------------------------------------------------------------------
// Checks against what is stored

/** The number must be free within the plan (items and projects are numbered per plan). */
async function numberProblems(db: Queryable, kind: "item" | "project", planId: string, no: number, except: string | null): Promise<Problem[]> {
  const sql =
    kind === "item"
      ? "SELECT id FROM items WHERE plan = $1 AND no = $2 AND id <> $3"
      : "SELECT pr.id FROM projects pr JOIN items it ON it.id = pr.item WHERE it.plan = $1 AND pr.no = $2 AND pr.id <> $3";
  const { rows } = await db.query<{ id: string }>(sql, [planId, no, except ?? ""]);
  return rows[0] ? [{ path: "$.no", message: `is already used by ${kind} ${rows[0].id} in this plan` }] : [];
}

async function idProblems(db: Queryable, table: "plans" | "items" | "projects" | "indicators", id: string): Promise<Problem[]> {
  const { rows } = await db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
  return rows.length > 0 ? [{ path: "$.id", message: `is already used by another ${table.slice(0, -1)}` }] : [];
}

async function unitProblems(db: Queryable, unit: string, plan: PlanRecord, regions: RegionDirectory): Promise<Problem[]> {
  const { rows } = await db.query<{ region: string }>("SELECT region FROM units WHERE id = $1", [unit]);
  if (!rows[0]) return [{ path: "$.leadUnit", message: `unknown unit "${unit}"` }];
  const r = rows[0].region;
  if (!regions.isWithin(r, plan.region) && !regions.isWithin(plan.region, r)) return [{ path: "$.leadUnit", message: `unit ${unit} belongs to region ${r}, outside the plan's area ${plan.region}` }];
  return [];
}

/**
 * A link must name another plan's indicator that the caller can see, and must not close a cycle —
 * the domain's reference checks decide, on every stored indicator with this one changed.
 */
async function linkProblems(db: Queryable, p: Principal, regions: RegionDirectory, self: { id: string; project: string; linkedTo: string | null }, plan: PlanRecord): Promise<Problem[]> {
  if (self.linkedTo === null) return [];
  const { rows: source } = await db.query<{ plan: string; region: string }>(
    `SELECT pl.id AS plan, pl.region FROM indicators i JOIN projects pr ON pr.id = i.project JOIN items it ON it.id = pr.item JOIN plans pl ON pl.id = it.plan WHERE i.id = $1`,
    [self.linkedTo],
  );
  const problems: Problem[] = [];
  if (source[0]) {
    if (source[0].plan === plan.id) problems.push({ path: "$.linkedTo", message: "must be an indicator of another plan (纳入上级统一调度)" });
    else if (!planVisible(p, source[0], regions)) problems.push({ path: "$.linkedTo", message: `is in plan ${source[0].plan}, outside your area` });
  }
  const { rows } = await db.query<{ id: string; project: string; linked_to: string | null }>("SELECT id, project, linked_to FROM indicators");
  const indicators = rows.filter((r) => r.id !== self.id).map((r) => ({ id: r.id, project: r.project, linkedTo: r.linked_to ?? undefined }));
  indicators.push({ id: self.id, project: self.project, linkedTo: self.linkedTo });
  const at = `$.indicators[${indicators.length - 1}].linkedTo`;
  const found = referenceProblems({ regions: [], units: [], plans: [], items: [], projects: [], indicators, targets: [], progress: [], disclosure: [] });
  for (const pr of found) if (pr.path === at) problems.push({ path: "$.linkedTo", message: pr.message });
  return problems;
}

/** Why records cannot be deleted: figures, disclosure or citizens' content hang on them, or links point at them. */
async function deletionBlockers(db: Queryable, projects: string[], indicators: string[]): Promise<string[]> {
  const { rows } = await db.query<{ reports: number; disclosure: number; content: number; feedback: number; linked: string[] }>(
    `SELECT (SELECT count(*) FROM reports WHERE indicator = ANY($2::text[]))::int AS reports,
            (SELECT count(*) FROM disclosure_records WHERE project = ANY($1::text[]))::int AS disclosure,
            (SELECT count(*) FROM site_content c JOIN project_sites s ON s.code = c.site WHERE s.project = ANY($1::text[]))::int AS content,
            (SELECT count(*) FROM feedback f JOIN project_sites s ON s.code = f.site WHERE s.project = ANY($1::text[]))::int AS feedback,
            ARRAY(SELECT id FROM indicators WHERE linked_to = ANY($2::text[]) AND NOT (id = ANY($2::text[])) ORDER BY id) AS linked`,
    [projects, indicators],
  );
  const r = rows[0]!;
  const out: string[] = [];
  if (r.reports > 0) out.push(`${r.reports} monthly figure(s)`);
  if (r.disclosure > 0) out.push(`${r.disclosure} disclosure record(s)`);
  if (r.content > 0) out.push(`${r.content} published 码上通 item(s)`);
  if (r.feedback > 0) out.push(`${r.feedback} citizens' suggestion(s)`);
  if (r.linked.length > 0) out.push(`indicator(s) linked to it: ${r.linked.join(", ")}`);
  return out;
}

async function assertDeletable(db: Queryable, what: string, projects: string[], indicators: string[]) {
  const blockers = await deletionBlockers(db, projects, indicators);
  if (blockers.length > 0) throw conflict(`${what} cannot be deleted: ${blockers.join("; ")} depend on it`, { blockers });
}

/**
 * The records below a plan that the editor changes one by one: how each reads, where it is stored,
 * and what a deletion takes with it — refused (409) while figures, disclosure, citizens' content
 * or links hang on any of it; what goes is kept in the audit's before.
 */
const RECORDS = {
  item: {
    view: itemView,
    table: "items",
    async dependents(tx: Queryable, id: string) {
      const { rows: projects } = await tx.query<{ id: string }>("SELECT id FROM projects WHERE item = $1", [id]);
      const projectIds = projects.map((r) => r.id);
      const { rows: indicators } = await tx.query<{ id: string }>("SELECT id FROM indicators WHERE project = ANY($1::text[])", [projectIds]);
      await assertDeletable(tx, `item ${id}`, projectIds, indicators.map((r) => r.id));
      return { projects: projectIds, indicators: indicators.map((r) => r.id) };
    },
  },
  project: {
    view: projectView,
    table: "projects",
    async dependents(tx: Queryable, id: string) {
      const { rows: indicators } = await tx.query<{ id: string }>("SELECT id FROM indicators WHERE project = $1", [id]);
      await assertDeletable(tx, `project ${id}`, [id], indicators.map((r) => r.id));
      return { indicators: indicators.map((r) => r.id) };
    },
  },
  indicator: {
    view: indicatorView,
    table: "indicators",
    async dependents(tx: Queryable, id: string) {
      await assertDeletable(tx, `indicator ${id}`, [], [id]);
      const { rows: targets } = await tx.query<{ region: string; value: string }>("SELECT region, value::text AS value FROM targets WHERE indicator = $1 ORDER BY region", [id]);
      return { targets: targets.map((t) => ({ region: t.region, value: Number(t.value) })) };
    },
  },
} as const;
type RecordKind = keyof typeof RECORDS;
type RecordOf<K extends RecordKind> = ReturnType<(typeof RECORDS)[K]["view"]>;

/** A record about to change: loaded locked (404), its plan the caller's to edit (403), at the version the editor read (409). */
async function openForEdit<K extends RecordKind>(tx: Queryable, p: Principal, kind: K, id: string, version: number) {
  const { record, plan } = await loadRecord(tx, kind, id, true);
  const before = RECORDS[kind].view(record) as RecordOf<K>;
  assertPlanEditable(p, plan);
  checkVersion(`${kind} ${id}`, before.version, version);
  return { before, plan };
}

/** Changes a record: `write` checks and stores the change, answering the updated row; audited with before and after. */
async function updateRecord<K extends RecordKind>(
  tx: Queryable,
  p: Principal,
  at: Date,
  kind: K,
  id: string,
  version: number,
  write: (before: RecordOf<K>, plan: PlanRecord) => Promise<Row>,
): Promise<RecordOf<K>> {
  const { before, plan } = await openForEdit(tx, p, kind, id, version);
  const after = RECORDS[kind].view(await write(before, plan)) as RecordOf<K>;
  await appendAudit(tx, { actor: p.actor, action: `${kind}.update`, entity: kind, entityId: id, before, after, at });
  return after;
}

/** Deletes a record with what hangs on it (see RECORDS), audited. */
async function deleteRecord(tx: Queryable, p: Principal, at: Date, kind: RecordKind, id: string, version: number): Promise<void> {
  const { before } = await openForEdit(tx, p, kind, id, version);
  const goes = await RECORDS[kind].dependents(tx, id);
  await tx.query(`DELETE FROM ${RECORDS[kind].table} WHERE id = $1`, [id]);
  await appendAudit(tx, { actor: p.actor, action: `${kind}.delete`, entity: kind, entityId: id, before: { ...before, ...goes }, after: null, at });
}

// ---------------------------------------------------------------------------------------------
// The split-down of an indicator's targets

async function targetTree(db: Queryable, regions: RegionDirectory, p: Principal, indicatorId: string, rootAsked: string | undefined, depth: number) {
  const { record, plan } = await loadRecord(db, "indicator", indicatorId);
  const indicator = indicatorView(record);
  if (!planVisible(p, plan, regions)) throw forbidden(`plan ${plan.id} does not concern your area`);
  const root = rootAsked ?? (p.region !== null && regions.isWithin(p.region, plan.region) ? p.region : plan.region);
  if (!regions.get(root)) throw notFound(`region ${root}`);
  if (!mayAccessRegion(p, root, regions)) throw forbidden(`region ${root} is outside your area`);
  if (!regions.isWithin(root, plan.region)) throw invalid([{ path: "$.query.region", message: `is outside the plan's area (${plan.region})` }]);
  const subtree = regions.subtree(root);
  const { rows } = await db.query<{ region: string; value: string; version: number }>(
    "SELECT region, value::text AS value, version FROM targets WHERE indicator = $1 AND region = ANY($2::text[])",
    [indicatorId, subtree],
  );
  const versions = new Map(rows.map((r) => [r.region, Number(r.version)]));
  const tree = splitDown(
    subtree.map((c) => regions.get(c)!),
    rows.map((r) => ({ region: r.region, value: Number(r.value) })),
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
// Routes

const factory = createFactory<AppEnv>();

/** DELETE /{kind}s/:id?version=…, the same for each kind of record (see RECORDS for what goes with it). */
const deleteHandlers = (kind: RecordKind) =>
  factory.createHandlers(paramsOf(RecordIdParam), queryOf(DeleteQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    const { id } = c.req.valid("param");
    const { version } = c.req.valid("query");
    const deps = c.get("deps");
    const at = deps.now();
    await deps.db.transaction((tx) => deleteRecord(tx, p, at, kind, id, version));
    return c.json({ ok: true as const });
  });

export const planEditorRoutes = new Hono<AppEnv>()
  /** Creates a plan (年度民生实事计划) issued by the caller's region. */
  .post("/plans", jsonBody(NewPlan), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    const regions = await deps.regions.ready();
    const region = regions.get(body.region);
    if (!region) throw invalid([{ path: "$.region", message: `unknown region "${body.region}"` }]);
    if (!mayEditPlan(p, body)) throw forbidden(`you issue plans for region ${p.region} only`);
    const at = deps.now();
    const plan = await deps.db.transaction(async (tx) => {
      const problems = await idProblems(tx, "plans", body.id);
      if (!LEVEL_OF_PLAN[body.level].includes(region.level)) problems.push({ path: "$.level", message: `does not match the region's level (${region.name} is ${region.level})` });
      if (problems.length > 0) throw invalid(problems);
      const { rows } = await tx.query<Row>(
        `INSERT INTO plans AS pl (id, year, level, region, title, schedule) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING ${PLAN_COLUMNS}`,
        [body.id, body.year, body.level, body.region, body.title, JSON.stringify(body.schedule)],
      );
      const created = planView(rows[0]!);
      await appendAudit(tx, { actor: p.actor, action: "plan.create", entity: "plan", entityId: created.id, before: null, after: created, at });
      return created;
    });
    return c.json(plan, 201);
  })
  /** The plan with its items, projects, indicators and their versions, the units to pick from, and whether you may edit it. */
  .get("/plans/:planId/outline", paramsOf(PlanIdParam), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    const { planId } = c.req.valid("param");
    const { db } = c.get("deps");
    const regions = await c.get("deps").regions.ready();
    const plan = await loadPlan(db, planId);
    if (!planVisible(p, plan, regions)) throw forbidden(`plan ${planId} does not concern your area`);
    const [items, projects, indicators, units] = await Promise.all([
      db.query<Row>("SELECT id, plan, no, title, version FROM items WHERE plan = $1 ORDER BY no, id", [planId]),
      db.query<Row>("SELECT pr.id, pr.item, pr.no, pr.title, pr.lead_unit, pr.version FROM projects pr JOIN items it ON it.id = pr.item WHERE it.plan = $1 ORDER BY pr.no, pr.id", [planId]),
      db.query<Row>(
        `SELECT i.id, i.project, i.name, i.unit, i.kind, i.aggregation, i.linked_to, i.schedule, i.version FROM indicators i
           JOIN projects pr ON pr.id = i.project JOIN items it ON it.id = pr.item WHERE it.plan = $1 ORDER BY i.position, i.id`,
        [planId],
      ),
      db.query<{ id: string; name: string; region: string }>("SELECT id, name, region FROM units ORDER BY id"),
    ]);
    const related = (r: string) => regions.isWithin(r, plan.region) || regions.isWithin(plan.region, r);
    return c.json({
      plan: { ...plan, editable: can(p.role, "plans.edit") && mayEditPlan(p, plan) },
      items: items.rows.map(itemView),
      projects: projects.rows.map(projectView),
      indicators: indicators.rows.map(indicatorView),
      units: units.rows.filter((u) => related(u.region)),
    });
  })
  /** Changes a plan's title, year or schedule (序时进度: linear, or milestones). */
  .patch("/plans/:planId", paramsOf(PlanIdParam), jsonBody(PlanPatch), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    const { planId } = c.req.valid("param");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    await deps.regions.ready();
    const at = deps.now();
    const plan = await deps.db.transaction(async (tx) => {
      const before = await loadPlan(tx, planId, true);
      assertPlanEditable(p, before);
      checkVersion(`plan ${planId}`, before.version, body.version);
      if (body.year !== undefined && body.year !== before.year) {
        const { rows } = await tx.query(
          `SELECT 1 FROM reports r JOIN indicators i ON i.id = r.indicator JOIN projects pr ON pr.id = i.project JOIN items it ON it.id = pr.item WHERE it.plan = $1 LIMIT 1`,
          [planId],
        );
        if (rows.length > 0) throw invalid([{ path: "$.year", message: "cannot change: the plan already holds monthly figures of its year" }]);
      }
      const { rows } = await tx.query<Row>(
        `UPDATE plans pl SET title = $2, year = $3, schedule = $4::jsonb WHERE id = $1 RETURNING ${PLAN_COLUMNS}`,
        [planId, body.title ?? before.title, body.year ?? before.year, JSON.stringify(body.schedule ?? before.schedule)],
      );
      const after = planView(rows[0]!);
      await appendAudit(tx, { actor: p.actor, action: "plan.update", entity: "plan", entityId: planId, before, after, at });
      return after;
    });
    return c.json(plan);
  })
  /** Adds an item (实事) to a plan. */
  .post("/plans/:planId/items", paramsOf(PlanIdParam), jsonBody(NewItem), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    const { planId } = c.req.valid("param");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    const at = deps.now();
    const item = await deps.db.transaction(async (tx) => {
      const plan = await loadPlan(tx, planId, true);
      assertPlanEditable(p, plan);
      const problems = [...(await idProblems(tx, "items", body.id)), ...(await numberProblems(tx, "item", planId, body.no, null))];
      if (problems.length > 0) throw invalid(problems);
      const { rows } = await tx.query<Row>("INSERT INTO items (id, plan, no, title) VALUES ($1, $2, $3, $4) RETURNING id, plan, no, title, version", [body.id, planId, body.no, body.title]);
      const created = itemView(rows[0]!);
      await appendAudit(tx, { actor: p.actor, action: "item.create", entity: "item", entityId: created.id, before: null, after: created, at });
      return created;
    });
    return c.json(item, 201);
  })
  .patch("/items/:id", paramsOf(RecordIdParam), jsonBody(ItemPatch), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    const at = deps.now();
    const item = await deps.db.transaction((tx) =>
      updateRecord(tx, p, at, "item", id, body.version, async (before, plan) => {
        if (body.no !== undefined) {
          const problems = await numberProblems(tx, "item", plan.id, body.no, id);
          if (problems.length > 0) throw invalid(problems);
        }
        const { rows } = await tx.query<Row>("UPDATE items SET no = $2, title = $3 WHERE id = $1 RETURNING id, plan, no, title, version", [id, body.no ?? before.no, body.title ?? before.title]);
        return rows[0]!;
      }),
    );
    return c.json(item);
  })
  /** Deletes an item with its projects and indicators, only while no figure, disclosure or citizen content hangs on them. */
  .delete("/items/:id", ...deleteHandlers("item"))
  /** Adds a project (项目) to an item; its lead unit (牵头单位) must belong to the plan's area. */
  .post("/items/:id/projects", paramsOf(RecordIdParam), jsonBody(NewProject), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    const regions = await deps.regions.ready();
    const at = deps.now();
    const project = await deps.db.transaction(async (tx) => {
      const { plan } = await loadRecord(tx, "item", id, true);
      assertPlanEditable(p, plan);
      const problems = [
        ...(await idProblems(tx, "projects", body.id)),
        ...(await numberProblems(tx, "project", plan.id, body.no, null)),
        ...(await unitProblems(tx, body.leadUnit, plan, regions)),
      ];
      if (problems.length > 0) throw invalid(problems);
      const { rows } = await tx.query<Row>(
        "INSERT INTO projects (id, item, no, title, lead_unit) VALUES ($1, $2, $3, $4, $5) RETURNING id, item, no, title, lead_unit, version",
        [body.id, id, body.no, body.title, body.leadUnit],
      );
      const created = projectView(rows[0]!);
      await appendAudit(tx, { actor: p.actor, action: "project.create", entity: "project", entityId: created.id, before: null, after: created, at });
      return created;
    });
    return c.json(project, 201);
  })
  .patch("/projects/:id", paramsOf(RecordIdParam), jsonBody(ProjectPatch), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    const regions = await deps.regions.ready();
    const at = deps.now();
    const project = await deps.db.transaction((tx) =>
      updateRecord(tx, p, at, "project", id, body.version, async (before, plan) => {
        const problems = [
          ...(body.no !== undefined ? await numberProblems(tx, "project", plan.id, body.no, id) : []),
          ...(body.leadUnit !== undefined ? await unitProblems(tx, body.leadUnit, plan, regions) : []),
        ];
        if (problems.length > 0) throw invalid(problems);
        const { rows } = await tx.query<Row>(
          "UPDATE projects SET no = $2, title = $3, lead_unit = $4 WHERE id = $1 RETURNING id, item, no, title, lead_unit, version",
          [id, body.no ?? before.no, body.title ?? before.title, body.leadUnit ?? before.leadUnit],
        );
        return rows[0]!;
      }),
    );
    return c.json(project);
  })
  .delete("/projects/:id", ...deleteHandlers("project"))
  /** Adds an indicator (指标): quantity or milestone, its unit and aggregation, optionally linked to another plan's indicator. */
  .post("/projects/:id/indicators", paramsOf(RecordIdParam), jsonBody(NewIndicator), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    const regions = await deps.regions.ready();
    const at = deps.now();
    const indicator = await deps.db.transaction(async (tx) => {
      const { plan } = await loadRecord(tx, "project", id, true);
      assertPlanEditable(p, plan);
      const problems = [...(await idProblems(tx, "indicators", body.id)), ...(await linkProblems(tx, p, regions, { id: body.id, project: id, linkedTo: body.linkedTo ?? null }, plan))];
      if (problems.length > 0) throw invalid(problems);
      const { rows } = await tx.query<Row>(
        `INSERT INTO indicators (id, project, name, unit, kind, aggregation, linked_to, schedule, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, (SELECT coalesce(max(position), -1) + 1 FROM indicators))
         RETURNING id, project, name, unit, kind, aggregation, linked_to, schedule, version`,
        [body.id, id, body.name, body.unit, body.kind, body.aggregation, body.linkedTo ?? null, body.schedule === undefined ? null : JSON.stringify(body.schedule)],
      );
      const created = indicatorView(rows[0]!);
      await appendAudit(tx, { actor: p.actor, action: "indicator.create", entity: "indicator", entityId: created.id, before: null, after: created, at });
      return created;
    });
    return c.json(indicator, 201);
  })
  .patch("/indicators/:id", paramsOf(RecordIdParam), jsonBody(IndicatorPatch), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    const regions = await deps.regions.ready();
    const at = deps.now();
    const indicator = await deps.db.transaction((tx) =>
      updateRecord(tx, p, at, "indicator", id, body.version, async (before, plan) => {
        const next = {
          name: body.name ?? before.name,
          unit: body.unit ?? before.unit,
          kind: body.kind ?? before.kind,
          aggregation: body.aggregation ?? before.aggregation,
          linkedTo: body.linkedTo === undefined ? before.linkedTo : body.linkedTo,
          schedule: body.schedule === undefined ? before.schedule : body.schedule,
        };
        const problems = body.linkedTo !== undefined ? await linkProblems(tx, p, regions, { id, project: before.project, linkedTo: next.linkedTo }, plan) : [];
        if (next.kind === "milestone" && before.kind !== "milestone") {
          const { rows } = await tx.query("SELECT 1 FROM targets WHERE indicator = $1 AND value > 100 LIMIT 1", [id]);
          if (rows.length > 0) problems.push({ path: "$.kind", message: "cannot be milestone: some targets are above 100 (a milestone is a percent)" });
        }
        if (problems.length > 0) throw invalid(problems);
        const { rows } = await tx.query<Row>(
          `UPDATE indicators SET name = $2, unit = $3, kind = $4, aggregation = $5, linked_to = $6, schedule = $7::jsonb WHERE id = $1
           RETURNING id, project, name, unit, kind, aggregation, linked_to, schedule, version`,
          [id, next.name, next.unit, next.kind, next.aggregation, next.linkedTo, next.schedule === null ? null : JSON.stringify(next.schedule)],
        );
        return rows[0]!;
      }),
    );
    return c.json(indicator);
  })
  .delete("/indicators/:id", ...deleteHandlers("indicator"))
  /** 层层分解: the indicator's targets below a region — each region's own target beside its children's total, 自我加压 marked. */
  .get("/indicators/:id/targets", paramsOf(RecordIdParam), queryOf(TargetsQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.read");
    const { id } = c.req.valid("param");
    const { region, depth } = c.req.valid("query");
    const { db } = c.get("deps");
    const regions = await c.get("deps").regions.ready();
    return c.json(await targetTree(db, regions, p, id, region, depth));
  })
  /**
   * Sets, changes or removes (value null) the own targets of regions, all or nothing. Each row
   * carries the version of the target you read (none when it had none): a stale one is a 409.
   * Answers the split-down tree afterwards (query as for GET).
   */
  .put("/indicators/:id/targets", paramsOf(RecordIdParam), queryOf(TargetsQuery), jsonBody(TargetsBody), async (c) => {
    const p = requirePermission(c.get("principal"), "plans.edit");
    const { id } = c.req.valid("param");
    const { region: root, depth } = c.req.valid("query");
    const body = c.req.valid("json");
    const deps = c.get("deps");
    const regions = await deps.regions.ready();
    const at = deps.now();
    await deps.db.transaction(async (tx) => {
      const { record, plan } = await loadRecord(tx, "indicator", id, true);
      const indicator = indicatorView(record);
      const problems: Problem[] = [];
      const seen = new Map<string, number>();
      body.targets.forEach((t, i) => {
        const path = `$.targets[${i}]`;
        const first = seen.get(t.region);
        if (first !== undefined) problems.push({ path: `${path}.region`, message: `repeats targets[${first}]` });
        seen.set(t.region, i);
        if (!regions.get(t.region)) problems.push({ path: `${path}.region`, message: `unknown region "${t.region}"` });
        else if (!regions.isWithin(t.region, plan.region)) problems.push({ path: `${path}.region`, message: `is outside the plan's area (${plan.region})` });
        if (indicator.kind === "milestone" && t.value !== null && t.value > 100) problems.push({ path: `${path}.value`, message: "is a milestone percent: at most 100" });
      });
      if (problems.length > 0) throw invalid(problems);
      const refused = body.targets.filter((t) => !mayEditTarget(p, plan, t.region, regions)).map((t) => t.region);
      if (refused.length > 0)
        throw forbidden(`you may not set the targets of ${refused.join(", ")}: staff split targets down to the regions of their own area${p.region ? ` (${p.region})` : ""}`);
      const { rows } = await tx.query<{ region: string; value: string; version: number }>(
        "SELECT region, value::text AS value, version FROM targets WHERE indicator = $1 AND region = ANY($2::text[]) FOR UPDATE",
        [id, body.targets.map((t) => t.region)],
      );
      const current = new Map(rows.map((r) => [r.region, { value: Number(r.value), version: Number(r.version) }]));
      const stale = body.targets.filter((t) => (current.get(t.region)?.version ?? null) !== (t.version ?? null));
      if (stale.length > 0)
        throw conflict(`targets changed since you read them: ${stale.map((t) => t.region).join(", ")}; reload them`, {
          current: stale.map((t) => ({ region: t.region, value: current.get(t.region)?.value ?? null, version: current.get(t.region)?.version ?? null })),
        });
      for (const t of body.targets) {
        const before = current.get(t.region) ?? null;
        if (before?.value === t.value || (before === null && t.value === null)) continue;
        let after: { value: number; version: number } | null = null;
        if (t.value === null) await tx.query("DELETE FROM targets WHERE indicator = $1 AND region = $2", [id, t.region]);
        else {
          const { rows: written } = await tx.query<{ version: number }>(
            `INSERT INTO targets (indicator, region, value) VALUES ($1, $2, $3::numeric)
             ON CONFLICT (indicator, region) DO UPDATE SET value = excluded.value RETURNING version`,
            [id, t.region, String(t.value)],
          );
          after = { value: t.value, version: Number(written[0]!.version) };
        }
        await appendAudit(tx, { actor: p.actor, action: "target.set", entity: "target", entityId: `${id}@${t.region}`, before, after, at });
      }
    });
    return c.json(await targetTree(deps.db, regions, p, id, root, depth));
  });

