#!/usr/bin/env node
// `pnpm gen:province [--small] [--seed N] [--history-years N] [--bundles-out DIR]`
//
// Generates the Hunan-size province (scripts/province.mjs) into the installation named by
// DATABASE_URL (a PostgreSQL database) or DATA_DIR (the embedded database), as the server would
// open it: same migrations, same key (FEEDBACK_KEY or DATA_DIR/feedback.key) for site codes and
// sealed phones. Meant for an empty installation (start the server once with SEED=none, or not at
// all); the server must not be running on an embedded DATA_DIR. Every generated account has the
// password PASSWORD (default: the demo password).
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "@minsheng/db";
import { DEMO_PASSWORD, loadMasterKey, secretsFromKey } from "../dist/index.js";
import { defaults, importYear, loadRest, provinceBundles, small } from "./province.mjs";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const env = process.env;
const here = env.INIT_CWD ?? process.cwd();
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const opts = flag("--small") ? small() : { ...defaults };
if (value("--seed")) opts.seed = Number(value("--seed"));
if (value("--history-years")) opts.historyYears = Number(value("--history-years"));
const bundlesOut = value("--bundles-out");
const dataDir = resolve(env.DATA_DIR ?? join(repoRoot, "data"));
const secs = (t) => `${((performance.now() - t) / 1000).toFixed(1)} s`;

const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: join(dataDir, "pg") });
// A second run would add every suggestion and content entry again: refuse instead.
if ((await db.query("SELECT 1 FROM users WHERE username = 'staff-430000'")).rows.length > 0) {
  await db.close();
  console.error("✗ this installation already holds a generated province (account staff-430000); use an empty one");
  process.exit(1);
}
const t0 = performance.now();
const { shape, bundles } = provinceBundles(opts);
console.log(`generated ${bundles.length} yearly bundles in ${secs(t0)}: ${shape.regions.length} regions, ${shape.units.length} units`);
if (bundlesOut) {
  const dir = resolve(here, bundlesOut);
  mkdirSync(dir, { recursive: true });
  for (const { year, bundle } of bundles) writeFileSync(join(dir, `hunan-${year}.bundle.json`), JSON.stringify(bundle));
  console.log(`wrote the bundles to ${dir}`);
}

try {
  for (const { year, bundle } of bundles) {
    const t = performance.now();
    const counts = await importYear(db, bundle);
    console.log(`imported ${year}: ${counts.targets} targets, ${counts.progress} figures, ${counts.disclosure} disclosure records in ${secs(t)}`);
  }
  const t = performance.now();
  const secrets = secretsFromKey(loadMasterKey(env.FEEDBACK_KEY, join(dataDir, "feedback.key")));
  const counts = await loadRest(db, shape, opts, { secrets, filesDir: join(dataDir, "files"), password: env.PASSWORD || DEMO_PASSWORD });
  console.log(`added ${JSON.stringify(counts)} in ${secs(t)}`);
  console.log(`done in ${secs(t0)} (${db.kind}; load average ${loadavg().map((x) => x.toFixed(2)).join(" ")})`);
} finally {
  await db.close();
}
