// The public page's hot path in one process, no network (issue 16: it must not get slower on the
// embedded database). Figures go in BENCHMARKS.md.
//   1. a cached site page (GET /api/v1/public/sites/{code}, answered ahead of the router)
//   2. the same page after every write (a rating, then the page made again)
// Rounds alternate, medians reported. `--dist <folder>` measures another build of the API (e.g. one
// built from an older commit into apps/api/dist-base) for a before/after on the same machine.
//
//   pnpm --filter @minsheng/api build && node apps/api/bench/hot-path.mjs [--rounds 7] [--reads 5000] [--dist dist]
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { openDatabase } from "@minsheng/db";

const { values: args } = parseArgs({ options: { rounds: { type: "string", default: "7" }, reads: { type: "string", default: "5000" }, writes: { type: "string", default: "100" }, dist: { type: "string", default: "dist" } } });
const here = dirname(fileURLToPath(import.meta.url));
const api = await import(pathToFileURL(join(here, "..", args.dist, "index.js")).href);
const fixture = join(here, "..", "..", "..", "fixtures", "shaoyang-2024.bundle.json");
const dir = mkdtempSync(join(tmpdir(), "ms-hot-"));
const db = await openDatabase({ dataDir: join(dir, "pg") });
try {
  await api.seedDemo(db, fixture);
  // The app's own rate limiter (each rating comes from another address, so none is refused).
  const app = api.createApp({ db, storage: new api.MemoryStorage(), regions: new api.RegionDirectory(db), config: { ...api.defaultConfig, trustProxy: true }, now: () => new Date() });
  const base = "http://localhost/api/v1/public";
  // app.fetch answers a cached page at once (a Response, not a promise): await covers both
  const list = await (await app.fetch(new Request(`${base}/sites?limit=1`))).json();
  const code = list.sites[0].code;
  const page = async () => (await app.fetch(new Request(`${base}/sites/${code}`))).text();
  let ip = 0;
  const rate = async () =>
    await app.fetch(new Request(`${base}/sites/${code}/rating`, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": `10.0.${(ip >> 8) & 255}.${ip++ & 255}` }, body: JSON.stringify({ rating: "satisfied" }) }));
  await page();
  const reads = Number(args.reads);
  const writes = Number(args.writes);
  const hits = [];
  const remakes = [];
  for (let round = 0; round < Number(args.rounds); round++) {
    let t = performance.now();
    for (let i = 0; i < reads; i++) await page();
    hits.push((performance.now() - t) / reads);
    t = performance.now();
    for (let i = 0; i < writes; i++) {
      await rate();
      await page();
    }
    remakes.push((performance.now() - t) / writes);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const µs = (ms) => `${Math.round(ms * 1000)} µs`;
  console.log(`${args.dist}: cached page ${µs(median(hits))} (${Math.round(1000 / median(hits))}/s; rounds ${hits.map(µs).join(", ")})`);
  console.log(`${args.dist}: a rating then the page made again ${µs(median(remakes))} (rounds ${remakes.map(µs).join(", ")})`);
  console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
