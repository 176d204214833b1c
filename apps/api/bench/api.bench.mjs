// Issue 3 benchmarks (figures go in BENCHMARKS.md):
//  1. progress endpoint for the fixture city vs the equivalent raw SQL aggregate (goal ≤ 2×)
//  2. import of a 100k-row bundle on PGlite (goal ≤ 10 s)
//  3. server start on an existing data dir (goal ≤ 1 s)
// Run after a build: `pnpm --filter @minsheng/api bench`.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseBundle } from "@minsheng/domain";
import { importBundle, openDatabase } from "@minsheng/db";
import { createApp, defaultConfig, DEMO_PASSWORD, MemoryStorage, RegionDirectory, seedDemo } from "../dist/index.js";
import { median, time } from "./common.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const fixturePath = join(here, "..", "..", "..", "fixtures", "shaoyang-2024.bundle.json");
const rows = [];

// 1. progress endpoint vs raw SQL ------------------------------------------------------------
{
  const dir = mkdtempSync(join(tmpdir(), "ms-bench-"));
  const db = await openDatabase({ dataDir: join(dir, "pg") });
  await seedDemo(db, fixturePath);
  const app = createApp({ db, storage: new MemoryStorage(), regions: new RegionDirectory(db), config: defaultConfig, now: () => new Date() });
  const login = await app.request("http://localhost/api/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://localhost" },
    body: JSON.stringify({ username: "city", password: DEMO_PASSWORD }),
  });
  const cookie = login.headers.get("set-cookie").split(";")[0];
  const endpoint = () => app.request("http://localhost/api/v1/plans/hn2024/progress?period=2024-09&region=430500", { headers: { cookie } }).then((r) => r.json());
  // The same figures straight from SQL: latest verified value per indicator and county at or
  // before the month, summed (or averaged for milestones) over the city, against the targets.
  const rawSql = () =>
    db.query(
      `WITH latest AS (
         SELECT DISTINCT ON (r.indicator, r.region) r.indicator, r.region, r.verified_value AS v
           FROM reports r JOIN indicators i ON i.id = r.indicator JOIN projects p ON p.id = i.project JOIN items it ON it.id = p.item
          WHERE it.plan = 'hn2024' AND r.state IN ('verified','reduced') AND r.period <= '2024-09' AND r.period >= '2024-01'
          ORDER BY r.indicator, r.region, r.period DESC)
       SELECT t.indicator,
              CASE WHEN i.aggregation = 'mean' THEN avg(coalesce(l.v, 0)) / avg(t.value) ELSE sum(coalesce(l.v, 0)) / sum(t.value) END AS rate
         FROM targets t JOIN indicators i ON i.id = t.indicator
         JOIN regions g ON g.code = t.region AND g.parent = '430500'
         LEFT JOIN latest l ON l.indicator = t.indicator AND l.region = t.region
        GROUP BY t.indicator, i.aggregation`,
    );
  for (let i = 0; i < 5; i++) {
    await endpoint();
    await rawSql();
  }
  const a = [], b = [];
  for (let i = 0; i < 30; i++) {
    a.push(await time(endpoint));
    b.push(await time(rawSql));
  }
  const ratio = median(a) / median(b);
  rows.push(["progress endpoint, fixture city (median of 30)", `${median(a).toFixed(1)} ms`, `raw SQL aggregate ${median(b).toFixed(1)} ms`, `${ratio.toFixed(2)}× (goal ≤ 2×)`]);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}

// 2. 100k-row import on PGlite ---------------------------------------------------------------
{
  const counties = 500, indicators = 20, months = 10;
  const regions = [{ code: "430000", name: "省", level: "province", parent: null }];
  for (let c = 0; c < counties; c++) regions.push({ code: String(431000 + c), name: `县${c}`, level: "county", parent: "430000" });
  const bundle = {
    format: "minsheng.bundle/v1",
    regions,
    units: [{ id: "u", name: "单位", region: "430000" }],
    plans: [{ id: "big", year: 2024, level: "province", region: "430000", title: "大计划" }],
    items: [{ id: "big-i1", plan: "big", no: 1, title: "实事" }],
    projects: Array.from({ length: indicators }, (_, i) => ({ id: `big-p${i}`, item: "big-i1", no: i + 1, title: `项目${i}`, leadUnit: "u" })),
    indicators: Array.from({ length: indicators }, (_, i) => ({ id: `big-p${i}-a`, project: `big-p${i}`, name: `指标${i}`, unit: "个", kind: "quantity", aggregation: "sum" })),
    targets: [],
    progress: [],
  };
  for (let i = 0; i < indicators; i++)
    for (let c = 0; c < counties; c++) {
      bundle.targets.push({ indicator: `big-p${i}-a`, region: String(431000 + c), value: 1000 });
      for (let m = 1; m <= months; m++) bundle.progress.push({ indicator: `big-p${i}-a`, region: String(431000 + c), period: `2024-${String(m).padStart(2, "0")}`, value: m * 80 + (c % 7) * 0.5 });
    }
  const dir = mkdtempSync(join(tmpdir(), "ms-bench-"));
  const db = await openDatabase({ dataDir: join(dir, "pg") });
  const n = bundle.progress.length + bundle.targets.length;
  const ms = await time(async () => {
    const parsed = parseBundle(bundle);
    if (parsed._tag !== "Right") throw new Error("generated bundle invalid");
    await db.transaction((tx) => importBundle(tx, parsed.right));
  });
  rows.push([`import of a ${Math.round(n / 1000)}k-row bundle on PGlite (validate + upsert)`, `${(ms / 1000).toFixed(2)} s`, "goal 10 s", `${(ms / 10_000).toFixed(2)}× of the goal`]);
  await db.close();

  // 3. server start on that existing data dir ------------------------------------------------
  const server = join(here, "..", "dist", "server.js");
  // Median of 5 (the machine is shared: see the load average printed below); a start's CPU time
  // (all threads, from /proc) is printed beside it, as it depends less on the machine's load.
  const starts = [];
  const cpu = [];
  for (let i = 0; i < 5; i++) {
    const port = 18_800 + i;
    const t = performance.now();
    const child = spawn(process.execPath, [server], { env: { ...process.env, DATA_DIR: dir, PORT: String(port), SEED: "none" }, stdio: "ignore" });
    let exited = false;
    child.once("exit", () => (exited = true));
    for (;;) {
      if (exited) throw new Error("the server exited before answering /health");
      const ok = await fetch(`http://127.0.0.1:${port}/api/v1/health`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    starts.push(performance.now() - t);
    const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    cpu.push(((Number(fields[11]) + Number(fields[12])) * 1000) / 100); // utime + stime, in 1/100 s
    await new Promise((r) => (child.once("exit", r), child.kill("SIGTERM")));
  }
  console.log(`server starts: ${starts.map((x) => x.toFixed(0)).join(", ")} ms; CPU ${cpu.join(", ")} ms; load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  rows.push(["server start on an existing data dir (median of 5, until /health answers)", `${median(starts).toFixed(0)} ms (CPU ${median(cpu).toFixed(0)} ms)`, "goal 1000 ms", `${(median(starts) / 1000).toFixed(2)}× of the goal`]);
  rmSync(dir, { recursive: true, force: true });
}

console.log("\n| benchmark | figure | baseline / goal | ratio |\n|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
