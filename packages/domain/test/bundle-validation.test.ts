// Bundle validation: one pass lists every problem with its JSON path, whether the schema or the
// references are broken; evaluateBundle / evaluateBundleEffect surface the typed errors.
import { Effect } from "effect";
import { decodeBundle, evaluateBundleEffect } from "../src/effect.js";
import { describe, expect, it } from "vitest";
import {
  Bundle,
  BundleInvalid,
  Either,
  evaluateBundle,
  evaluateParsed,
  InvalidInput,
  jsonPath,
  parseBundle,
  UnknownPlan,
  UnknownRegion,
  type BundleInput,
  type EvaluateOptions,
} from "../src/index.js";

/** A small valid bundle: city 430500 with 市本级 and one county, one project, one indicator. */
const validBundle = (): BundleInput => ({
  format: "minsheng.bundle/v1",
  regions: [
    { code: "430000", name: "湖南省", level: "province", parent: null },
    { code: "430500", name: "邵阳市", level: "city", parent: "430000" },
    { code: "430501", name: "邵阳市本级", level: "city_self", parent: "430500" },
    { code: "430502", name: "双清区", level: "county", parent: "430500" },
  ],
  units: [{ id: "edu", name: "市教育局", region: "430500" }],
  plans: [{ id: "sy2024", year: 2024, level: "city", region: "430500", title: "2024年市定民生实事" }],
  items: [{ id: "sy2024-1", plan: "sy2024", no: 1, title: "推进教育高质量发展" }],
  projects: [{ id: "sy2024-p01", item: "sy2024-1", no: 1, title: "普惠性托育护蕾行动", leadUnit: "edu" }],
  indicators: [
    { id: "sy2024-p01-a", project: "sy2024-p01", name: "新增托位", unit: "个", kind: "quantity", aggregation: "sum" },
  ],
  targets: [{ indicator: "sy2024-p01-a", region: "430502", value: 100 }],
  progress: [{ indicator: "sy2024-p01-a", region: "430502", period: "2024-09", value: 75 }],
});

const opts: EvaluateOptions = { period: "2024-09", region: "430500" };

const problemsOf = (input: unknown) => {
  const result = parseBundle(input);
  if (Either.isRight(result)) throw new Error("expected the bundle to be invalid");
  return result.left.problems;
};
const pathsOf = (input: unknown) => problemsOf(input).map((p) => p.path).sort();

/**
 * Nine kinds of problem at once, schema and references mixed:
 *  - wrong format literal                            $.format
 *  - region parent cycle 430600 ⇄ 430700             $.regions[4].parent, $.regions[5].parent
 *  - linked indicators a → b → a                     $.indicators[1].linkedTo, $.indicators[2].linkedTo
 *  - duplicate indicator id                          $.indicators[3]
 *  - target in an unknown region                     $.targets[1].region
 *  - target for a missing indicator                  $.targets[2].indicator
 *  - bad period 2024-13                              $.progress[1].period
 *  - negative progress value                         $.progress[2].value
 *  - progress outside the plan's year                $.progress[3].period
 */
function brokenBundle(): unknown {
  const b = validBundle();
  return {
    ...b,
    format: "minsheng.bundle/v2",
    regions: [
      ...b.regions,
      { code: "430600", name: "岳阳市", level: "city", parent: "430700" },
      { code: "430700", name: "常德市", level: "city", parent: "430600" },
    ],
    indicators: [
      b.indicators![0],
      { id: "lnk-a", project: "sy2024-p01", name: "甲", unit: "户", kind: "quantity", aggregation: "sum", linkedTo: "lnk-b" },
      { id: "lnk-b", project: "sy2024-p01", name: "乙", unit: "户", kind: "quantity", aggregation: "sum", linkedTo: "lnk-a" },
      { id: "sy2024-p01-a", project: "sy2024-p01", name: "重复", unit: "个", kind: "quantity", aggregation: "sum" },
    ],
    targets: [
      b.targets![0],
      { indicator: "sy2024-p01-a", region: "439999", value: 10 },
      { indicator: "no-such-indicator", region: "430502", value: 10 },
    ],
    progress: [
      b.progress![0],
      { indicator: "sy2024-p01-a", region: "430502", period: "2024-13", value: 5 },
      { indicator: "sy2024-p01-a", region: "430501", period: "2024-08", value: -3 },
      { indicator: "sy2024-p01-a", region: "430501", period: "2023-12", value: 4 },
    ],
  };
}

const brokenPaths = [
  "$.format",
  "$.regions[4].parent",
  "$.regions[5].parent",
  "$.indicators[1].linkedTo",
  "$.indicators[2].linkedTo",
  "$.indicators[3]",
  "$.targets[1].region",
  "$.targets[2].indicator",
  "$.progress[1].period",
  "$.progress[2].value",
  "$.progress[3].period",
].sort();

describe("a valid bundle", () => {
  it("parses, with defaults applied", () => {
    const result = parseBundle(validBundle());
    expect(Either.isRight(result)).toBe(true);
    const bundle = Either.getOrThrow(result);
    expect(bundle.plans[0]!.schedule).toBe("linear-monthly");
    expect(bundle.disclosure).toEqual([]);
  });

  it("parses with only the required arrays", () => {
    const minimal = { format: "minsheng.bundle/v1", regions: [], plans: [] };
    const bundle = Either.getOrThrow(parseBundle(minimal));
    expect(bundle).toMatchObject({ units: [], items: [], projects: [], indicators: [], targets: [], progress: [] });
  });

  it("evaluates", () => {
    const result = evaluateBundle(validBundle(), opts);
    expect(result.indicators).toEqual([
      expect.objectContaining({ indicator: "sy2024-p01-a", region: "430500", target: 100, actual: 75, rate: 75, status: "on_schedule" }),
    ]);
  });

  it("decodeBundle succeeds as an Effect", () => {
    const result = Effect.runSync(Effect.either(decodeBundle(validBundle())));
    expect(Either.isRight(result)).toBe(true);
  });
});

describe("a bundle with many problems", () => {
  it("lists every problem with its JSON path, schema and references alike", () => {
    expect(pathsOf(brokenBundle())).toEqual(brokenPaths);
  });

  it("says what is wrong in each", () => {
    const problems = problemsOf(brokenBundle());
    const at = (path: string) =>
      problems
        .filter((p) => p.path === path)
        .map((p) => p.message)
        .join(" | ");
    expect(at("$.format")).toContain("minsheng.bundle/v1");
    expect(at("$.regions[4].parent")).toMatch(/cycle/);
    expect(at("$.indicators[1].linkedTo")).toMatch(/cycle/);
    expect(at("$.indicators[3]")).toContain("indicators[0]");
    expect(at("$.targets[1].region")).toContain("439999");
    expect(at("$.targets[2].indicator")).toContain("no-such-indicator");
    expect(at("$.progress[1].period")).toContain("YYYY-MM");
    expect(at("$.progress[2].value")).toMatch(/negative/);
    expect(at("$.progress[3].period")).toContain("2024");
  });

  it("lists only the reference problems when the schema holds", () => {
    const b = brokenBundle() as Record<string, unknown[]>;
    const schemaOk = {
      ...b,
      format: "minsheng.bundle/v1",
      progress: [b["progress"]![0], b["progress"]![3]],
    };
    expect(pathsOf(schemaOk)).toEqual(
      brokenPaths
        .filter((p) => !["$.format", "$.progress[1].period", "$.progress[2].value", "$.progress[3].period"].includes(p))
        .concat("$.progress[1].period")
        .sort(),
    );
  });

  it("lists every schema problem when only the schema is broken", () => {
    const b = validBundle();
    const bad = {
      ...b,
      regions: [...b.regions, { code: "43", name: "", level: "planet", parent: null }],
      targets: [{ indicator: "sy2024-p01-a", region: "430502", value: 0 }],
    };
    expect(pathsOf(bad)).toEqual(["$.regions[4].code", "$.regions[4].level", "$.regions[4].name", "$.targets[0].value"]);
  });

  it("finds duplicates and self-references", () => {
    const b = validBundle();
    const bad = {
      ...b,
      regions: [...b.regions, { code: "430502", name: "双清区", level: "county", parent: "430500" }],
      indicators: [{ ...b.indicators![0]!, linkedTo: "sy2024-p01-a" }],
      targets: [...b.targets!, { indicator: "sy2024-p01-a", region: "430502", value: 3 }],
      progress: [...b.progress!, { indicator: "sy2024-p01-a", region: "430502", period: "2024-09", value: 1 }],
      projects: [{ ...b.projects![0]!, leadUnit: "nobody" }],
    };
    expect(pathsOf(bad)).toEqual(
      ["$.regions[4]", "$.indicators[0].linkedTo", "$.targets[1]", "$.progress[1]", "$.projects[0].leadUnit"].sort(),
    );
  });

  it("reports a bundle that is not an object at all", () => {
    expect(pathsOf(null)).toEqual(["$"]);
    expect(pathsOf({})).toEqual(["$.format", "$.plans", "$.regions"]);
  });

  it("writes awkward keys as bracketed strings", () => {
    expect(jsonPath(["targets", 3, "region"])).toBe("$.targets[3].region");
    expect(jsonPath(["a b", 0])).toBe('$["a b"][0]');
  });
});

describe("errors surface typed", () => {
  it("evaluateBundle throws the BundleInvalid itself", () => {
    let thrown: unknown;
    try {
      evaluateBundle(brokenBundle(), opts);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BundleInvalid);
    const error = thrown as BundleInvalid;
    expect(error._tag).toBe("BundleInvalid");
    expect(error.problems.map((p) => p.path).sort()).toEqual(brokenPaths);
    expect(error.message).toContain("11 problems");
    expect(error.message).toContain("$.targets[1].region");
  });

  it("evaluateBundleEffect fails with BundleInvalid in the error channel", () => {
    const result = Effect.runSync(Effect.either(evaluateBundleEffect(brokenBundle(), opts)));
    expect(Either.isLeft(result)).toBe(true);
    if (Either.isLeft(result)) {
      expect(result.left._tag).toBe("BundleInvalid");
      expect(result.left).toBeInstanceOf(BundleInvalid);
      if (result.left._tag === "BundleInvalid") expect(result.left.problems).toHaveLength(brokenPaths.length);
    }
  });

  it("decodeBundle fails the same way", () => {
    const result = Effect.runSync(Effect.either(decodeBundle(brokenBundle())));
    expect(Either.isLeft(result) && result.left.problems.length).toBe(brokenPaths.length);
  });

  it("bad options give InvalidInput with the path", () => {
    const bad = { period: "2024-9", region: "" } as unknown as EvaluateOptions;
    const result = Effect.runSync(Effect.either(evaluateBundleEffect(validBundle(), bad)));
    expect(Either.isLeft(result)).toBe(true);
    if (Either.isLeft(result)) {
      expect(result.left).toBeInstanceOf(InvalidInput);
      expect(result.left._tag).toBe("InvalidInput");
      if (result.left._tag === "InvalidInput") expect(result.left.problems.map((p) => p.path).sort()).toEqual(["$.period", "$.region"]);
    }
    expect(() => evaluateBundle(validBundle(), { ...opts, period: "2024-13" })).toThrow(InvalidInput);
    expect(() => evaluateBundle(validBundle(), { ...opts, plan: "bad id!" })).toThrow(InvalidInput);
  });

  it("an unknown region gives UnknownRegion", () => {
    const result = Effect.runSync(Effect.either(evaluateBundleEffect(validBundle(), { ...opts, region: "439999" })));
    expect(Either.isLeft(result) && result.left._tag).toBe("UnknownRegion");
    expect(Either.isLeft(result) && result.left).toEqual(new UnknownRegion({ region: "439999" }));
    expect(() => evaluateBundle(validBundle(), { ...opts, region: "439999" })).toThrow(UnknownRegion);
  });

  it("an unknown plan gives UnknownPlan", () => {
    const result = Effect.runSync(Effect.either(evaluateBundleEffect(validBundle(), { ...opts, plan: "hn2024" })));
    expect(Either.isLeft(result) && result.left._tag).toBe("UnknownPlan");
    try {
      evaluateBundle(validBundle(), { ...opts, plan: "hn2024" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownPlan);
      expect((error as UnknownPlan).plan).toBe("hn2024");
    }
  });

  it("bundle problems are reported before option problems", () => {
    const result = Effect.runSync(Effect.either(evaluateBundleEffect(brokenBundle(), { ...opts, region: "439999" })));
    expect(Either.isLeft(result) && result.left._tag).toBe("BundleInvalid");
  });

  it("evaluateParsed skips validation but still checks the options", () => {
    const bundle = Bundle.parse(validBundle());
    expect(Either.isRight(evaluateParsed(bundle, opts))).toBe(true);
    const left = evaluateParsed(bundle, { ...opts, region: "439999" });
    expect(Either.isLeft(left) && left.left._tag).toBe("UnknownRegion");
  });
});
