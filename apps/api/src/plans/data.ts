import type { Queryable } from "@minsheng/db";
import type { Aggregation, IndicatorKind, PlanLevel, Schedule } from "@minsheng/domain";

/**
 * Data access of plans (计划管理 and progress): every SQL statement the feature runs, rows typed
 * and mapped where they are read. Records carry their `version`, which the editor sends back.
 */

type Row = Record<string, unknown>;

export interface PlanRecord {
  id: string;
  year: number;
  level: PlanLevel;
  region: string;
  title: string;
  schedule: Schedule;
  version: number;
}
export interface ItemRecord {
  id: string;
  plan: string;
  no: number;
  title: string;
  version: number;
}
export interface ProjectRecord {
  id: string;
  item: string;
  no: number;
  title: string;
  leadUnit: string;
  version: number;
}
export interface IndicatorRecord {
  id: string;
  project: string;
  name: string;
  unit: string;
  kind: IndicatorKind;
  aggregation: Aggregation;
  linkedTo: string | null;
  schedule: Schedule | null;
  version: number;
}

/** A plan as GET /plans lists it: with its counts of items and projects. */
export interface PlanSummary {
  id: string;
  year: number;
  level: PlanLevel;
  region: string;
  title: string;
  schedule: Schedule;
  items: number;
  projects: number;
}

export interface UnitRow {
  id: string;
  name: string;
  region: string;
}

const planOf = (r: Row): PlanRecord => ({
  id: r.id as string,
  year: Number(r.year),
  level: r.level as PlanLevel,
  region: r.region as string,
  title: r.title as string,
  schedule: r.schedule as Schedule,
  version: Number(r.version),
});
const itemOf = (r: Row): ItemRecord => ({ id: r.id as string, plan: r.plan as string, no: Number(r.no), title: r.title as string, version: Number(r.version) });
const projectOf = (r: Row): ProjectRecord => ({
  id: r.id as string,
  item: r.item as string,
  no: Number(r.no),
  title: r.title as string,
  leadUnit: r.lead_unit as string,
  version: Number(r.version),
});
const indicatorOf = (r: Row): IndicatorRecord => ({
  id: r.id as string,
  project: r.project as string,
  name: r.name as string,
  unit: r.unit as string,
  kind: r.kind as IndicatorKind,
  aggregation: r.aggregation as Aggregation,
  linkedTo: (r.linked_to as string | null) ?? null,
  schedule: (r.schedule as Schedule | null) ?? null,
  version: Number(r.version),
});

export type RecordKind = "item" | "project" | "indicator";
export interface RecordOf {
  item: ItemRecord;
  project: ProjectRecord;
  indicator: IndicatorRecord;
}
const VIEW: { [K in RecordKind]: (r: Row) => RecordOf[K] } = { item: itemOf, project: projectOf, indicator: indicatorOf };
const TABLE: Record<RecordKind, string> = { item: "items", project: "projects", indicator: "indicators" };

const PLAN_COLUMNS = "pl.id, pl.year, pl.level, pl.region, pl.title, pl.schedule, pl.version";
const ITEM_COLUMNS = "id, plan, no, title, version";
const PROJECT_COLUMNS = "id, item, no, title, lead_unit, version";
const INDICATOR_COLUMNS = "id, project, name, unit, kind, aggregation, linked_to, schedule, version";

// ---------------------------------------------------------------------------------------------
// Reading

/** Every plan with its counts, newest year first (the service keeps those of the caller's area). */
export async function listPlans(db: Queryable): Promise<PlanSummary[]> {
  const { rows } = await db.query<Row>(
    `SELECT p.id, p.year, p.level, p.region, p.title, p.schedule,
            (SELECT count(*) FROM items i WHERE i.plan = p.id)::int AS items,
            (SELECT count(*) FROM projects pr JOIN items i ON i.id = pr.item WHERE i.plan = p.id)::int AS projects
       FROM plans p ORDER BY p.year DESC, p.level, p.id`,
  );
  return rows.map((r) => ({
    id: r.id as string,
    year: Number(r.year),
    level: r.level as PlanLevel,
    region: r.region as string,
    title: r.title as string,
    schedule: r.schedule as Schedule,
    items: Number(r.items),
    projects: Number(r.projects),
  }));
}

/** A plan (locked for update when `lock`), or null. */
export async function findPlan(db: Queryable, id: string, lock = false): Promise<PlanRecord | null> {
  const { rows } = await db.query<Row>(`SELECT ${PLAN_COLUMNS} FROM plans pl WHERE pl.id = $1 ${lock ? "FOR UPDATE" : ""}`, [id]);
  return rows[0] ? planOf(rows[0]) : null;
}

/** An item, project or indicator with the plan it belongs to (the record locked when `lock`), or null. */
export async function findRecord<K extends RecordKind>(db: Queryable, kind: K, id: string, lock = false): Promise<{ record: RecordOf[K]; plan: PlanRecord } | null> {
  const sql = {
    item: `SELECT to_jsonb(it) AS record, ${PLAN_COLUMNS} FROM items it JOIN plans pl ON pl.id = it.plan WHERE it.id = $1 ${lock ? "FOR UPDATE OF it" : ""}`,
    project: `SELECT to_jsonb(pr) AS record, ${PLAN_COLUMNS} FROM projects pr JOIN items it ON it.id = pr.item JOIN plans pl ON pl.id = it.plan
               WHERE pr.id = $1 ${lock ? "FOR UPDATE OF pr" : ""}`,
    indicator: `SELECT to_jsonb(i) AS record, ${PLAN_COLUMNS} FROM indicators i JOIN projects pr ON pr.id = i.project JOIN items it ON it.id = pr.item
                 JOIN plans pl ON pl.id = it.plan WHERE i.id = $1 ${lock ? "FOR UPDATE OF i" : ""}`,
  }[kind];
  const { rows } = await db.query<Row>(sql, [id]);
  if (!rows[0]) return null;
  return { record: VIEW[kind](rows[0].record as Row), plan: planOf(rows[0]) };
}

/** The plan's items, projects and indicators in the editor's order, and every unit (GET /plans/{planId}/outline). */
export async function planOutline(db: Queryable, planId: string) {
  const [items, projects, indicators, units] = await Promise.all([
    db.query<Row>(`SELECT ${ITEM_COLUMNS} FROM items WHERE plan = $1 ORDER BY no, id`, [planId]),
    db.query<Row>("SELECT pr.id, pr.item, pr.no, pr.title, pr.lead_unit, pr.version FROM projects pr JOIN items it ON it.id = pr.item WHERE it.plan = $1 ORDER BY pr.no, pr.id", [planId]),
    db.query<Row>(
      `SELECT i.id, i.project, i.name, i.unit, i.kind, i.aggregation, i.linked_to, i.schedule, i.version FROM indicators i
         JOIN projects pr ON pr.id = i.project JOIN items it ON it.id = pr.item WHERE it.plan = $1 ORDER BY i.position, i.id`,
      [planId],
    ),
    db.query<UnitRow>("SELECT id, name, region FROM units ORDER BY id"),
  ]);
  return {
    items: items.rows.map(itemOf),
    projects: projects.rows.map(projectOf),
    indicators: indicators.rows.map(indicatorOf),
    units: units.rows.map((u) => ({ id: u.id, name: u.name, region: u.region })),
  };
}

/** The id of another item (project) of the plan that holds number `no`, or null. */
export async function numberUsedBy(db: Queryable, kind: "item" | "project", planId: string, no: number, except: string | null): Promise<string | null> {
  const sql =
    kind === "item"
      ? "SELECT id FROM items WHERE plan = $1 AND no = $2 AND id <> $3"
      : "SELECT pr.id FROM projects pr JOIN items it ON it.id = pr.item WHERE it.plan = $1 AND pr.no = $2 AND pr.id <> $3";
  const { rows } = await db.query<{ id: string }>(sql, [planId, no, except ?? ""]);
  return rows[0]?.id ?? null;
}

export async function idExists(db: Queryable, table: "plans" | "items" | "projects" | "indicators", id: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
  return rows.length > 0;
}

/** The region of a unit, or null when there is no such unit. */
export async function unitRegion(db: Queryable, unit: string): Promise<string | null> {
  const { rows } = await db.query<{ region: string }>("SELECT region FROM units WHERE id = $1", [unit]);
  return rows[0]?.region ?? null;
}

/** The plan (id and region) an indicator belongs to, or null. */
export async function planOfIndicator(db: Queryable, indicator: string): Promise<{ plan: string; region: string } | null> {
  const { rows } = await db.query<{ plan: string; region: string }>(
    `SELECT pl.id AS plan, pl.region FROM indicators i JOIN projects pr ON pr.id = i.project JOIN items it ON it.id = pr.item JOIN plans pl ON pl.id = it.plan WHERE i.id = $1`,
    [indicator],
  );
  return rows[0] ? { plan: rows[0].plan, region: rows[0].region } : null;
}

/** Every stored indicator's link (for the domain's reference checks). */
export async function indicatorLinks(db: Queryable): Promise<{ id: string; project: string; linkedTo: string | null }[]> {
  const { rows } = await db.query<{ id: string; project: string; linked_to: string | null }>("SELECT id, project, linked_to FROM indicators");
  return rows.map((r) => ({ id: r.id, project: r.project, linkedTo: r.linked_to ?? null }));
}

/** Whether the plan holds any monthly figure. */
export async function planHasFigures(db: Queryable, planId: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM reports r JOIN indicators i ON i.id = r.indicator JOIN projects pr ON pr.id = i.project JOIN items it ON it.id = pr.item WHERE it.plan = $1 LIMIT 1`,
    [planId],
  );
  return rows.length > 0;
}

/** Whether some target of the indicator is above `limit`. */
export async function hasTargetAbove(db: Queryable, indicator: string, limit: number): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM targets WHERE indicator = $1 AND value > $2 LIMIT 1", [indicator, limit]);
  return rows.length > 0;
}

/** What hangs on projects and indicators: figures, disclosure, citizens' content, links from outside them. */
export interface Dependents {
  reports: number;
  disclosure: number;
  content: number;
  feedback: number;
  linked: string[];
}

export async function dependentsOf(db: Queryable, projects: string[], indicators: string[]): Promise<Dependents> {
  const { rows } = await db.query<{ reports: number; disclosure: number; content: number; feedback: number; linked: string[] }>(
    `SELECT (SELECT count(*) FROM reports WHERE indicator = ANY($2::text[]))::int AS reports,
            (SELECT count(*) FROM disclosure_records WHERE project = ANY($1::text[]))::int AS disclosure,
            (SELECT count(*) FROM site_content c JOIN project_sites s ON s.code = c.site WHERE s.project = ANY($1::text[]))::int AS content,
            (SELECT count(*) FROM feedback f JOIN project_sites s ON s.code = f.site WHERE s.project = ANY($1::text[]))::int AS feedback,
            ARRAY(SELECT id FROM indicators WHERE linked_to = ANY($2::text[]) AND NOT (id = ANY($2::text[])) ORDER BY id) AS linked`,
    [projects, indicators],
  );
  const r = rows[0]!;
  return { reports: Number(r.reports), disclosure: Number(r.disclosure), content: Number(r.content), feedback: Number(r.feedback), linked: r.linked };
}

export async function projectIdsOfItem(db: Queryable, item: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM projects WHERE item = $1", [item]);
  return rows.map((r) => r.id);
}

export async function indicatorIdsOfProjects(db: Queryable, projects: string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM indicators WHERE project = ANY($1::text[])", [projects]);
  return rows.map((r) => r.id);
}

export async function indicatorIdsOfProject(db: Queryable, project: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM indicators WHERE project = $1", [project]);
  return rows.map((r) => r.id);
}

/** An indicator's targets, by region. */
export async function targetsOfIndicator(db: Queryable, indicator: string): Promise<{ region: string; value: number }[]> {
  const { rows } = await db.query<{ region: string; value: string }>("SELECT region, value::text AS value FROM targets WHERE indicator = $1 ORDER BY region", [indicator]);
  return rows.map((t) => ({ region: t.region, value: Number(t.value) }));
}

export interface TargetRow {
  region: string;
  value: number;
  version: number;
}

/** The indicator's targets in these regions (locked for update when `lock`). */
export async function targetsIn(db: Queryable, indicator: string, regions: string[], lock = false): Promise<TargetRow[]> {
  const { rows } = await db.query<{ region: string; value: string; version: number }>(
    `SELECT region, value::text AS value, version FROM targets WHERE indicator = $1 AND region = ANY($2::text[])${lock ? " FOR UPDATE" : ""}`,
    [indicator, regions],
  );
  return rows.map((r) => ({ region: r.region, value: Number(r.value), version: Number(r.version) }));
}

// ---------------------------------------------------------------------------------------------
// Writing

export async function insertPlan(db: Queryable, p: Omit<PlanRecord, "version">): Promise<PlanRecord> {
  const { rows } = await db.query<Row>(
    `INSERT INTO plans AS pl (id, year, level, region, title, schedule) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING ${PLAN_COLUMNS}`,
    [p.id, p.year, p.level, p.region, p.title, JSON.stringify(p.schedule)],
  );
  return planOf(rows[0]!);
}

export async function updatePlan(db: Queryable, id: string, p: Pick<PlanRecord, "title" | "year" | "schedule">): Promise<PlanRecord> {
  const { rows } = await db.query<Row>(`UPDATE plans pl SET title = $2, year = $3, schedule = $4::jsonb WHERE id = $1 RETURNING ${PLAN_COLUMNS}`, [
    id,
    p.title,
    p.year,
    JSON.stringify(p.schedule),
  ]);
  return planOf(rows[0]!);
}

export async function insertItem(db: Queryable, i: Omit<ItemRecord, "version">): Promise<ItemRecord> {
  const { rows } = await db.query<Row>(`INSERT INTO items (id, plan, no, title) VALUES ($1, $2, $3, $4) RETURNING ${ITEM_COLUMNS}`, [i.id, i.plan, i.no, i.title]);
  return itemOf(rows[0]!);
}

export async function updateItem(db: Queryable, id: string, i: Pick<ItemRecord, "no" | "title">): Promise<ItemRecord> {
  const { rows } = await db.query<Row>(`UPDATE items SET no = $2, title = $3 WHERE id = $1 RETURNING ${ITEM_COLUMNS}`, [id, i.no, i.title]);
  return itemOf(rows[0]!);
}

export async function insertProject(db: Queryable, p: Omit<ProjectRecord, "version">): Promise<ProjectRecord> {
  const { rows } = await db.query<Row>(`INSERT INTO projects (id, item, no, title, lead_unit) VALUES ($1, $2, $3, $4, $5) RETURNING ${PROJECT_COLUMNS}`, [
    p.id,
    p.item,
    p.no,
    p.title,
    p.leadUnit,
  ]);
  return projectOf(rows[0]!);
}

export async function updateProject(db: Queryable, id: string, p: Pick<ProjectRecord, "no" | "title" | "leadUnit">): Promise<ProjectRecord> {
  const { rows } = await db.query<Row>(`UPDATE projects SET no = $2, title = $3, lead_unit = $4 WHERE id = $1 RETURNING ${PROJECT_COLUMNS}`, [id, p.no, p.title, p.leadUnit]);
  return projectOf(rows[0]!);
}

/** A new indicator, placed after every other (position). An absent schedule follows the plan's. */
export async function insertIndicator(db: Queryable, i: Omit<IndicatorRecord, "version">): Promise<IndicatorRecord> {
  const { rows } = await db.query<Row>(
    `INSERT INTO indicators (id, project, name, unit, kind, aggregation, linked_to, schedule, position)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, (SELECT coalesce(max(position), -1) + 1 FROM indicators))
     RETURNING ${INDICATOR_COLUMNS}`,
    [i.id, i.project, i.name, i.unit, i.kind, i.aggregation, i.linkedTo, i.schedule === null ? null : JSON.stringify(i.schedule)],
  );
  return indicatorOf(rows[0]!);
}

export async function updateIndicator(db: Queryable, id: string, i: Omit<IndicatorRecord, "id" | "project" | "version">): Promise<IndicatorRecord> {
  const { rows } = await db.query<Row>(
    `UPDATE indicators SET name = $2, unit = $3, kind = $4, aggregation = $5, linked_to = $6, schedule = $7::jsonb WHERE id = $1
     RETURNING ${INDICATOR_COLUMNS}`,
    [id, i.name, i.unit, i.kind, i.aggregation, i.linkedTo, i.schedule === null ? null : JSON.stringify(i.schedule)],
  );
  return indicatorOf(rows[0]!);
}

/** Deletes an item, project or indicator; what belongs to it goes with it (ON DELETE CASCADE). */
export async function deleteRecord(db: Queryable, kind: RecordKind, id: string): Promise<void> {
  await db.query(`DELETE FROM ${TABLE[kind]} WHERE id = $1`, [id]);
}

export async function deleteTarget(db: Queryable, indicator: string, region: string): Promise<void> {
  await db.query("DELETE FROM targets WHERE indicator = $1 AND region = $2", [indicator, region]);
}

/** Sets a region's own target; answers the row's new version. */
export async function upsertTarget(db: Queryable, indicator: string, region: string, value: number): Promise<number> {
  const { rows } = await db.query<{ version: number }>(
    `INSERT INTO targets (indicator, region, value) VALUES ($1, $2, $3::numeric)
     ON CONFLICT (indicator, region) DO UPDATE SET value = excluded.value RETURNING version`,
    [indicator, region, String(value)],
  );
  return Number(rows[0]!.version);
}
