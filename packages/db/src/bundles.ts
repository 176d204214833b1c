import { BUNDLE_FORMAT, type Bundle } from "@minsheng/domain";
import type { Queryable } from "./connection.js";

export interface ImportCounts {
  regions: number;
  units: number;
  plans: number;
  items: number;
  projects: number;
  indicators: number;
  targets: number;
  progress: number;
  disclosure: number;
}

/** Parents before children, so a region's parent row exists when it is written. */
function regionsTopDown(regions: Bundle["regions"]): Bundle["regions"] {
  const byCode = new Map(regions.map((r) => [r.code, r]));
  const out: Bundle["regions"] = [];
  const placed = new Set<string>();
  const place = (r: Bundle["regions"][number]) => {
    if (placed.has(r.code)) return;
    placed.add(r.code);
    const parent = r.parent === null ? undefined : byCode.get(r.parent);
    if (parent) place(parent);
    out.push(r);
  };
  regions.forEach(place);
  return out;
}

/**
 * Rows per statement of an import. Embedded PGlite runs each statement synchronously on the
 * server's own thread (and its promises settle as microtasks, so nothing else runs between two
 * statements unless we yield): a statement is one stretch during which no other request is served.
 * 250 rows is ~10-25 ms on the 2-core machine (1,000 was ~75-230 ms) and costs the 110k-row import
 * about as much as bigger chunks (apps/api/bench/api.bench.mjs, load.mjs).
 */
export const IMPORT_CHUNK_ROWS = 250;

/** Lets the event loop run (sockets, timers: cached public pages) between two statements. */
const yieldToEventLoop = () => new Promise<void>((done) => setImmediate(done));

/**
 * Runs `INSERT … SELECT * FROM unnest(…)` in chunks: one round trip per chunk, not per row, and a
 * turn of the event loop after each, so other requests are answered during a long import. Still
 * one transaction (the caller's): all of it or nothing.
 */
async function insertColumns(
  tx: Queryable,
  sql: (params: string) => string,
  types: string[],
  columns: unknown[][],
  chunk = IMPORT_CHUNK_ROWS,
): Promise<void> {
  const rows = columns[0]?.length ?? 0;
  const params = types.map((t, i) => `$${i + 1}::${t}[]`).join(", ");
  const text = sql(params);
  for (let start = 0; start < rows; start += chunk) {
    await tx.query(
      text,
      columns.map((c) => c.slice(start, start + chunk)),
    );
    await yieldToEventLoop();
  }
}

/**
 * Upserts a parsed, checked bundle (the caller runs this inside one transaction). Progress rows are
 * official figures: they are written as verified reports and replace what was there for that month.
 */
export async function importBundle(tx: Queryable, b: Bundle): Promise<ImportCounts> {
  const regions = regionsTopDown(b.regions);
  await insertColumns(
    tx,
    (p) => `INSERT INTO regions (code, name, level, parent) SELECT * FROM unnest(${p})
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, parent = excluded.parent`,
    ["text", "text", "text", "text"],
    [regions.map((r) => r.code), regions.map((r) => r.name), regions.map((r) => r.level), regions.map((r) => r.parent)],
  );
  await insertColumns(
    tx,
    (p) => `INSERT INTO units (id, name, region) SELECT * FROM unnest(${p})
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, region = excluded.region`,
    ["text", "text", "text"],
    [b.units.map((u) => u.id), b.units.map((u) => u.name), b.units.map((u) => u.region)],
  );
  await insertColumns(
    tx,
    (p) => `INSERT INTO plans (id, year, level, region, title, schedule)
            SELECT id, year, level, region, title, schedule::jsonb FROM unnest(${p}) AS t(id, year, level, region, title, schedule)
            ON CONFLICT (id) DO UPDATE SET year = excluded.year, level = excluded.level, region = excluded.region,
              title = excluded.title, schedule = excluded.schedule`,
    ["text", "int", "text", "text", "text", "text"],
    [
      b.plans.map((x) => x.id),
      b.plans.map((x) => x.year),
      b.plans.map((x) => x.level),
      b.plans.map((x) => x.region),
      b.plans.map((x) => x.title),
      b.plans.map((x) => JSON.stringify(x.schedule)),
    ],
  );
  await insertColumns(
    tx,
    (p) => `INSERT INTO items (id, plan, no, title) SELECT * FROM unnest(${p})
            ON CONFLICT (id) DO UPDATE SET plan = excluded.plan, no = excluded.no, title = excluded.title`,
    ["text", "text", "int", "text"],
    [b.items.map((x) => x.id), b.items.map((x) => x.plan), b.items.map((x) => x.no), b.items.map((x) => x.title)],
  );
  await insertColumns(
    tx,
    (p) => `INSERT INTO projects (id, item, no, title, lead_unit) SELECT * FROM unnest(${p})
            ON CONFLICT (id) DO UPDATE SET item = excluded.item, no = excluded.no, title = excluded.title, lead_unit = excluded.lead_unit`,
    ["text", "text", "int", "text", "text"],
    [
      b.projects.map((x) => x.id),
      b.projects.map((x) => x.item),
      b.projects.map((x) => x.no),
      b.projects.map((x) => x.title),
      b.projects.map((x) => x.leadUnit),
    ],
  );
  await insertColumns(
    tx,
    (p) => `INSERT INTO indicators (id, project, name, unit, kind, aggregation, linked_to, schedule, position)
            SELECT id, project, name, unit, kind, aggregation, linked_to, schedule::jsonb, position
            FROM unnest(${p}) AS t(id, project, name, unit, kind, aggregation, linked_to, schedule, position)
            ON CONFLICT (id) DO UPDATE SET project = excluded.project, name = excluded.name, unit = excluded.unit,
              kind = excluded.kind, aggregation = excluded.aggregation, linked_to = excluded.linked_to,
              schedule = excluded.schedule, position = excluded.position`,
    ["text", "text", "text", "text", "text", "text", "text", "text", "int"],
    [
      b.indicators.map((x) => x.id),
      b.indicators.map((x) => x.project),
      b.indicators.map((x) => x.name),
      b.indicators.map((x) => x.unit),
      b.indicators.map((x) => x.kind),
      b.indicators.map((x) => x.aggregation),
      b.indicators.map((x) => x.linkedTo ?? null),
      b.indicators.map((x) => (x.schedule === undefined ? null : JSON.stringify(x.schedule))),
      b.indicators.map((_, i) => i),
    ],
  );
  await insertColumns(
    tx,
    (p) => `INSERT INTO targets (indicator, region, value) SELECT * FROM unnest(${p})
            ON CONFLICT (indicator, region) DO UPDATE SET value = excluded.value`,
    ["text", "text", "numeric"],
    [b.targets.map((x) => x.indicator), b.targets.map((x) => x.region), b.targets.map((x) => String(x.value))],
  );
  await insertColumns(
    tx,
    (p) => `INSERT INTO reports (indicator, region, period, state, reported_value, verified_value, source)
            SELECT indicator, region, period, 'verified', value, value, 'import'
            FROM unnest(${p}) AS t(indicator, region, period, value)
            ON CONFLICT (indicator, region, period) DO UPDATE SET state = 'verified', reported_value = excluded.reported_value,
              verified_value = excluded.verified_value, source = 'import', review_reason = NULL,
              version = reports.version + 1, updated_at = now()`,
    ["text", "text", "text", "numeric"],
    [
      b.progress.map((x) => x.indicator),
      b.progress.map((x) => x.region),
      b.progress.map((x) => x.period),
      b.progress.map((x) => String(x.value)),
    ],
  );
  await insertColumns(
    tx,
    (p) => `INSERT INTO disclosure_records (project, region, period, compliant) SELECT * FROM unnest(${p})
            ON CONFLICT (project, region, period) DO UPDATE SET compliant = excluded.compliant`,
    ["text", "text", "text", "boolean"],
    [
      b.disclosure.map((x) => x.project),
      b.disclosure.map((x) => x.region),
      b.disclosure.map((x) => x.period),
      b.disclosure.map((x) => x.compliant),
    ],
  );
  return {
    regions: b.regions.length,
    units: b.units.length,
    plans: b.plans.length,
    items: b.items.length,
    projects: b.projects.length,
    indicators: b.indicators.length,
    targets: b.targets.length,
    progress: b.progress.length,
    disclosure: b.disclosure.length,
  };
}

const num = (v: unknown): number => Number(v);

/** The plan and every plan its indicators link to (their actuals are needed to evaluate it). */
export async function planClosure(db: Queryable, planId: string): Promise<string[] | null> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM plans WHERE id = $1", [planId]);
  if (rows.length === 0) return null;
  const closure = new Set([planId]);
  let frontier = [planId];
  while (frontier.length > 0) {
    const { rows: linked } = await db.query<{ plan: string }>(
      `SELECT DISTINCT src_item.plan AS plan
         FROM indicators i
         JOIN projects p ON p.id = i.project JOIN items it ON it.id = p.item
         JOIN indicators src ON src.id = i.linked_to
         JOIN projects src_p ON src_p.id = src.project JOIN items src_item ON src_item.id = src_p.item
        WHERE it.plan = ANY($1::text[])`,
      [frontier],
    );
    frontier = linked.map((r) => r.plan).filter((p) => !closure.has(p));
    frontier.forEach((p) => closure.add(p));
  }
  return [...closure];
}

/**
 * Exports a plan (with the plans it links to) as a `minsheng.bundle/v1` document. Only verified
 * figures are exported as progress: they are what counts in published numbers.
 * Returns null when there is no such plan.
 */
export async function exportBundle(db: Queryable, planId: string): Promise<Bundle | null> {
  const planIds = await planClosure(db, planId);
  if (!planIds) return null;
  const plans = await db.query<{ id: string; year: number; level: string; region: string; title: string; schedule: unknown }>(
    "SELECT id, year, level, region, title, schedule FROM plans WHERE id = ANY($1::text[]) ORDER BY array_position($1::text[], id)",
    [planIds],
  );
  const items = await db.query<{ id: string; plan: string; no: number; title: string }>(
    "SELECT id, plan, no, title FROM items WHERE plan = ANY($1::text[]) ORDER BY array_position($1::text[], plan), no, id",
    [planIds],
  );
  const itemIds = items.rows.map((i) => i.id);
  const projects = await db.query<{ id: string; item: string; no: number; title: string; lead_unit: string }>(
    `SELECT p.id, p.item, p.no, p.title, p.lead_unit FROM projects p
      WHERE p.item = ANY($1::text[]) ORDER BY array_position($1::text[], p.item), p.no, p.id`,
    [itemIds],
  );
  const projectIds = projects.rows.map((p) => p.id);
  const indicators = await db.query<{
    id: string;
    project: string;
    name: string;
    unit: string;
    kind: string;
    aggregation: string;
    linked_to: string | null;
    schedule: unknown;
  }>(
    `SELECT id, project, name, unit, kind, aggregation, linked_to, schedule FROM indicators
      WHERE project = ANY($1::text[]) ORDER BY position, id`,
    [projectIds],
  );
  const indicatorIds = indicators.rows.map((i) => i.id);
  const targets = await db.query<{ indicator: string; region: string; value: string }>(
    `SELECT t.indicator, t.region, t.value::text AS value FROM targets t JOIN indicators i ON i.id = t.indicator
      WHERE t.indicator = ANY($1::text[]) ORDER BY i.position, t.indicator, t.region`,
    [indicatorIds],
  );
  const progress = await db.query<{ indicator: string; region: string; period: string; value: string }>(
    `SELECT r.indicator, r.region, r.period, r.verified_value::text AS value FROM reports r JOIN indicators i ON i.id = r.indicator
      WHERE r.indicator = ANY($1::text[]) AND r.state IN ('verified', 'reduced')
      ORDER BY i.position, r.indicator, r.region, r.period`,
    [indicatorIds],
  );
  const disclosure = await db.query<{ project: string; region: string; period: string; compliant: boolean }>(
    `SELECT project, region, period, compliant FROM disclosure_records
      WHERE project = ANY($1::text[]) ORDER BY period, region, project`,
    [projectIds],
  );
  // Regions: every one referenced, with its ancestors, in the stored order (parents first).
  const allRegions = await db.query<{ code: string; name: string; level: string; parent: string | null }>(
    "SELECT code, name, level, parent FROM regions ORDER BY code",
  );
  const byCode = new Map(allRegions.rows.map((r) => [r.code, r]));
  const needed = new Set<string>();
  const need = (code: string | null) => {
    while (code !== null && !needed.has(code)) {
      needed.add(code);
      code = byCode.get(code)?.parent ?? null;
    }
  };
  plans.rows.forEach((p) => need(p.region));
  // Units: the plan's lead units and every other unit of the area (co-responsible units too).
  const leadUnits = [...new Set(projects.rows.map((p) => p.lead_unit))];
  const units = await db.query<{ id: string; name: string; region: string }>(
    "SELECT id, name, region FROM units WHERE id = ANY($1::text[]) OR region = ANY($2::text[]) ORDER BY id",
    [leadUnits, [...needed]],
  );
  units.rows.forEach((u) => need(u.region));
  targets.rows.forEach((t) => need(t.region));
  progress.rows.forEach((p) => need(p.region));
  disclosure.rows.forEach((d) => need(d.region));
  const regions = regionsTopDown(
    allRegions.rows.filter((r) => needed.has(r.code)).map((r) => ({ code: r.code, name: r.name, level: r.level as Bundle["regions"][number]["level"], parent: r.parent })),
  );

  return {
    format: BUNDLE_FORMAT,
    regions,
    units: units.rows,
    plans: plans.rows.map((p) => ({
      id: p.id,
      year: num(p.year),
      level: p.level as Bundle["plans"][number]["level"],
      region: p.region,
      title: p.title,
      schedule: p.schedule as Bundle["plans"][number]["schedule"],
    })),
    items: items.rows.map((i) => ({ id: i.id, plan: i.plan, no: num(i.no), title: i.title })),
    projects: projects.rows.map((p) => ({ id: p.id, item: p.item, no: num(p.no), title: p.title, leadUnit: p.lead_unit })),
    indicators: indicators.rows.map((i) => ({
      id: i.id,
      project: i.project,
      name: i.name,
      unit: i.unit,
      kind: i.kind as "quantity" | "milestone",
      aggregation: i.aggregation as "sum" | "mean",
      ...(i.linked_to !== null ? { linkedTo: i.linked_to } : {}),
      ...(i.schedule !== null && i.schedule !== undefined ? { schedule: i.schedule as Bundle["plans"][number]["schedule"] } : {}),
    })),
    targets: targets.rows.map((t) => ({ indicator: t.indicator, region: t.region, value: num(t.value) })),
    progress: progress.rows.map((p) => ({ indicator: p.indicator, region: p.region, period: p.period, value: num(p.value) })),
    disclosure: disclosure.rows,
  };
}
