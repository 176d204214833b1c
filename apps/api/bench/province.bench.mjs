// Issue 16 benchmarks on the generated province (`pnpm gen:province`), side by side in one run
// (figures go in BENCHMARKS.md, "Issue 16: province scale"):
//  1. the province's and a city's dashboard (GET /plans/:id/progress) vs the raw SQL aggregate
//  2. the province's bulletin (both plans): JSON, .docx, .xlsx
//  3. import of the current year's province bundle into an empty database (PostgreSQL and PGlite)
//  4. `ops.js backup` and `ops.js restore` of the installation vs pg_dump / pg_restore
//
//   DATABASE_URL=postgres://…/province_bench DATA_DIR=/tmp/prov pnpm gen:province
//   DATABASE_URL=postgres://…/province_bench DATA_DIR=/tmp/prov node apps/api/bench/province.bench.mjs [--rounds 20] [--skip-import] [--skip-backup]
//   (or `pnpm bench:province …` at the root, which builds first)
//
// Parts 3 and 4 create (and drop) databases named <database>_import and <database>_restore on the
// same server, and temporary folders.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "@minsheng/db";
import { createApp, defaultConfig, DEMO_PASSWORD, DiskStorage, loadMasterKey, RegionDirectory, secretsFromKey } from "../dist/index.js";
import { median, time } from "./common.mjs";
import { defaults, importYear, provinceBundles } from "../scripts/province.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const rounds = Number(arg("--rounds", 20));
if (!env.DATABASE_URL || !env.DATA_DIR) throw new Error("set DATABASE_URL and DATA_DIR to the generated province's (see the header)");
const dataDir = resolve(env.DATA_DIR);
const year = defaults.year;
const period = `${year}-12`;
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
const rows = [];
const row = (...cells) => (rows.push(cells), console.log(cells.join(" | ")));
const server = new URL(env.DATABASE_URL);
const dbUrl = (name) => Object.assign(new URL(server.href), { pathname: `/${name}` }).href;
const baseName = server.pathname.slice(1);
const psql = (sql) => {
  const r = spawnSync("psql", [dbUrl("postgres"), "-v", "ON_ERROR_STOP=1", "-qAtc", sql], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
};
console.log(`load average at start: ${load()}`);

const db = await openDatabase({ databaseUrl: env.DATABASE_URL });
const secrets = secretsFromKey(loadMasterKey(env.FEEDBACK_KEY, join(dataDir, "feedback.key")));
const app = createApp({ db, storage: new DiskStorage(join(dataDir, "files")), regions: new RegionDirectory(db), config: defaultConfig, now: () => new Date(`${year}-12-20T02:00:00Z`), secrets });
const login = await app.request("http://localhost/api/v1/auth/login", {
  method: "POST",
  headers: { "content-type": "application/json", origin: "http://localhost" },
  body: JSON.stringify({ username: "staff-430000", password: env.PASSWORD || DEMO_PASSWORD }),
});
if (login.status !== 200) throw new Error(`sign-in as staff-430000 failed (${login.status}): is the province generated in this database?`);
const cookie = login.headers.get("set-cookie").split(";")[0];
const get = async (path) => {
  const r = await app.request(`http://localhost${path}`, { headers: { cookie } });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.arrayBuffer();
};

// 1. dashboards vs raw SQL ---------------------------------------------------------------------
{
  const plan = `hn${year}`;
  const { rows: counts } = await db.query("SELECT (SELECT count(*) FROM reports)::int AS reports, (SELECT count(*) FROM targets)::int AS targets");
  console.log(`database: ${counts[0].reports} reports, ${counts[0].targets} targets (all years)`);
  const endpoint = (region) => () => get(`/api/v1/plans/${plan}/progress?period=${period}&region=${region}`);
  // The same figures straight from SQL: each county's latest verified value at or before the month,
  // summed (averaged for milestones) over the region's counties, against the targets.
  const rawSql = (region) => () =>
    db.query(
      `WITH RECURSIVE area AS (SELECT code FROM regions WHERE code = $2 UNION SELECT r.code FROM regions r JOIN area ON r.parent = area.code),
       latest AS (
         SELECT DISTINCT ON (r.indicator, r.region) r.indicator, r.region, r.verified_value AS v
           FROM reports r JOIN area ON area.code = r.region
           JOIN indicators i ON i.id = r.indicator JOIN projects p ON p.id = i.project JOIN items it ON it.id = p.item
          WHERE it.plan = $1 AND r.state IN ('verified','reduced') AND r.period <= $3 AND r.period >= $4
          ORDER BY r.indicator, r.region, r.period DESC)
       SELECT t.indicator,
              CASE WHEN i.aggregation = 'mean' THEN avg(coalesce(l.v, 0)) / avg(t.value) ELSE sum(coalesce(l.v, 0)) / sum(t.value) END AS rate
         FROM targets t JOIN indicators i ON i.id = t.indicator JOIN area ON area.code = t.region
         LEFT JOIN latest l ON l.indicator = t.indicator AND l.region = t.region
        GROUP BY t.indicator, i.aggregation`,
      [plan, region, period, `${year}-01`],
    );
  for (const [label, region] of [["province 430000", "430000"], ["city 430500 (邵阳市, 12 counties)", "430500"]]) {
    const first = await time(endpoint(region));
    for (let i = 0; i < 3; i++) {
      await endpoint(region)();
      await rawSql(region)();
    }
    const a = [], b = [];
    for (let i = 0; i < rounds; i++) {
      a.push(await time(endpoint(region)));
      b.push(await time(rawSql(region)));
    }
    row(`dashboard, ${label}, ${plan} at ${period} (median of ${rounds})`, `${median(a).toFixed(1)} ms (first call ${first.toFixed(0)} ms)`, `raw SQL ${median(b).toFixed(1)} ms`, `${(median(a) / median(b)).toFixed(2)}×`, `load ${load()}`);
  }
}

// 2. the province's bulletin -------------------------------------------------------------------
for (const format of ["json", "docx", "xlsx"]) {
  const path = `/api/v1/bulletins?plan=hn${year},hn${year}b&region=430000&period=${period}&format=${format}`;
  const first = await time(() => get(path));
  const ts = [];
  let size = 0;
  for (let i = 0; i < 5; i++) ts.push(await time(async () => (size = (await get(path)).byteLength)));
  row(`province bulletin, both plans, ${format} (median of 5)`, `${median(ts).toFixed(0)} ms (first ${first.toFixed(0)} ms)`, `${(size / 1024).toFixed(0)} KB`, "", `load ${load()}`);
}
await db.close();

// 3. import of the current year's bundle into an empty database --------------------------------
if (!args.includes("--skip-import")) {
  const t = performance.now();
  const { bundles } = provinceBundles(defaults);
  const { bundle } = bundles.at(-1);
  const n = bundle.targets.length + bundle.progress.length + bundle.disclosure.length;
  console.log(`generated the ${year} bundle in ${((performance.now() - t) / 1000).toFixed(1)} s (${n} target, figure and disclosure rows)`);
  const name = `${baseName}_import`;
  psql(`DROP DATABASE IF EXISTS ${name}`);
  psql(`CREATE DATABASE ${name}`);
  const pg = await openDatabase({ databaseUrl: dbUrl(name) });
  const msPg = await time(() => importYear(pg, bundle));
  await pg.close();
  psql(`DROP DATABASE ${name}`);
  const dir = mkdtempSync(join(tmpdir(), "ms-province-import-"));
  const lite = await openDatabase({ dataDir: join(dir, "pg") });
  const msLite = await time(() => importYear(lite, bundle));
  await lite.close();
  rmSync(dir, { recursive: true, force: true });
  row(`import of the ${year} province bundle (${Math.round(n / 1000)}k rows; validate + upsert, one transaction), empty database`, `PostgreSQL ${(msPg / 1000).toFixed(1)} s`, `PGlite ${(msLite / 1000).toFixed(1)} s`, "", `load ${load()}`);
}

// 4. backup and restore ------------------------------------------------------------------------
if (!args.includes("--skip-backup")) {
  const ops = join(here, "..", "dist", "ops.js");
  const dir = mkdtempSync(join(tmpdir(), "ms-province-backup-"));
  const du = (p) => spawnSync("du", ["-sb", p], { encoding: "utf8" }).stdout.split("\t")[0];
  const run = (cmd, argv, extraEnv = {}) => {
    const t = performance.now();
    const r = spawnSync(cmd, argv, { env: { ...env, ...extraEnv }, encoding: "utf8", maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")}: ${r.stderr}${r.stdout}`);
    return { ms: performance.now() - t, out: r.stdout.trim() };
  };
  const backup = run(process.execPath, [ops, "backup", join(dir, "backup")]);
  console.log(backup.out);
  const restoreName = `${baseName}_restore`;
  psql(`DROP DATABASE IF EXISTS ${restoreName}`);
  psql(`CREATE DATABASE ${restoreName}`);
  const restore = run(process.execPath, [ops, "restore", join(dir, "backup")], { DATABASE_URL: dbUrl(restoreName), DATA_DIR: join(dir, "restored") });
  console.log(restore.out);
  const dump = run("pg_dump", ["-Fc", "-f", join(dir, "db.dump"), env.DATABASE_URL]);
  psql(`DROP DATABASE ${restoreName}`);
  psql(`CREATE DATABASE ${restoreName}`);
  const pgRestore = run("pg_restore", ["--no-owner", "-d", dbUrl(restoreName), join(dir, "db.dump")]);
  psql(`DROP DATABASE ${restoreName}`);
  const mb = (bytes) => `${(Number(bytes) / 1e6).toFixed(0)} MB`;
  row("`ops.js backup` (database + DATA_DIR files, SHA-256 manifest)", `${(backup.ms / 1000).toFixed(1)} s`, `${mb(du(join(dir, "backup")))} (files ${mb(du(join(dataDir, "files")))})`, "", `load ${load()}`);
  row("`ops.js restore` into an empty database and a fresh DATA_DIR (checks, one transaction, digest)", `${(restore.ms / 1000).toFixed(1)} s`, "", "", `load ${load()}`);
  row("`pg_dump -Fc` of the same database (no files)", `${(dump.ms / 1000).toFixed(1)} s`, mb(statSync(join(dir, "db.dump")).size), "", `load ${load()}`);
  row("`pg_restore` of that dump into an empty database", `${(pgRestore.ms / 1000).toFixed(1)} s`, "", "", `load ${load()}`);
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n| benchmark | figure | beside it | ratio | load average (1, 5, 15 min) |\n|---|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
