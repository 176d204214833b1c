#!/usr/bin/env node
// Outsider check of the published package: what a user gets from `npm install @minsheng/domain`.
//
//   node scripts/pack-check.mjs [--keep]
//
// Builds nothing (run `pnpm turbo run build --filter=@minsheng/domain` first; it needs dist/).
//  1. `pnpm pack` the package into a temp dir and check the tarball: dist and README inside, and
//     no `catalog:` / `workspace:` specifier left in its package.json (pnpm replaces them on pack).
//  2. In an empty temp folder outside the workspace, `npm install <tarball>`: effect and zod come
//     from the public npm registry, not from the workspace.
//  3. Run an ESM script there that imports { evaluateBundle } from "@minsheng/domain" and evaluates
//     the repository's fixture (seed 003) at 2024-09 for 430500: the province plan must count
//     completed 11 / on_schedule 13 / behind 0.
//  4. Type-check a .ts file importing the package's types with the repository's TypeScript
//     (`tsc --noEmit`, module/moduleResolution NodeNext) against the installed package.
// Exits non-zero with a message naming the failed step. `--keep` leaves the temp folder.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, "..");
const repoRoot = resolve(packageDir, "..", "..");
const fixture = join(repoRoot, "fixtures", "shaoyang-2024.bundle.json");
const PERIOD = "2024-09";
const REGION = "430500";
const EXPECTED_COUNTS = { completed: 11, on_schedule: 13, behind: 0 };
const keep = process.argv.includes("--keep");

let work;
let step = "setup";
const log = (message) => console.log(`pack-check: ${message}`);

function fail(message, detail) {
  console.error(`\n✗ pack-check failed at step "${step}": ${message}`);
  if (detail) console.error(detail.trimEnd());
  if (work && !keep) rmSync(work, { recursive: true, force: true });
  else if (work) console.error(`(temp folder kept: ${work})`);
  process.exit(1);
}

/** Runs a command; fails the check with its output when it does not exit 0. */
function run(cmd, args, cwd, what) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" }, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) fail(`${what}: could not run ${cmd} (${r.error.message})`);
  if (r.status !== 0) fail(`${what}: \`${cmd} ${args.join(" ")}\` exited ${r.status}`, `${r.stdout ?? ""}\n${r.stderr ?? ""}`);
  return r.stdout;
}

// --------------------------------------------------------------------------------------------
step = "preconditions";
for (const file of ["dist/index.js", "dist/index.d.ts"])
  if (!existsSync(join(packageDir, file)))
    fail(`${file} is missing: build first (cd ${relative(process.cwd(), repoRoot) || "."} && pnpm turbo run build --filter=@minsheng/domain)`);
if (!existsSync(fixture)) fail(`fixture not found at ${fixture}`);
const source = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
const provincePlan = JSON.parse(readFileSync(fixture, "utf8")).plans?.find((p) => p.level === "province")?.id;
if (!provincePlan) fail("the fixture has no province plan");

work = mkdtempSync(join(tmpdir(), "minsheng-pack-check-"));
log(`working in ${work}`);

// --------------------------------------------------------------------------------------------
step = "pnpm pack";
const packDir = join(work, "tarball");
mkdirSync(packDir);
run("pnpm", ["pack", "--pack-destination", packDir], packageDir, "packing the package");
const tarballs = readdirSync(packDir).filter((f) => f.endsWith(".tgz"));
if (tarballs.length !== 1) fail(`expected one tarball in ${packDir}, found ${tarballs.length}`);
const tarball = join(packDir, tarballs[0]);
log(`packed ${tarballs[0]}`);

const listing = run("tar", ["-tzf", tarball], work, "listing the tarball").split("\n").filter(Boolean);
for (const file of ["package/package.json", "package/dist/index.js", "package/dist/index.d.ts", "package/README.md"])
  if (!listing.includes(file)) fail(`the tarball lacks ${file.slice("package/".length)}`, listing.join("\n"));
const leaked = listing.filter((f) => /^package\/(src|test|bench|scripts)\//.test(f));
if (leaked.length > 0) fail("the tarball ships sources that `files` should leave out", leaked.join("\n"));

const packed = JSON.parse(run("tar", ["-xzOf", tarball, "package/package.json"], work, "reading the packed package.json"));
const specifiers = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"].flatMap((field) =>
  Object.entries(packed[field] ?? {}).map(([name, spec]) => ({ field, name, spec })),
);
const unreplaced = specifiers.filter(({ spec }) => /^(catalog|workspace):/.test(spec));
if (unreplaced.length > 0)
  fail("the packed package.json still has workspace-only specifiers", unreplaced.map((s) => `${s.field}.${s.name}: ${s.spec}`).join("\n"));
for (const name of Object.keys(source.dependencies ?? {})) {
  const spec = packed.dependencies?.[name];
  if (typeof spec !== "string" || !/^\^?~?\d+\.\d+\.\d+/.test(spec))
    fail(`dependency ${name} is not a real version in the packed package.json: ${JSON.stringify(spec)}`);
}
log(`packed dependencies: ${Object.entries(packed.dependencies ?? {}).map(([n, v]) => `${n}@${v}`).join(", ")}`);

// --------------------------------------------------------------------------------------------
step = "npm install";
const consumer = join(work, "consumer");
mkdirSync(consumer);
writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "minsheng-pack-check-consumer", private: true, type: "module" }, null, 2));
run("npm", ["install", tarball, "--no-audit", "--no-fund", "--loglevel=error"], consumer, "installing the tarball from outside the workspace");
for (const [name, spec] of Object.entries(packed.dependencies ?? {})) {
  const manifest = join(consumer, "node_modules", name, "package.json");
  if (!existsSync(manifest)) fail(`npm did not install the dependency ${name}`);
  const version = JSON.parse(readFileSync(manifest, "utf8")).version;
  if (spec.replace(/^[\^~]/, "") !== version && !spec.startsWith("^") && !spec.startsWith("~"))
    fail(`installed ${name}@${version}, the package asks for ${spec}`);
}
log("installed the tarball with npm");

// --------------------------------------------------------------------------------------------
step = "evaluate";
writeFileSync(
  join(consumer, "evaluate.mjs"),
  `import { readFileSync } from "node:fs";
import { evaluateBundle } from "@minsheng/domain";

const [fixture, period, region] = process.argv.slice(2);
const bundle = JSON.parse(readFileSync(fixture, "utf8"));
const result = evaluateBundle(bundle, { period, region });
console.log(JSON.stringify({ resolved: import.meta.resolve("@minsheng/domain"), counts: result.counts }));
`,
);
const out = run(process.execPath, ["evaluate.mjs", fixture, PERIOD, REGION], consumer, "evaluating the fixture with the installed package");
let evaluated;
try {
  evaluated = JSON.parse(out.trim().split("\n").pop());
} catch {
  fail("the evaluation script printed no JSON", out);
}
const resolvedPath = fileURLToPath(evaluated.resolved);
if (!resolvedPath.startsWith(join(consumer, "node_modules")))
  fail(`"@minsheng/domain" resolved to ${resolvedPath}, not to the installed copy`);
const counts = evaluated.counts?.[provincePlan];
if (JSON.stringify(counts) !== JSON.stringify(EXPECTED_COUNTS))
  fail(`province plan ${provincePlan} at ${PERIOD} for ${REGION}: expected ${JSON.stringify(EXPECTED_COUNTS)}, got ${JSON.stringify(counts)}`);
log(`evaluateBundle from the installed package: ${provincePlan} ${JSON.stringify(counts)}`);

// --------------------------------------------------------------------------------------------
step = "types";
writeFileSync(
  join(consumer, "types-check.ts"),
  `import { readFileSync } from "node:fs";
import {
  BundleInvalid,
  evaluateBundle,
  Rational,
  type BundleInput,
  type EvaluateError,
  type Evaluation,
  type StatusCounts,
} from "@minsheng/domain";
import { evaluateBundleEffect } from "@minsheng/domain/effect";

const bundle = JSON.parse(readFileSync("fixture.json", "utf8")) as BundleInput;
const result: Evaluation = evaluateBundle(bundle, { period: "${PERIOD}", region: "${REGION}" });
const counts: StatusCounts | undefined = result.counts["${provincePlan}"];
const done: number | undefined = counts?.completed;
const percent: number = Rational.percent(Rational.div(Rational.fromNumber(149.01), Rational.fromNumber(200)));
const effect = evaluateBundleEffect(bundle, { period: "${PERIOD}", region: "${REGION}" });
const failure = (e: EvaluateError): string => (e instanceof BundleInvalid ? e.problems.map((p) => p.path).join() : e._tag);
// @ts-expect-error a period is a "YYYY-MM" string, not a number: the types must be real, not any
evaluateBundle(bundle, { period: 202409, region: "${REGION}" });

export { done, effect, failure, percent };
`,
);
writeFileSync(
  join(consumer, "tsconfig.json"),
  JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        // effect's and zod's declarations name web globals (URL, AbortSignal, ReadableStream).
        lib: ["ES2022", "DOM"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
      },
      files: ["types-check.ts", "node-stub.d.ts"],
    },
    null,
    2,
  ),
);
// The consumer has no @types/node: declare the one function the file uses.
writeFileSync(join(consumer, "node-stub.d.ts"), `declare module "node:fs" { export function readFileSync(path: string, encoding: "utf8"): string; }\n`);
let tsc;
try {
  tsc = createRequire(join(packageDir, "package.json")).resolve("typescript/bin/tsc");
} catch {
  fail("the repository's TypeScript is not installed (pnpm install)");
}
run(process.execPath, [tsc, "--noEmit", "-p", join(consumer, "tsconfig.json")], consumer, "type-checking against the installed package (NodeNext)");
const tsVersion = JSON.parse(readFileSync(join(dirname(tsc), "..", "package.json"), "utf8")).version;
log(`types resolve with moduleResolution NodeNext (tsc ${tsVersion}, skipLibCheck off)`);

if (!keep) rmSync(work, { recursive: true, force: true });
else log(`temp folder kept: ${work}`);
console.log("✓ pack-check passed");
