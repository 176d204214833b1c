// Load (issue 7, item 6; figures go in BENCHMARKS.md). Loopback only, bounded in time.
//
// The real server (dist/server.js, embedded database, demo data) on a temporary DATA_DIR:
//   1. unloaded: public project pages (GET /public/sites/{code}) at full speed with autocannon → p99
//   2. loaded: the same reads while one client spams suggestions (POST …/feedback) at issue 5's
//      1,000 requests a minute (--spam-per-minute; 0 = as fast as it can, a flood far beyond that)
//      and an admin imports a 12,000-figure bundle → p99, 429s counted
// then the server is stopped and the database read directly: every suggestion answered 201 is
// stored, none more, and the import is complete. Goal: loaded p99 ≤ 2 × unloaded p99.
//
//   pnpm --filter @minsheng/api build && node apps/api/bench/load.mjs [--seconds 8] [--connections 10] [--spam-per-minute 1000] [--check]
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import autocannon from "autocannon";
import { openDatabase } from "@minsheng/db";
import { startServer as startBenchServer } from "./common.mjs";

const { values: args } = parseArgs({ options: { seconds: { type: "string", default: "8" }, connections: { type: "string", default: "10" }, "spam-per-minute": { type: "string", default: "1000" }, check: { type: "boolean", default: false } } });
const seconds = Number(args.seconds);
const connections = Number(args.connections);
const spamPerMinute = Number(args["spam-per-minute"]);
const dataDir = mkdtempSync(join(tmpdir(), "ms-load-"));

const startServer = () =>
  startBenchServer({ ...process.env, DATABASE_URL: "", SEED: "demo", DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", BACKUP_INTERVAL_HOURS: "0" });

function bigBundle(id) {
  const counties = Array.from({ length: 120 }, (_, i) => ({ code: String(439000 + i), name: `负载县${i}`, level: "county", parent: "430000" }));
  const indicators = Array.from({ length: 10 }, (_, i) => ({ id: `${id}-p${i}-a`, project: `${id}-p${i}`, name: `指标${i}`, unit: "个", kind: "quantity", aggregation: "sum" }));
  return {
    format: "minsheng.bundle/v1",
    regions: [{ code: "430000", name: "湖南省", level: "province", parent: null }, ...counties],
    units: [{ id: `${id}-u`, name: "负载单位", region: "430000" }],
    plans: [{ id, year: 2024, level: "province", region: "430000", title: `负载测试计划`, schedule: "linear-monthly" }],
    items: [{ id: `${id}-i1`, plan: id, no: 1, title: "实事" }],
    projects: indicators.map((x, i) => ({ id: x.project, item: `${id}-i1`, no: i + 1, title: `项目${i}`, leadUnit: `${id}-u` })),
    indicators,
    targets: counties.flatMap((c) => indicators.map((x) => ({ indicator: x.id, region: c.code, value: 100 }))),
    progress: counties.flatMap((c) => indicators.flatMap((x) => Array.from({ length: 10 }, (_, m) => ({ indicator: x.id, region: c.code, period: `2024-${String(m + 1).padStart(2, "0")}`, value: (m + 1) * 10 })))),
  };
}

const reads = (url, path) =>
  autocannon({ url: `${url}${path}`, connections, duration: seconds, headers: { accept: "application/json" } });

const server = await startServer();
const { url } = server;
try {
  const sites = await (await fetch(`${url}/api/v1/public/sites?limit=5&region=430523`)).json();
  const code = sites.sites[0].code;
  const page = `/api/v1/public/sites/${code}`;
  // warm-up (caches, JIT)
  await autocannon({ url: `${url}${page}`, connections, duration: 2 });

  // 1. unloaded
  const quiet = await reads(url, page);

  // 2. loaded: reads + suggestion spam + a bundle import, all at once
  const login = await fetch(`${url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json", origin: url }, body: JSON.stringify({ username: "admin", password: "minsheng2024" }) });
  const cookie = login.headers.get("set-cookie").split(";")[0];
  const bundle = bigBundle("load2024");
  // The spammer runs in its own thread: its work must not slow the client that measures the reads.
  const spamWorker = new Worker(
    `const { parentPort, workerData: { url, code, perMinute } } = require("node:worker_threads");
     const spam = { sent: 0, created: 0, throttled: 0, other: 0, tickets: [] };
     let spamming = true;
     parentPort.on("message", () => (spamming = false));
     const began = performance.now();
     (async () => {
       while (spamming) {
         // paced: the n-th request leaves at n × (60 s ÷ rate) after the start (none: back to back)
         const due = perMinute > 0 ? began + (spam.sent * 60_000) / perMinute : 0;
         if (due > performance.now()) {
           await new Promise((r) => setTimeout(r, due - performance.now()));
           continue;
         }
         const n = spam.sent++;
         const res = await fetch(url + "/api/v1/public/sites/" + code + "/feedback", {
           method: "POST",
           headers: { "content-type": "application/json" },
           body: JSON.stringify({ kind: "suggestion", text: "负载测试的意见建议 第" + n + "条：请公开施工进度。", phone: "139" + String(10000000 + n).slice(-8) }),
         });
         const body = await res.json();
         if (res.status === 201) spam.created++, spam.tickets.push(body.ticket);
         else if (res.status === 429) spam.throttled++;
         else spam.other++;
       }
       parentPort.postMessage(spam);
     })();`,
    { eval: true, workerData: { url, code, perMinute: spamPerMinute } },
  );
  const spamDone = new Promise((r) => spamWorker.once("message", r));
  const importStarted = performance.now();
  const importing = fetch(`${url}/api/v1/bundles`, { method: "POST", headers: { cookie, origin: url, "content-type": "application/json" }, body: JSON.stringify(bundle) }).then(async (r) => ({
    status: r.status,
    ms: performance.now() - importStarted,
    body: await r.json(),
  }));
  const busy = await reads(url, page);
  spamWorker.postMessage("stop");
  const spam = await spamDone;
  await spamWorker.terminate();
  const imported = await importing;

  server.proc.kill("SIGTERM");
  await server.exited;
  // nothing lost: read the database directly
  const db = await openDatabase({ dataDir: join(dataDir, "pg") });
  const stored = (await db.query("SELECT count(*)::int AS n FROM feedback WHERE text LIKE '负载测试的意见建议%'")).rows[0].n;
  const storedTickets = (await db.query("SELECT ticket FROM feedback WHERE text LIKE '负载测试的意见建议%'")).rows.map((r) => r.ticket);
  const figures = (await db.query("SELECT count(*)::int AS n FROM reports WHERE indicator LIKE 'load2024-%'")).rows[0].n;
  await db.close();

  const p99q = quiet.latency.p99;
  const p99b = busy.latency.p99;
  const ratio = p99b / p99q;
  const lost = spam.tickets.filter((t) => !storedTickets.includes(t)).length;
  console.log(`public page reads, ${connections} connections, ${seconds} s each (loopback); load average now ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  console.log(`  unloaded: ${quiet.requests.average.toFixed(0)} req/s, p50 ${quiet.latency.p50} ms, p99 ${p99q} ms, max ${quiet.latency.max} ms, non-2xx ${quiet.non2xx}, errors ${quiet.errors}`);
  console.log(`  loaded:   ${busy.requests.average.toFixed(0)} req/s, p50 ${busy.latency.p50} ms, p99 ${p99b} ms, max ${busy.latency.max} ms, non-2xx ${busy.non2xx}, errors ${busy.errors}`);
  console.log(`  p99 loaded ÷ unloaded: ${ratio.toFixed(2)} (goal ≤ 2)`);
  console.log(`suggestion spam from one client (${spamPerMinute > 0 ? `${spamPerMinute}/min` : "back to back"}): ${spam.sent} sent, ${spam.created} accepted, ${spam.throttled} throttled (429), ${spam.other} other; stored ${stored}, lost ${lost}`);
  console.log(`bundle import during the load: ${imported.status} in ${(imported.ms / 1000).toFixed(2)} s, ${bundle.progress.length} figures sent, ${figures} stored`);
  const ok =
    ratio <= 2 && quiet.non2xx === 0 && busy.non2xx === 0 && busy.errors === 0 && stored === spam.created && lost === 0 && spam.throttled > 0 && spam.other === 0 && imported.status === 201 && figures === bundle.progress.length;
  console.log(ok ? "✓ all goals met" : "✗ a goal was missed");
  if (args.check && !ok) process.exitCode = 1;
} finally {
  if (server.proc.exitCode === null) server.proc.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
}
