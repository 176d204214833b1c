// Nation-scale benchmark of evaluateBundle (validation + evaluation) on the BUILT package.
//
//   pnpm turbo run build --filter=@minsheng/domain && pnpm --filter @minsheng/domain bench
//   node bench/evaluate.bench.mjs [--runs N] [--rounds N] [--check]
//
// Two sizes are generated in memory (full ≈ 1 M progress values, and about half); each is timed
// as the median of ROUNDS × RUNS runs (each round after a warm-up), validation (parseBundle) and
// evaluation (evaluateParsed) also apart. `--check` exits 1 when the full size misses the 1 s
// goal or the two sizes do not scale about linearly.
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { generateNationBundle } from "./generate.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const built = join(here, "..", "dist", "index.js");
if (!existsSync(built)) {
  console.error(`✗ ${built} is missing: build first (cd /work/main && pnpm turbo run build --filter=@minsheng/domain)`);
  process.exit(1);
}
const { evaluateBundle, parseBundle, evaluateParsed } = await import(pathToFileURL(built).href);

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const RUNS = Number(arg("--runs") ?? process.env.BENCH_RUNS ?? 5);
const ROUNDS = Number(arg("--rounds") ?? process.env.BENCH_ROUNDS ?? 2);
const CHECK = process.argv.includes("--check");
const GOAL_MS = 1000;
const YEAR = 2024;
const OPTIONS = { period: `${YEAR}-12`, region: "100000" };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
// Collect garbage between runs so that one run does not pay for the previous one's.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

const summary = (times, cpu) => ({ median: median(times), min: Math.min(...times), max: Math.max(...times), cpu: median(cpu) });

/** Appends the wall and CPU times in ms of RUNS runs of `fn` (after one warm-up) to `into`. */
function time(fn, into) {
  fn();
  for (let i = 0; i < RUNS; i++) {
    gc();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    into.wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const used = process.cpuUsage(c0);
    into.cpu.push((used.user + used.system) / 1000);
  }
}

const ms = (x) => `${x.toFixed(1)} ms`;
const generate = (provinces) =>
  generateNationBundle({ provinces, citiesPerProvince: 10, countiesPerCity: 9.5, indicators: 30, months: 12, seed: 20240101, year: YEAR });

const SIZES = [
  { label: "half", provinces: 15 },
  { label: "full", provinces: 30 },
];
const samples = SIZES.map(() => ({ total: { wall: [], cpu: [] }, validation: { wall: [], cpu: [] }, evaluation: { wall: [], cpu: [] } }));
const facts = [];

console.log(`evaluateBundle(bundle, ${JSON.stringify(OPTIONS)}) on ${built}`);
console.log(
  `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${ROUNDS} rounds × ${RUNS} runs after a warm-up, ` +
    `gc between runs, one bundle in memory at a time\n`,
);

// Rounds alternate the sizes (half, full, half, full …) so that load from other processes on the
// machine falls on both; each bundle is generated afresh and dropped before the next.
for (let round = 0; round < ROUNDS; round++)
  SIZES.forEach((size, k) => {
    const t0 = performance.now();
    const bundle = generate(size.provinces);
    const genMs = performance.now() - t0;
    // Sanity: the result must be a full evaluation of the nation, not an early error.
    const result = evaluateBundle(bundle, OPTIONS);
    if (result.indicators.length !== bundle.indicators.length || result.projects.length !== bundle.projects.length)
      throw new Error(`${size.label}: evaluated ${result.indicators.length} indicators / ${result.projects.length} projects`);
    const parsed = parseBundle(bundle);
    if (parsed._tag !== "Right") throw new Error(`${size.label}: bundle invalid`);
    time(() => evaluateBundle(bundle, OPTIONS), samples[k].total);
    time(() => parseBundle(bundle), samples[k].validation);
    time(() => evaluateParsed(parsed.right, OPTIONS), samples[k].evaluation);
    facts[k] ??= {
      genMs,
      regions: bundle.regions.length,
      counties: bundle.regions.filter((r) => r.level === "county").length,
      values: bundle.progress.length,
      targets: bundle.targets.length,
      counts: result.counts[bundle.plans[0].id],
      lagging: result.lagging.length,
      falls: result.falls.length,
    };
  });

const [half, full] = SIZES.map((size, k) => {
  const f = facts[k];
  const total = summary(samples[k].total.wall, samples[k].total.cpu);
  const validation = summary(samples[k].validation.wall, samples[k].validation.cpu);
  const evaluation = summary(samples[k].evaluation.wall, samples[k].evaluation.cpu);
  console.log(
    `${size.label.padEnd(5)} ${String(size.provinces).padStart(2)} provinces, ${String(f.regions).padStart(5)} regions ` +
      `(${f.counties} counties), ${f.values.toLocaleString("en")} progress values, ${f.targets.toLocaleString("en")} targets ` +
      `(generated in ${ms(f.genMs)})`,
  );
  console.log(
    `      evaluateBundle median ${ms(total.median)} (min ${ms(total.min)}, max ${ms(total.max)}, ${total.cpu ? `cpu ${ms(total.cpu)}, ` : ""}` +
      `${ROUNDS * RUNS} runs) = ${((total.median * 1e6) / f.values).toFixed(0)} ns/value  ` +
      `[validation ${ms(validation.median)} + evaluation ${ms(evaluation.median)}]`,
  );
  console.log(`      counts ${JSON.stringify(f.counts)}, ${f.lagging} lagging indicator-regions, ${f.falls} month-on-month falls`);
  return { values: f.values, ms: total.median, min: total.min };
});

const valueRatio = full.values / half.values;
const timeRatio = full.ms / half.ms;
const exponent = Math.log(timeRatio) / Math.log(valueRatio);
const linear = exponent < 1.3;
const meetsGoal = full.ms <= GOAL_MS;

console.log(`\nlinearity: time ratio ${timeRatio.toFixed(2)} for value ratio ${valueRatio.toFixed(2)} ` +
  `(time ∝ values^${exponent.toFixed(2)}; 1 = linear, 2 = quadratic) → ${linear ? "≈ linear" : "SUPERLINEAR"}` +
  ` [fastest runs: ratio ${(full.min / half.min).toFixed(2)}]`);
console.log(`goal: full ${ms(full.ms)} vs ${GOAL_MS} ms goal → ratio ${(full.ms / GOAL_MS).toFixed(2)} ${meetsGoal ? "(meets goal)" : "(MISSES goal)"}`);
console.log(`RESULT evaluateBundle-nation-1M ${full.ms.toFixed(0)} ms, ${((full.ms * 1e6) / full.values).toFixed(0)} ns/value, ` +
  `goal ${GOAL_MS} ms, ratio ${(full.ms / GOAL_MS).toFixed(2)}, linearity exponent ${exponent.toFixed(2)}`);

if (CHECK && (!meetsGoal || !linear)) process.exit(1);
