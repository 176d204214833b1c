// Issue 14 benchmark (figure goes in BENCHMARKS.md): a city's monthly unit scorecard with 40 units
// and a year of data answers in ≤ 200 ms. A generated city plan: 12 counties, 40 units at the city
// each leading 2 projects of 2 indicators, targets in every county, twelve months of figures
// (≈ 23 000 reports), some months missing and some reduced. GET /scorecards for December, cold
// (the plan exported and prepared) and warm (median of 15).
// Run after a build: `node bench/scorecard.bench.mjs`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importBundle, openDatabase } from "@minsheng/db";
import { parseBundle } from "@minsheng/domain";
import { createApp, defaultConfig, DEMO_PASSWORD, MemoryStorage, RegionDirectory, seedDemo } from "../dist/index.js";
import { median, time } from "./common.mjs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const fixturePath = join(here, "..", "..", "..", "fixtures", "shaoyang-2024.bundle.json");

const CITY = "610100";
const counties = Array.from({ length: 12 }, (_, i) => String(610101 + i));
const units = Array.from({ length: 40 }, (_, i) => ({ id: `bu${String(i).padStart(2, "0")}`, name: `责任单位${i + 1}`, region: CITY }));
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const projects = [];
const indicators = [];
const targets = [];
const progress = [];
units.forEach((u, ui) => {
  for (let p = 0; p < 2; p++) {
    const project = `bench-p${ui}-${p}`;
    projects.push({ id: project, item: "bench-i1", no: ui * 2 + p + 1, title: `项目${ui}-${p}`, leadUnit: u.id });
    for (let k = 0; k < 2; k++) {
      const id = `${project}-${k}`;
      indicators.push({ id, project, name: `指标${ui}-${p}-${k}`, unit: "个", kind: "quantity", aggregation: "sum" });
      for (const c of counties) {
        const target = 100 + Math.floor(rand() * 900);
        targets.push({ indicator: id, region: c, value: target });
        let v = 0;
        for (let m = 1; m <= 12; m++) {
          v += Math.floor((target / 12) * (0.6 + rand() * 0.7));
          if (rand() < 0.03) continue; // a month not reported
          progress.push({ indicator: id, region: c, period: `2024-${String(m).padStart(2, "0")}`, value: v });
        }
      }
    }
  }
});
const bundle = parseBundle({
  format: "minsheng.bundle/v1",
  regions: [{ code: "610000", name: "测试省", level: "province", parent: null }, { code: CITY, name: "测试市", level: "city", parent: "610000" }, ...counties.map((c, i) => ({ code: c, name: `测试县${i + 1}`, level: "county", parent: CITY }))],
  units,
  plans: [{ id: "bench2024", year: 2024, level: "city", region: CITY, title: "2024年测试市民生实事", schedule: "linear-monthly" }],
  items: [{ id: "bench-i1", plan: "bench2024", no: 1, title: "实事" }],
  projects,
  indicators,
  targets,
  progress,
});
if (bundle._tag !== "Right") throw new Error(String(bundle.left));

const dir = mkdtempSync(join(tmpdir(), "ms-bench-score-"));
try {
  const db = await openDatabase({ dataDir: join(dir, "pg") });
  await seedDemo(db, fixturePath);
  await db.transaction((tx) => importBundle(tx, bundle.right));
  // some December figures reduced (核减) by a reviewer
  await db.query("UPDATE reports SET state = 'reduced', verified_value = verified_value * 0.9 WHERE period = '2024-12' AND random() < 0.05");
  const app = createApp({ db, storage: new MemoryStorage(), regions: new RegionDirectory(db), config: defaultConfig, now: () => new Date("2025-01-10T02:00:00Z") });
  const login = await app.request("http://localhost/api/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://localhost" },
    body: JSON.stringify({ username: "admin", password: DEMO_PASSWORD }),
  });
  const cookie = login.headers.get("set-cookie").split(";")[0];
  const get = async (path) => {
    const res = await app.request(`http://localhost/api/v1${path}`, { headers: { cookie } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const card = `/scorecards?region=${CITY}&period=2024-12`;
  let body;
  const cold = await time(async () => (body = await get(card)));
  const warm = [];
  for (let i = 0; i < 15; i++) warm.push(await time(() => get(card)));
  const lines = body.units.reduce((s, u) => s + u.lines.length, 0);
  console.log(`reports: ${progress.length}; units scored: ${body.units.length}; lines: ${lines}`);
  console.log(`GET /scorecards (40 units, a year of data): cold ${cold.toFixed(0)} ms, warm median ${median(warm).toFixed(0)} ms (goal ≤ 200 ms)`);
  // the console's trend: every month of the year (informational)
  const trend = [];
  for (let i = 0; i < 3; i++) trend.push(await time(() => get(`/scorecards/trend?region=${CITY}&year=2024`)));
  console.log(`GET /scorecards/trend (12 months): median ${median(trend).toFixed(0)} ms`);
  await db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
