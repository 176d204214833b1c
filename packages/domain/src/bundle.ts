import * as Either from "./either.js";
import { z } from "zod";
import { BundleInvalid, jsonPath, type Problem } from "./errors.js";
import { safeParseBundleRows } from "./fast-path.js";
import { periodYear } from "./period.js";
import {
  DisclosureRecord,
  Indicator,
  Item,
  Plan,
  ProgressFigure,
  Project,
  Region,
  Target,
  Unit,
} from "./plan.js";

export const BUNDLE_FORMAT = "minsheng.bundle/v1" as const;

/**
 * `minsheng.bundle/v1`: one JSON document carrying a whole plan (or several plans of one place).
 * It is the import/export format of the system. Values are cumulative for the year; progress rows
 * in an imported bundle are official figures and count as verified.
 */
export const Bundle = z.object({
  format: z.literal(BUNDLE_FORMAT, { error: `must be "${BUNDLE_FORMAT}"` }),
  note: z.string().max(10_000).optional(),
  regions: z.array(Region),
  units: z.array(Unit).default([]),
  plans: z.array(Plan),
  items: z.array(Item).default([]),
  projects: z.array(Project).default([]),
  indicators: z.array(Indicator).default([]),
  targets: z.array(Target).default([]),
  progress: z.array(ProgressFigure).default([]),
  disclosure: z.array(DisclosureRecord).default([]),
});
/** A bundle after parsing (defaults applied). */
export type Bundle = z.infer<typeof Bundle>;
/** A bundle as written in a file (optional arrays may be missing). */
export type BundleInput = z.input<typeof Bundle>;

/**
 * What a schema check needs to be said again in another language: zod's figures of the issue
 * (`minimum`, `expected` …). zod keeps no input on its issues; for a wrong type its message says
 * what came instead ("received undefined": a missing field), kept as `received`.
 */
export function zodIssueParams(issue: z.core.$ZodIssue): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...issue };
  const out: Record<string, unknown> = {};
  for (const key of ["expected", "minimum", "maximum", "inclusive", "origin", "format", "values", "keys"])
    if (fields[key] !== undefined) out[key] = typeof fields[key] === "bigint" ? String(fields[key]) : fields[key];
  const received = issue.code === "invalid_type" ? /received (\w+)$/.exec(issue.message)?.[1] : undefined;
  if (received) out.received = received;
  return out;
}

/** Zod issues as problems with JSON paths, each with zod's issue code and figures (for translation). */
export const problemsFromZod = (error: z.ZodError): Problem[] =>
  error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message, code: issue.code, params: zodIssueParams(issue) }));

/** Rows as far as the reference checks read them; `undefined` for a row too broken to read. */
type Rows<T> = ReadonlyArray<T | undefined>;

/** What `referenceProblems` reads of a bundle. A parsed `Bundle` is one. */
export interface BundleReferences {
  regions: Rows<{ code: string; parent: string | null }>;
  units: Rows<{ id: string; region: string }>;
  plans: Rows<{ id: string; year?: number | undefined; region: string }>;
  items: Rows<{ id: string; plan: string }>;
  projects: Rows<{ id: string; item: string; leadUnit: string }>;
  indicators: Rows<{ id: string; project: string; linkedTo?: string | undefined }>;
  targets: Rows<{ indicator: string; region: string }>;
  progress: Rows<{ indicator: string; region: string; period: string }>;
  disclosure: Rows<{ project: string; region: string; period: string }>;
}

/** Reads each row on its own and keeps its index, so one broken row does not hide the others. */
const rowsOf = <T>(row: z.ZodType<T>) =>
  z
    .array(z.unknown())
    .catch([])
    .transform((rows): Array<T | undefined> =>
      rows.map((r) => {
        const parsed = row.safeParse(r);
        return parsed.success ? parsed.data : undefined;
      }),
    );

/** A bundle that broke its schema, read leniently for the reference checks. */
const LooseReferences = z.object({
  regions: rowsOf(z.object({ code: z.string(), parent: z.string().nullable() })),
  units: rowsOf(z.object({ id: z.string(), region: z.string() })),
  plans: rowsOf(z.object({ id: z.string(), year: z.number().int().optional().catch(undefined), region: z.string() })),
  items: rowsOf(z.object({ id: z.string(), plan: z.string() })),
  projects: rowsOf(z.object({ id: z.string(), item: z.string(), leadUnit: z.string() })),
  indicators: rowsOf(z.object({ id: z.string(), project: z.string(), linkedTo: z.string().optional().catch(undefined) })),
  targets: rowsOf(z.object({ indicator: z.string(), region: z.string() })),
  progress: rowsOf(z.object({ indicator: z.string(), region: z.string(), period: z.string() })),
  disclosure: rowsOf(z.object({ project: z.string(), region: z.string(), period: z.string() })),
});

const each = <T>(rows: Rows<T>, f: (row: T, i: number) => void): void =>
  rows.forEach((row, i) => {
    if (row !== undefined) f(row, i);
  });
const present = <T>(rows: Rows<T>): T[] => rows.filter((row): row is T => row !== undefined);

/**
 * Checks what a schema cannot: unique ids, references to existing records, a region tree without
 * cycles, no cycle of linked indicators, one target per indicator and region, one figure per
 * indicator, region and month, and figures in their plan's year.
 */
export function referenceProblems(b: BundleReferences): Problem[] {
  const problems: Problem[] = [];
  const add = (path: PropertyKey[], message: string) => problems.push({ path: jsonPath(path), message });

  const indexBy = <T>(rows: Rows<T>, key: (row: T) => string, collection: string) => {
    const seen = new Map<string, number>();
    each(rows, (row, i) => {
      const k = key(row);
      const first = seen.get(k);
      if (first !== undefined) add([collection, i], `duplicates ${collection}[${first}] (${k})`);
      else seen.set(k, i);
    });
    return seen;
  };

  const regions = indexBy(b.regions, (r) => r.code, "regions");
  const units = indexBy(b.units, (u) => u.id, "units");
  const plans = indexBy(b.plans, (p) => p.id, "plans");
  const items = indexBy(b.items, (i) => i.id, "items");
  const projects = indexBy(b.projects, (p) => p.id, "projects");
  const indicators = indexBy(b.indicators, (i) => i.id, "indicators");
  // The two collections that grow with the country: the same duplicates, found without joining strings.
  tupleDuplicates(b.targets, (t) => t.indicator, (t) => t.region, undefined, "targets", add);
  tupleDuplicates(b.progress, (p) => p.indicator, (p) => p.region, (p) => p.period, "progress", add);
  indexBy(b.disclosure, (d) => `${d.project}@${d.region}@${d.period}`, "disclosure");

  const must = (index: Map<string, number>, value: string, path: PropertyKey[], what: string) => {
    if (!index.has(value)) add(path, `unknown ${what} "${value}"`);
  };

  each(b.regions, (r, i) => {
    if (r.parent !== null) {
      must(regions, r.parent, ["regions", i, "parent"], "region");
      if (r.parent === r.code) add(["regions", i, "parent"], "a region cannot be its own parent");
    }
  });
  // A cycle in the parent chain would make roll-ups loop forever.
  const parentOf = new Map(present(b.regions).map((r) => [r.code, r.parent]));
  each(b.regions, (r, i) => {
    const seen = new Set<string>([r.code]);
    let p = r.parent;
    while (p !== null && p !== undefined && parentOf.has(p)) {
      if (seen.has(p)) {
        if (p === r.code) add(["regions", i, "parent"], `region ${r.code} is its own ancestor (cycle)`);
        break;
      }
      seen.add(p);
      p = parentOf.get(p) ?? null;
    }
  });

  each(b.units, (u, i) => must(regions, u.region, ["units", i, "region"], "region"));
  each(b.plans, (p, i) => must(regions, p.region, ["plans", i, "region"], "region"));
  each(b.items, (it, i) => must(plans, it.plan, ["items", i, "plan"], "plan"));
  each(b.projects, (p, i) => {
    must(items, p.item, ["projects", i, "item"], "item");
    must(units, p.leadUnit, ["projects", i, "leadUnit"], "unit");
  });
  each(b.indicators, (ind, i) => {
    must(projects, ind.project, ["indicators", i, "project"], "project");
    if (ind.linkedTo !== undefined) {
      must(indicators, ind.linkedTo, ["indicators", i, "linkedTo"], "indicator");
      if (ind.linkedTo === ind.id) add(["indicators", i, "linkedTo"], "an indicator cannot be linked to itself");
    }
  });
  const linkOf = new Map(present(b.indicators).map((i) => [i.id, i.linkedTo]));
  each(b.indicators, (ind, i) => {
    const seen = new Set<string>([ind.id]);
    let next = ind.linkedTo;
    while (next !== undefined && linkOf.has(next)) {
      if (seen.has(next)) {
        if (next === ind.id && ind.linkedTo !== ind.id)
          add(["indicators", i, "linkedTo"], `linked indicators form a cycle through ${ind.id}`);
        break;
      }
      seen.add(next);
      next = linkOf.get(next);
    }
  });

  // The year a figure belongs to is its plan's year.
  const planYear = new Map(present(b.plans).map((p) => [p.id, p.year]));
  const itemPlan = new Map(present(b.items).map((it) => [it.id, it.plan]));
  const projectItem = new Map(present(b.projects).map((p) => [p.id, p.item]));
  const indicatorProject = new Map(present(b.indicators).map((i) => [i.id, i.project]));
  const yearOfProject = (project: string) => planYear.get(itemPlan.get(projectItem.get(project) ?? "") ?? "");

  // Plain loops for the large collections: paths are built only for a problem found, and a
  // figure's year is looked up once per indicator and once per month, not once per row.
  // Rows repeat the last indicator and region: `known` remembers the last one found in the index.
  const known = (index: Map<string, number>) => {
    let last: string | undefined;
    return (value: string): boolean => value === last || (index.has(value) && ((last = value), true));
  };
  const knownIndicator = known(indicators);
  const knownRegion = known(regions);
  for (let i = 0; i < b.targets.length; i++) {
    const t = b.targets[i];
    if (t === undefined) continue;
    if (!knownIndicator(t.indicator)) add(["targets", i, "indicator"], `unknown indicator "${t.indicator}"`);
    if (!knownRegion(t.region)) add(["targets", i, "region"], `unknown region "${t.region}"`);
  }
  const yearOfIndicator = new Map<string, number | undefined>();
  const yearOfPeriod = new Map<string, number | undefined>();
  let lastIndicator: string | undefined;
  let lastYear: number | undefined;
  for (let i = 0; i < b.progress.length; i++) {
    const p = b.progress[i];
    if (p === undefined) continue;
    if (!knownIndicator(p.indicator)) add(["progress", i, "indicator"], `unknown indicator "${p.indicator}"`);
    if (!knownRegion(p.region)) add(["progress", i, "region"], `unknown region "${p.region}"`);
    let year: number | undefined;
    if (p.indicator === lastIndicator) year = lastYear;
    else {
      year = yearOfIndicator.get(p.indicator);
      if (year === undefined && !yearOfIndicator.has(p.indicator))
        yearOfIndicator.set(p.indicator, (year = yearOfProject(indicatorProject.get(p.indicator) ?? "")));
      lastIndicator = p.indicator;
      lastYear = year;
    }
    if (year === undefined) continue;
    let figureYear = yearOfPeriod.get(p.period);
    if (figureYear === undefined && !yearOfPeriod.has(p.period))
      yearOfPeriod.set(p.period, (figureYear = /^\d{4}-/.test(p.period) ? periodYear(p.period) : undefined));
    if (figureYear !== undefined && figureYear !== year) add(["progress", i, "period"], `is outside the plan's year ${year}`);
  }
  each(b.disclosure, (d, i) => {
    must(projects, d.project, ["disclosure", i, "project"], "project");
    must(regions, d.region, ["disclosure", i, "region"], "region");
  });
  return problems;
}

/**
 * Reports rows whose key — two or three strings joined with "@" — repeats an earlier row's, as
 * `indexBy` does, without building a joined string per row: each (first, second) pair and each
 * third part gets a number, and the first row of each numbered tuple is kept in a flat table (a
 * map when the table would be too large). A part holding "@" could make two different tuples join
 * to the same key, so then the joined keys are used as before.
 */
function tupleDuplicates<T>(
  rows: Rows<T>,
  first: (row: T) => string,
  second: (row: T) => string,
  third: ((row: T) => string) | undefined,
  collection: string,
  add: (path: PropertyKey[], message: string) => void,
): void {
  const n = rows.length;
  const keyOf = (row: T) => (third ? `${first(row)}@${second(row)}@${third(row)}` : `${first(row)}@${second(row)}`);
  const joined = () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      if (row === undefined) continue;
      const k = keyOf(row);
      const earlier = seen.get(k);
      if (earlier !== undefined) add([collection, i], `duplicates ${collection}[${earlier}] (${k})`);
      else seen.set(k, i);
    }
  };

  // Number the pairs and the third parts; rows mostly repeat the previous row's pair.
  const pairs = new Map<string, Map<string, number>>();
  const thirds = new Map<string, number>();
  const pairOf = new Int32Array(n);
  const thirdOf = new Int32Array(n);
  let pairCount = 0;
  let lastFirst: string | undefined;
  let lastSecond: string | undefined;
  let lastPair = -1;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (row === undefined) {
      pairOf[i] = -1;
      continue;
    }
    const a = first(row);
    const b = second(row);
    if (a !== lastFirst || b !== lastSecond) {
      let bySecond = pairs.get(a);
      if (bySecond === undefined) {
        if (a.includes("@")) return joined();
        pairs.set(a, (bySecond = new Map()));
      }
      let id = bySecond.get(b);
      if (id === undefined) {
        if (b.includes("@")) return joined();
        bySecond.set(b, (id = pairCount++));
      }
      lastFirst = a;
      lastSecond = b;
      lastPair = id;
    }
    pairOf[i] = lastPair;
    if (third) {
      const c = third(row);
      let id = thirds.get(c);
      if (id === undefined) {
        if (c.includes("@")) return joined();
        thirds.set(c, (id = thirds.size));
      }
      thirdOf[i] = id;
    }
  }

  const width = Math.max(thirds.size, 1);
  const size = pairCount * width;
  const report = (i: number, earlier: number) => add([collection, i], `duplicates ${collection}[${earlier}] (${keyOf(rows[i]!)})`);
  if (size <= 8 * n + 65_536) {
    const firstRow = new Int32Array(size).fill(-1);
    for (let i = 0; i < n; i++) {
      const p = pairOf[i]!;
      if (p < 0) continue;
      const k = p * width + thirdOf[i]!;
      const earlier = firstRow[k]!;
      if (earlier >= 0) report(i, earlier);
      else firstRow[k] = i;
    }
  } else {
    const firstRow = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const p = pairOf[i]!;
      if (p < 0) continue;
      const k = p * width + thirdOf[i]!;
      const earlier = firstRow.get(k);
      if (earlier !== undefined) report(i, earlier);
      else firstRow.set(k, i);
    }
  }
}

/** Parses and checks a bundle, collecting every problem with its JSON path. */
export function parseBundle(input: unknown): Either.Either<Bundle, BundleInvalid> {
  // zod's result, with the million-row arrays checked by a hand-written equivalent (fast-path.ts).
  const parsed = safeParseBundleRows(Bundle, input);
  if (!parsed.success) {
    // Check the references of the readable rows too, so one pass lists every problem.
    const loose = LooseReferences.safeParse(input);
    const problems = [...problemsFromZod(parsed.error), ...(loose.success ? referenceProblems(loose.data) : [])];
    return Either.left(new BundleInvalid({ problems }));
  }
  const problems = referenceProblems(parsed.data);
  return problems.length > 0 ? Either.left(new BundleInvalid({ problems })) : Either.right(parsed.data);
}

