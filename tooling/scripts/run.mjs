#!/usr/bin/env node
// The README's two commands, `npm start` and `npm test`, land here. They must work on a fresh
// machine that has only Node 20 and npm: this script installs pnpm (pinned), the dependencies
// (from the lockfile) and, for browser tests, Debian's Chromium, then hands over to turbo.
import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const PNPM_VERSION = rootPackage.packageManager.replace(/^pnpm@/, "");

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function must(cmd, args, options) {
  const status = run(cmd, args, options);
  if (status !== 0) {
    console.error(`\n✗ ${cmd} ${args.join(" ")} failed (exit ${status})`);
    process.exit(status);
  }
}

function output(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** pnpm at the pinned version: the one on PATH if it matches, else a private copy in .tools/. */
function ensurePnpm() {
  if (output("pnpm", ["--version"]) === PNPM_VERSION) return "pnpm";
  const local = join(root, ".tools", "node_modules", ".bin", "pnpm");
  if (!existsSync(local) || output(local, ["--version"]) !== PNPM_VERSION) {
    console.log(`→ installing pnpm ${PNPM_VERSION} into .tools/`);
    must("npm", ["install", "--prefix", join(root, ".tools"), "--no-save", "--no-audit", "--no-fund", `pnpm@${PNPM_VERSION}`]);
  }
  return local;
}

/**
 * Browser tests drive Debian's Chromium (playwright-core never downloads a browser here), and the
 * bulletin's visual test prints the .docx through LibreOffice and pdftoppm. As root with apt,
 * install what is missing; otherwise say how, and those tests skip with a message.
 */
function ensureSystemPackages() {
  const wanted = [
    { check: env.CHROMIUM_PATH ?? "/usr/bin/chromium", packages: ["chromium", "fonts-noto-cjk"], why: "browser tests" },
    { check: "/usr/bin/soffice", packages: ["libreoffice-writer-nogui", "poppler-utils", "fonts-noto-cjk"], why: "the bulletin's rendered pages" },
  ].filter((w) => !existsSync(w.check));
  if (wanted.length === 0) return;
  const packages = [...new Set(wanted.flatMap((w) => w.packages))];
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && output("which", ["apt-get"])) {
    console.log(`→ installing Debian's ${packages.join(", ")} for ${wanted.map((w) => w.why).join(" and ")}`);
    must("apt-get", ["update", "-qq"]);
    must("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], {
      env: { ...env, DEBIAN_FRONTEND: "noninteractive" },
    });
  } else {
    console.log(`! missing ${wanted.map((w) => w.check).join(", ")}: apt-get install ${packages.join(" ")} to run ${wanted.map((w) => w.why).join(" and ")}`);
  }
}

function reachable(host, port) {
  return new Promise((done) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once("connect", () => (socket.destroy(), done(true)));
    socket.once("error", () => done(false));
    socket.once("timeout", () => (socket.destroy(), done(false)));
  });
}

const command = process.argv[2];
const pnpm = ensurePnpm();
// turbo and the packages' scripts call `pnpm` by name: the private copy's folder goes first on PATH.
const binPath = [dirname(pnpm), process.env.PATH].filter(Boolean).join(delimiter);
const env = { ...process.env, PATH: pnpm === "pnpm" ? process.env.PATH : binPath, COREPACK_ENABLE_STRICT: "0", TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };

console.log("→ installing dependencies from the lockfile");
must(pnpm, ["install", "--frozen-lockfile"], { env });

if (command === "start") {
  // The API and the two web apps it serves (/admin/ and the 码上通 site at /).
  must(pnpm, ["turbo", "run", "build", "--filter=@minsheng/api...", "--filter=@minsheng/admin", "--filter=@minsheng/public"], { env });
  // `npm start` shows the demo (SEED=demo) unless told otherwise; never in production, which starts
  // empty with the operator's own administrators (ADMIN_USERNAME / ADMIN_PASSWORD).
  const seed = env.SEED ?? (env.NODE_ENV === "production" ? undefined : "demo");
  process.exit(run(pnpm, ["--filter", "@minsheng/api", "start"], { env: { ...env, ...(seed === undefined ? {} : { SEED: seed }) } }));
} else if (command === "test") {
  ensureSystemPackages();
  // The linter first: it takes a second, and a warning fails the run like an error (tooling/lint).
  must(pnpm, ["run", "lint"], { env });
  must(pnpm, ["turbo", "run", "build", "typecheck", "--output-logs=errors-only"], { env });
  // First on the embedded database (PGlite), as a user's machine runs it …
  const { DATABASE_URL: _ignored, ...embeddedEnv } = env;
  must(pnpm, ["turbo", "run", "test", "--concurrency=1", "--output-logs=full"], { env: embeddedEnv });
  // … then the suites that touch the database again on a real PostgreSQL server, when one answers.
  const url = env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const { hostname, port } = new URL(url);
  if (await reachable(hostname, Number(port || 5432))) {
    console.log(`→ database suites again on PostgreSQL (${hostname}:${port || 5432})`);
    must(pnpm, ["turbo", "run", "test", "--concurrency=1", "--output-logs=full", "--filter=@minsheng/db", "--filter=@minsheng/api"], {
      env: { ...env, DATABASE_URL: url },
    });
  } else {
    console.log(`! no PostgreSQL server at ${hostname}:${port || 5432}: the server run of the database suites was skipped`);
  }
  process.exit(0);
} else {
  console.error("usage: node tooling/scripts/run.mjs start|test");
  process.exit(2);
}
