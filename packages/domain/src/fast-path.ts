import type { z } from "zod";
import { PERIOD_PATTERN } from "./calendar.js";
import type { ProgressFigure, Target } from "./plan.js";

// A hand-written fast path for the two arrays that grow with the country: a national bundle holds
// ~10^5 targets and ~10^6 monthly figures, and running zod over each row costs seconds. The checks
// below accept exactly what the zod schemas `Target` and `ProgressFigure` in plan.ts accept and
// build the same output object; any row they do not accept sends the whole bundle back to zod,
// which then produces the error messages. test/fast-path.test.ts checks the agreement with
// fast-check on random and malformed rows — keep these mirrors in step with plan.ts and period.ts.

/** `Id` in plan.ts: 1-64 characters, letters, digits, '-', '_', '.', ':' (so code points = units). */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
/** `NonNegativeFigure` in plan.ts. */
const MAX_FIGURE = 1e12;

/** zod's object check: anything of type "object" but null and arrays. */
const isObjectLike = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

// Rows of a bundle repeat a handful of indicator ids and months: remember the strings accepted
// (a bounded set of pure facts: a string that passed the pattern once always passes it).
const ACCEPTED_LIMIT = 4096;
const acceptedIds = new Set<string>();
const acceptedPeriods = new Set<string>();
const remember = (set: Set<string>, v: string): true => {
  if (set.size < ACCEPTED_LIMIT) set.add(v);
  return true;
};

const isId = (v: unknown): v is string =>
  typeof v === "string" && (acceptedIds.has(v) || (v.length >= 1 && v.length <= 64 && ID_PATTERN.test(v) && remember(acceptedIds, v)));

const isPeriod = (v: unknown): v is string =>
  typeof v === "string" && (acceptedPeriods.has(v) || (PERIOD_PATTERN.test(v) && remember(acceptedPeriods, v)));

/** z.number() (finite, not NaN) with min(0) and max(10^12), both inclusive. */
const isFigure = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= MAX_FIGURE;

/**
 * What `ProgressFigure.safeParse(row)` yields on success (a new object with the schema's keys in
 * the schema's order, unknown keys dropped), or `undefined` where zod would report a problem.
 */
export function fastProgressFigure(row: unknown): ProgressFigure | undefined {
  if (!isObjectLike(row)) return undefined;
  const indicator = row["indicator"];
  const region = row["region"];
  const period = row["period"];
  const value = row["value"];
  if (!isId(indicator) || typeof region !== "string" || !isPeriod(period) || !isFigure(value)) return undefined;
  return { indicator, region, period, value };
}

/** What `Target.safeParse(row)` yields on success, or `undefined` where zod would report a problem. */
export function fastTarget(row: unknown): Target | undefined {
  if (!isObjectLike(row)) return undefined;
  const indicator = row["indicator"];
  const region = row["region"];
  const value = row["value"];
  if (!isId(indicator) || typeof region !== "string" || !isFigure(value) || !(value > 0)) return undefined;
  return { indicator, region, value };
}

/** The bundle arrays that take the fast path, with their row check. */
const FAST_ARRAYS = [
  ["targets", fastTarget],
  ["progress", fastProgressFigure],
] as const;

function fastRows<T>(rows: readonly unknown[], check: (row: unknown) => T | undefined): T[] | undefined {
  const n = rows.length;
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) {
    const row = check(rows[i]);
    if (row === undefined) return undefined;
    out[i] = row;
  }
  return out;
}

/**
 * `schema.safeParse(input)` for a bundle schema, with `targets` and `progress` checked by the fast
 * path: the rest of the bundle goes through zod with those arrays emptied, and the fast rows are
 * put in their place. When any fast row or the rest fails, the whole input goes through zod, so
 * the result (data or issues) is always the one zod gives.
 */
export function safeParseBundleRows<T extends { targets: Target[]; progress: ProgressFigure[] }>(
  schema: z.ZodType<T>,
  input: unknown,
): z.ZodSafeParseResult<T> {
  if (!isObjectLike(input)) return schema.safeParse(input);
  const replaced: Partial<Record<"targets" | "progress", unknown[]>> = {};
  for (const [key, check] of FAST_ARRAYS) {
    const rows = input[key];
    if (!Array.isArray(rows)) continue; // missing (zod's default) or not an array (zod reports it)
    const parsed = fastRows<unknown>(rows, check);
    if (parsed === undefined) return schema.safeParse(input);
    replaced[key] = parsed;
  }
  const rest = schema.safeParse({ ...input, ...(replaced.targets ? { targets: [] } : {}), ...(replaced.progress ? { progress: [] } : {}) });
  if (!rest.success) return schema.safeParse(input);
  if (replaced.targets) rest.data.targets = replaced.targets as Target[];
  if (replaced.progress) rest.data.progress = replaced.progress as ProgressFigure[];
  return rest;
}
