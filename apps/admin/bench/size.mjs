// Benchmark of the console's first load, in Chromium against the real server (as `npm start` serves it):
//  1. initial JavaScript, gzip-compressed, of the login route and of the dashboard route after login
//     (goal: ≤ 350 KB together): the entry and each route's chunk with everything they import
//     statically, from Vite's manifest (dist/.vite/manifest.json); what they import lazily (ECharts
//     behind the county chart, pdf.js) is code-split and listed apart, with what the browser really
//     fetched by the time the dashboard was idle;
//  2. the dashboard for the fixture city (邵阳市 430500) interactive after login (goal: ≤ 1.5 s), measured
//     in the page with the Performance API: from the click on 登录 to the frame after the summary,
//     the county chart's canvas and the drill-down table are all on screen.
// Usage: pnpm -F @minsheng/admin build && pnpm -F @minsheng/admin bench [-- --runs 7 --check]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { hasChromium, launchBrowser } from "@minsheng/e2e";
import { adminDist, startServer } from "../e2e/server.mjs";

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 5;
const check = args.includes("--check");
// --size-only: the manifest's figures alone, no server and no browser (quick, while changing the build)
const sizeOnly = args.includes("--size-only");
const SIZE_GOAL_KB = 350;
const TIME_GOAL_MS = 1500;

if (!sizeOnly && !hasChromium()) {
  console.log("SKIP: no Chromium at /usr/bin/chromium (CHROMIUM_PATH)");
  process.exit(0);
}

const kb = (n) => n / 1024;
const manifest = JSON.parse(readFileSync(join(adminDist, ".vite", "manifest.json"), "utf8"));
/** A manifest entry's file and every chunk it imports statically, transitively, as /admin/ paths. */
function staticClosure(key, into = new Set()) {
  const entry = manifest[key];
  if (!entry) throw new Error(`${key} is not in the manifest: rebuild the console`);
  const file = `/admin/${entry.file}`;
  if (into.has(file)) return into;
  into.add(file);
  for (const k of entry.imports ?? []) staticClosure(k, into);
  return into;
}
const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const loginInitial = new Set([...staticClosure(entryKey), ...staticClosure("src/pages/Login.tsx")]);
// The signed-in frame (Shell) is part of the entry chunk or a chunk of its own.
const frame = manifest["src/Shell.tsx"] ? [...staticClosure("src/Shell.tsx")] : [];
const dashboardInitial = new Set([...frame, ...staticClosure("src/pages/Dashboard.tsx")].filter((f) => !loginInitial.has(f)));
const gz = new Map();
/** gzip -9 size of a built file, by its URL path under /admin/. */
function gzipSize(pathname) {
  if (!gz.has(pathname)) gz.set(pathname, gzipSync(readFileSync(join(adminDist, pathname.replace(/^\/admin\//, ""))), { level: 9 }).length);
  return gz.get(pathname);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Runs in the page before the click: marks when the dashboard is usable, by the Performance API.
function watchDashboard() {
  performance.mark("login-click");
  const ready = () =>
    document.querySelector("[data-testid=summary]") &&
    document.querySelector("[data-testid=county-chart] canvas") &&
    document.querySelector("[data-testid=drill] tbody tr.ant-table-row");
  const observer = new MutationObserver(() => {
    if (!ready()) return;
    observer.disconnect();
    // The frame that shows it: the next paint after the DOM is complete.
    requestAnimationFrame(() =>
      setTimeout(() => {
        performance.mark("dashboard-interactive");
        window.__interactive = performance.measure("login→dashboard", "login-click", "dashboard-interactive").duration;
      }, 0),
    );
  });
  observer.observe(document.body, { childList: true, subtree: true });
}

const results = [];
const server = sizeOnly ? null : await startServer();
if (server) try {
  for (let run = 0; run < runs; run++) {
    // A fresh profile each run: nothing cached, as a first visit.
    const context = await launchBrowser({ viewport: { width: 1440, height: 900 } });
    const page = context.pages()[0] ?? (await context.newPage());
    const scripts = [];
    page.on("response", (r) => {
      const u = new URL(r.url());
      if (r.request().resourceType() === "script" && u.pathname.startsWith("/admin/")) scripts.push(u.pathname);
    });
    await page.goto(`${server.url}/admin/login`, { waitUntil: "networkidle" });
    await page.getByTestId("login").waitFor();
    const loginScripts = new Set(scripts);

    await page.getByTestId("username").fill("city");
    await page.getByTestId("password").fill("minsheng2024");
    await page.evaluate(watchDashboard);
    await page.getByTestId("login").click();
    await page.waitForFunction(() => typeof window.__interactive === "number", null, { timeout: 60_000 });
    const ms = await page.evaluate(() => window.__interactive);
    await page.waitForLoadState("networkidle");
    const dashScripts = new Set(scripts.filter((s) => !loginScripts.has(s)));
    results.push({ ms, loginScripts, dashScripts });
    console.log(`run ${run + 1}/${runs}: dashboard interactive ${ms.toFixed(0)} ms after the click on 登录`);
    await context.close();
  }
} finally {
  await server.stop();
}
const report = results.at(-1) ?? { loginScripts: new Set(), dashScripts: new Set() };

const { loginScripts, dashScripts } = report;
const sum = (set) => [...set].reduce((n, p) => n + gzipSize(p), 0);
const list = (set) => {
  for (const p of [...set].sort((a, b) => gzipSize(b) - gzipSize(a))) console.log(`    ${kb(gzipSize(p)).toFixed(1).padStart(7)} KB  ${p.replace(/^\/admin\/assets\//, "")}`);
};
const times = results.map((r) => r.ms);
const med = median(times);

console.log("\ninitial JavaScript (gzip -9; entry + route chunks + their static imports, from the manifest):");
console.log(`  login route: ${loginInitial.size} files, ${kb(sum(loginInitial)).toFixed(1)} KB`);
list(loginInitial);
console.log(`  dashboard route, added after login: ${dashboardInitial.size} files, ${kb(sum(dashboardInitial)).toFixed(1)} KB`);
list(dashboardInitial);
const total = kb(sum(loginInitial)) + kb(sum(dashboardInitial));
console.log(`  together: ${total.toFixed(1)} KB — goal ≤ ${SIZE_GOAL_KB} KB, ratio ${(total / SIZE_GOAL_KB).toFixed(2)}`);

// What the browser fetched, to check the static count against reality and show the code-split part.
if (sizeOnly) {
  if (check && total > SIZE_GOAL_KB) process.exit(1);
  process.exit(0);
}
const fetched = new Set([...loginScripts, ...dashScripts]);
const unexpectedOnLogin = [...loginScripts].filter((f) => !loginInitial.has(f));
const deferred = [...fetched].filter((f) => !loginInitial.has(f) && !dashboardInitial.has(f));
const missing = [...loginInitial, ...dashboardInitial].filter((f) => !fetched.has(f));
console.log(`  fetched by Chromium until the dashboard was idle: ${fetched.size} files, ${kb(sum(fetched)).toFixed(1)} KB`);
console.log(`    code-split, fetched after the first render (lazy imports): ${deferred.length} files, ${kb(sum(deferred)).toFixed(1)} KB`);
list(deferred);
if (unexpectedOnLogin.length) console.log(`    ! the login page fetched files outside its initial set: ${unexpectedOnLogin.join(", ")}`);
if (missing.length) console.log(`    (in the initial sets but not fetched: ${missing.map((f) => f.replace(/^\/admin\/assets\//, "")).join(", ")})`);
console.log(
  `dashboard of 邵阳市 (430500) interactive after login: median ${med.toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}, ${runs} cold runs) — goal ≤ ${TIME_GOAL_MS} ms, ratio ${(med / TIME_GOAL_MS).toFixed(2)}`,
);
if (check && (total > SIZE_GOAL_KB || med > TIME_GOAL_MS)) {
  console.error("over goal");
  process.exit(1);
}
