// The hand-written fast path for targets and progress rows (src/fast-path.ts) must accept exactly
// what the zod schemas accept and produce the same output; bundles that fail must get zod's own
// issues. Checked on random, boundary and malformed rows with fast-check.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Bundle, type BundleInput } from "../src/bundle.js";
import { fastProgressFigure, fastTarget, safeParseBundleRows } from "../src/fast-path.js";
import { ProgressFigure, Target } from "../src/plan.js";

// ------------------------------------------------------------------------------------------------
// Arbitraries: values that zod accepts, values just past each boundary, and wrong types.

const notAString = fc.oneof(
  fc.constantFrom(null, undefined, true, 0, 1, 5n, NaN, [], {}, ["a"], new String("a")),
  fc.integer(),
  fc.object({ maxDepth: 1 }),
);

const id = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,70}$/), weight: 6 }, // valid, or too long
  { arbitrary: fc.string({ maxLength: 8 }), weight: 2 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 8 }), weight: 1 },
  {
    arbitrary: fc.constantFrom("", "-a", "_a", ".a", "a b", "a@b", "é", "a\n", "\na", "ａ", "x".repeat(64), "x".repeat(65), "a:b.c-d_e"),
    weight: 2,
  },
  { arbitrary: notAString, weight: 1 },
);

const region = fc.oneof(
  { arbitrary: fc.stringMatching(/^\d{6}$/), weight: 5 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 2 },
  { arbitrary: fc.constantFrom("", "430500@2024-01", "\u{1F600}"), weight: 1 },
  { arbitrary: notAString, weight: 1 },
);

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const period = fc.oneof(
  { arbitrary: fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 })).map(([y, m]) => `${pad(y, 4)}-${pad(m, 2)}`), weight: 6 },
  { arbitrary: fc.stringMatching(/^\d{4}-\d{1,3}$/), weight: 1 },
  { arbitrary: fc.string({ maxLength: 9 }), weight: 1 },
  {
    arbitrary: fc.constantFrom("2024-1", "2024-001", "02024-01", "2024-01\n", " 2024-01", "2024/01", "２０２４-01", "2024-09", "2024-12"),
    weight: 2,
  },
  { arbitrary: notAString, weight: 1 },
);

const figure = fc.oneof(
  { arbitrary: fc.double(), weight: 3 }, // includes NaN, ±Infinity, -0
  { arbitrary: fc.double({ min: 0, max: 1e12, noNaN: true }), weight: 3 },
  { arbitrary: fc.integer({ min: -10, max: 10_000 }), weight: 2 },
  {
    arbitrary: fc.constantFrom(0, -0, 1e12, 1e12 + 0.001, 1e12 * (1 + Number.EPSILON), Number.MIN_VALUE, -Number.MIN_VALUE, 149.01, Infinity, -Infinity, NaN),
    weight: 2,
  },
  { arbitrary: fc.constantFrom("5", 5n, null, undefined, true, [5], { valueOf: () => 5 }, new Number(5)), weight: 1 },
);

const extra = fc.dictionary(fc.constantFrom("note", "extra", "verified", "__proto__", "constructor"), fc.jsonValue(), { maxKeys: 2 });

/** An object row: any of the fields (some missing), maybe extra keys, maybe inherited fields. */
function objectRow(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.record(fields, { requiredKeys: [] }), fc.record(fields, { requiredKeys: Object.keys(fields) }), extra, fc.nat(20))
    .map(([partial, full, more, shape]) => {
      if (shape < 10) return full; // complete rows, valid often enough to test the success path
      if (shape < 13) return { ...full, ...more };
      if (shape < 15) return partial;
      if (shape < 17) return Object.assign(Object.create(full) as object, more); // fields inherited
      if (shape < 18) return Object.assign(Object.create(null) as object, full);
      if (shape < 19) return Object.assign([], full); // an array with the fields: zod wants an object
      if (shape < 20) return Object.freeze({ ...full });
      return new (class Row {
        constructor() {
          Object.assign(this, full);
        }
      })();
    });
}

const notAnObject = fc.constantFrom(null, undefined, 0, "row", true, [], [1, 2], 5n);

const progressRow = fc.oneof(
  { arbitrary: objectRow({ indicator: id, region, period, value: figure }), weight: 12 },
  { arbitrary: notAnObject, weight: 1 },
);
const targetRow = fc.oneof(
  { arbitrary: objectRow({ indicator: id, region, value: figure }), weight: 12 },
  { arbitrary: notAnObject, weight: 1 },
);

/** zod's verdict on a row and the fast path's agree: same output (values and key order) or both reject. */
function agree(schema: typeof ProgressFigure | typeof Target, fast: (row: unknown) => unknown, row: unknown): void {
  const byZod = schema.safeParse(row);
  const byFast = fast(row);
  if (byZod.success) {
    expect(byFast).toStrictEqual(byZod.data);
    expect(Object.keys(byFast as object)).toEqual(Object.keys(byZod.data));
    expect(Object.is((byFast as { value: number }).value, byZod.data.value)).toBe(true); // -0 stays -0
  } else {
    expect(byFast).toBeUndefined();
  }
}

describe("fast path rows agree with zod", () => {
  it("progress rows: random and malformed", () => {
    fc.assert(
      fc.property(progressRow, (row) => agree(ProgressFigure, fastProgressFigure, row)),
      { numRuns: 5000 },
    );
  });

  it("targets: random and malformed", () => {
    fc.assert(
      fc.property(targetRow, (row) => agree(Target, fastTarget, row)),
      { numRuns: 5000 },
    );
  });

  it("boundaries, one by one", () => {
    const base = { indicator: "hn2024-p01-a", region: "430511", period: "2024-09", value: 75 };
    const variants: Record<string, unknown>[] = [
      base,
      { ...base, value: 0 },
      { ...base, value: -0 },
      { ...base, value: 1e12 },
      { ...base, value: 1e12 + 0.001 },
      { ...base, value: -1e-9 },
      { ...base, value: NaN },
      { ...base, value: Infinity },
      { ...base, value: "75" },
      { ...base, indicator: "x".repeat(64) },
      { ...base, indicator: "x".repeat(65) },
      { ...base, indicator: "" },
      { ...base, indicator: "-x" },
      { ...base, indicator: "x\n" },
      { ...base, region: "" },
      { ...base, region: 430511 },
      { ...base, period: "2024-00" },
      { ...base, period: "2024-13" },
      { ...base, period: "2024-10" },
      { ...base, period: "2024-9" },
      { ...base, period: "2024-09\n" },
      { ...base, extra: 1 },
      { indicator: base.indicator, region: base.region, period: base.period },
    ];
    for (const row of variants) {
      agree(ProgressFigure, fastProgressFigure, row);
      agree(Target, fastTarget, row);
    }
    // Repeated strings are remembered only once accepted: a rejected one stays rejected.
    expect(fastProgressFigure({ ...base, indicator: "-x" })).toBeUndefined();
    expect(fastProgressFigure({ ...base, period: "2024-13" })).toBeUndefined();
    expect(fastTarget({ ...base, value: 0 })).toBeUndefined();
  });
});

// ------------------------------------------------------------------------------------------------
// Whole bundles: the fast parse gives zod's data on success and zod's issues on failure.

const validBase = (): BundleInput => ({
  format: "minsheng.bundle/v1",
  regions: [
    { code: "430000", name: "湖南省", level: "province", parent: null },
    { code: "430500", name: "邵阳市", level: "city", parent: "430000" },
    { code: "430502", name: "双清区", level: "county", parent: "430500" },
  ],
  units: [{ id: "edu", name: "市教育局", region: "430500" }],
  plans: [{ id: "sy2024", year: 2024, level: "city", region: "430500", title: "2024年市定民生实事" }],
  items: [{ id: "sy2024-1", plan: "sy2024", no: 1, title: "推进教育高质量发展" }],
  projects: [{ id: "sy2024-p01", item: "sy2024-1", no: 1, title: "普惠性托育护蕾行动", leadUnit: "edu" }],
  indicators: [{ id: "sy2024-p01-a", project: "sy2024-p01", name: "新增托位", unit: "个", kind: "quantity", aggregation: "sum" }],
});

const validProgress = fc.record({
  indicator: fc.constantFrom("sy2024-p01-a", "a", "b.c:d"),
  region: fc.constantFrom("430502", "430500"),
  period: fc.integer({ min: 1, max: 12 }).map((m) => `2024-${pad(m, 2)}`),
  value: fc.double({ min: 0, max: 1e6, noNaN: true }),
});
const validTarget = fc.record({
  indicator: fc.constantFrom("sy2024-p01-a", "a"),
  region: fc.constantFrom("430502", "430500"),
  value: fc.double({ min: 0.01, max: 1e6, noNaN: true }),
});

/** Arrays mostly valid, now and then one malformed row (or not an array at all, or missing). */
const rowsOf = (valid: fc.Arbitrary<unknown>, any: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { arbitrary: fc.array(valid, { maxLength: 30 }), weight: 6 },
    { arbitrary: fc.array(fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: any, weight: 1 }), { maxLength: 30 }), weight: 4 },
    { arbitrary: fc.constantFrom(undefined, null, "rows", {}, [undefined]), weight: 1 },
  );

const bundleInput = fc
  .record({
    progress: rowsOf(validProgress, progressRow),
    targets: rowsOf(validTarget, targetRow),
    format: fc.constantFrom("minsheng.bundle/v1", "minsheng.bundle/v1", "minsheng.bundle/v1", "minsheng.bundle/v2"),
    brokenRegion: fc.boolean(),
    inheritFormat: fc.nat(9),
  })
  .map(({ progress, targets, format, brokenRegion, inheritFormat }) => {
    const b: Record<string, unknown> = { ...validBase(), format };
    if (progress !== undefined) b["progress"] = progress;
    if (targets !== undefined) b["targets"] = targets;
    if (brokenRegion) b["regions"] = [...(b["regions"] as unknown[]), { code: "43", name: "", level: "city", parent: null }];
    if (inheritFormat === 0) {
      // Fields on the prototype: zod reads them, a spread copy would not.
      const { format: f, regions, ...own } = b;
      return Object.assign(Object.create({ format: f, regions }) as object, own);
    }
    return b;
  });

describe("fast bundle parse agrees with zod", () => {
  it("random bundles with valid and malformed targets and progress", () => {
    fc.assert(
      fc.property(bundleInput, (input) => {
        const byZod = Bundle.safeParse(input);
        const byFast = safeParseBundleRows(Bundle, input);
        expect(byFast.success).toBe(byZod.success);
        if (byZod.success && byFast.success) {
          expect(byFast.data).toStrictEqual(byZod.data);
          expect(Object.keys(byFast.data)).toEqual(Object.keys(byZod.data));
          byZod.data.progress.forEach((row, i) => expect(Object.keys(byFast.data.progress[i]!)).toEqual(Object.keys(row)));
        } else {
          expect(byFast.error?.issues).toEqual(byZod.error?.issues);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it("non-object inputs", () => {
    for (const input of [null, undefined, 0, "bundle", [], [validBase()], Object.assign([], validBase())]) {
      const byZod = Bundle.safeParse(input);
      const byFast = safeParseBundleRows(Bundle, input);
      expect(byFast.success).toBe(false);
      expect(byFast.error?.issues).toEqual(byZod.error?.issues);
    }
  });

  it("does not alias the input rows", () => {
    const input = { ...validBase(), progress: [{ indicator: "sy2024-p01-a", region: "430502", period: "2024-09", value: 75, note: "x" }] };
    const parsed = safeParseBundleRows(Bundle, input);
    expect(parsed.success).toBe(true);
    expect(parsed.data!.progress[0]).not.toBe(input.progress[0]);
    expect(parsed.data!.progress[0]).toStrictEqual({ indicator: "sy2024-p01-a", region: "430502", period: "2024-09", value: 75 });
  });
});
