// Deadline day (issue 16, point 4; figures go in BENCHMARKS.md, "Issue 16: deadline day"):
// R reporters each save and submit F monthly figures, with an evidence file each, paced so that the
// whole lot arrives within W minutes, while C clients read public pages continuously; then nothing
// lost (every accepted submission, upload and audit entry is in the database) and the audit chain whole.
//
//   createdb -h 127.0.0.1 -U postgres deadline_bench
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/deadline_bench node apps/api/bench/deadline.mjs \
//     [--reporters 1000] [--figures 40] [--minutes 10] [--readers 50] [--instances 1] \
//     [--evidence-share 1] [--evidence-bytes 8000] [--history-years 5] [--months-done 5] [--session-share 0.25]
//     [--accounts api|direct] [--read-pause 0] [--recreate]
//   dropdb -h 127.0.0.1 -U postgres deadline_bench
//
// Setup (not timed): the generated Hunan (apps/api/scripts/province.mjs, seed 16: 122 counties, two
// plans, history years with all 12 months) is loaded into the database, the current year with its
// first --months-done months verified (imported) and the rest open for reporting: every target of
// the year has those months to report, each figure above the last verified one. The
// real server (dist/server.js) is started on that database (--instances N: N processes, each its own
// DATA_DIR, clients spread over them round robin, as a load balancer would). The security
// administrator creates the reporter accounts through the API (POST /users): a county department's
// reporter (region = the county, unit = the province department leading the projects, as the
// demo's reporter-edu), one per county × department, a second one where a department has more
// open figures in a county than one reporter's F (the generator's own unit accounts belong to
// county departments, which lead no project, so they cannot report a figure). --accounts direct
// inserts them as gen:province does instead (one scrypt hash for all: 1,000 hashes through the API
// take minutes on 2 cores); each reporter still signs in through the API in the window.
//
// The window: reporter r signs in at r/R × (1 − s) × W (s = --session-share; from its county's
// address, X-Forwarded-For, as a county network's NAT; a 429 with a Retry-After of seconds is waited
// out and retried) and then reports its F
// figures evenly over s × W, one after the other as the form does: PUT /reports (the draft), POST
// /reports/:id/evidence (a real PNG, multipart) for a share of them, POST /reports/:id/submit. A
// reporter behind its schedule goes on at once (never skips). Meanwhile C readers (a worker thread,
// each its own X-Forwarded-For; TRUST_PROXY=1) read GET /api/v1/public/sites/{code} and the page
// /p/{code} of the year's county sites, back to back (--read-pause ms: each client waits that long
// between reads, as a person reading the page does; 0, the default, is back to back). Afterwards: GET /audit/verify as the audit
// administrator, the servers stopped, and the database read directly.
// --recreate drops and creates the database first (it must otherwise be empty).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { deflateSync } from "node:zlib";
import { startServer as startBenchServer } from "./common.mjs";

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

// ------------------------------------------------------------------------------------------------
// The readers (worker thread): back to back, each client its own address, until told to stop.
if (!isMainThread) {
  const { urls, codes, clients, pause } = workerData;
  const lat = { json: [], page: [] };
  const status = { json: {}, page: {} };
  let stop = false;
  parentPort.on("message", () => (stop = true));
  let n = 0;
  const client = async (i) => {
    const url = urls[i % urls.length];
    const forwarded = `198.18.${i >> 8}.${(i & 255) + 1}`;
    let k = i;
    while (!stop) {
      const code = codes[(k * 7919 + i) % codes.length];
      const kind = k++ % 2 === 0 ? "json" : "page";
      const path = kind === "json" ? `/api/v1/public/sites/${code}` : `/p/${code}`;
      const t = performance.now();
      let s;
      try {
        const res = await fetch(url + path, { headers: { "x-forwarded-for": forwarded, accept: kind === "json" ? "application/json" : "text/html" } });
        await res.arrayBuffer();
        s = res.status;
      } catch (e) {
        s = `error ${e.cause?.code ?? e.message}`;
      }
      lat[kind].push(performance.now() - t);
      status[kind][s] = (status[kind][s] ?? 0) + 1;
      n++;
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  parentPort.postMessage({ json: Float64Array.from(lat.json), page: Float64Array.from(lat.page), status, n });
} else await main();

// ------------------------------------------------------------------------------------------------
async function main() {
  const { values: a } = parseArgs({
    options: {
      reporters: { type: "string", default: "1000" },
      figures: { type: "string", default: "40" },
      minutes: { type: "string", default: "10" },
      readers: { type: "string", default: "50" },
      instances: { type: "string", default: "1" },
      "evidence-share": { type: "string", default: "1" },
      "evidence-bytes": { type: "string", default: "8000" },
      "history-years": { type: "string", default: "5" },
      "months-done": { type: "string", default: "5" },
      "session-share": { type: "string", default: "0.25" },
      "account-concurrency": { type: "string", default: "4" },
      accounts: { type: "string", default: "api" },
      "read-pause": { type: "string", default: "0" },
      recreate: { type: "boolean", default: false },
    },
  });
  const R = Number(a.reporters), F = Number(a.figures), W = Number(a.minutes) * 60_000, C = Number(a.readers), N = Number(a.instances);
  const evidenceShare = Number(a["evidence-share"]), sessionShare = Number(a["session-share"]), readPause = Number(a["read-pause"]);
  const env = process.env;
  if (!env.DATABASE_URL) throw new Error("set DATABASE_URL to an empty PostgreSQL database (see the header)");
  const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
  const secs = (t) => `${((performance.now() - t) / 1000).toFixed(1)} s`;
  const started = new Date().toISOString();
  console.log(`deadline day: ${R} reporters × ${F} figures in ${a.minutes} min, ${C} readers, ${N} instance(s); load average at start ${load()} (${started})`);

  const { openDatabase, verifyAuditChain } = await import("@minsheng/db");
  const { periodAt } = await import("@minsheng/domain");
  const { defaults, importYear, loadRest, provinceShape, yearBundle } = await import("../scripts/province.mjs");
  const { loadMasterKey, secretsFromKey } = await import("../dist/index.js");

  // 0. The database: the province, the current year's figures not in yet -----------------------
  if (a.recreate) {
    const u = new URL(env.DATABASE_URL);
    const name = u.pathname.slice(1);
    const admin = Object.assign(new URL(u.href), { pathname: "/postgres" }).href;
    for (const sql of [`DROP DATABASE IF EXISTS ${name}`, `CREATE DATABASE ${name}`]) {
      const r = spawnSync("psql", [admin, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
    }
  }
  const feedbackKey = randomBytes(32).toString("hex");
  const dirs = [];
  const tmp = () => (dirs.push(mkdtempSync(join(tmpdir(), "ms-deadline-"))), dirs.at(-1));
  let db = await openDatabase({ databaseUrl: env.DATABASE_URL });
  if ((await db.query("SELECT 1 FROM users LIMIT 1")).rows.length > 0) throw new Error("the database is not empty: give an empty one, or --recreate");
  const year = defaults.year;
  const opts = { ...defaults, historyYears: Number(a["history-years"]) };
  const monthsDone = Number(a["months-done"]);
  {
    const t = performance.now();
    const shape = provinceShape(opts);
    for (let y = year - opts.historyYears; y <= year; y++) {
      const bundle = yearBundle(shape, y, { ...opts, months: y === year ? monthsDone : 12 });
      await importYear(db, bundle);
    }
    const secrets = secretsFromKey(loadMasterKey(feedbackKey, join(tmp(), "unused.key")));
    const counts = await loadRest(db, shape, { ...opts, months: 1 }, { secrets, filesDir: join(dirs[0], "files"), password: `Unused${feedbackKey.slice(0, 12)}` });
    console.log(`province loaded in ${secs(t)} (${opts.historyYears} history years with 12 months, ${year} with ${monthsDone} verified; ${JSON.stringify(counts)}); load ${load()}`);
  }
  // The open figures: every target of the year (not linked), months 1..now, grouped by county × lead unit.
  const lastMonth = periodAt(Date.now()) >= `${year}-12` ? 12 : Number(periodAt(Date.now()).slice(5));
  if (periodAt(Date.now()).slice(0, 4) < String(year)) throw new Error(`the machine's clock is before ${year}`);
  const { rows: targets } = await db.query(
    `SELECT t.region, pr.lead_unit, t.indicator, i.kind FROM targets t JOIN indicators i ON i.id = t.indicator JOIN projects pr ON pr.id = i.project
       JOIN items it ON it.id = pr.item JOIN plans pl ON pl.id = it.plan
      WHERE pl.year = $1 AND i.linked_to IS NULL ORDER BY pr.lead_unit, t.region, i.position, t.indicator`,
    [year],
  );
  // The last verified figure of each (indicator, region): the month reported next must not fall below it.
  const { rows: lastRows } = await db.query(
    `SELECT DISTINCT ON (r.indicator, r.region) r.indicator, r.region, r.verified_value::float8 AS v FROM reports r
       JOIN indicators i ON i.id = r.indicator JOIN projects pr ON pr.id = i.project JOIN items it ON it.id = pr.item JOIN plans pl ON pl.id = it.plan
      WHERE pl.year = $1 AND r.state IN ('verified', 'reduced') ORDER BY r.indicator, r.region, r.period DESC`,
    [year],
  );
  const last = new Map(lastRows.map((r) => [`${r.indicator}|${r.region}`, Number(r.v)]));
  const { rows: siteRows } = await db.query(
    `SELECT s.code FROM project_sites s JOIN regions g ON g.code = s.region JOIN projects p ON p.id = s.project JOIN items i ON i.id = p.item
       JOIN plans pl ON pl.id = i.plan WHERE pl.year = $1 AND g.level = 'county' ORDER BY s.code`,
    [year],
  );
  await db.close();
  const groups = new Map();
  for (const t of targets) {
    const key = `${t.region}|${t.lead_unit}`;
    (groups.get(key) ?? groups.set(key, { region: t.region, unit: t.lead_unit, indicators: [] }).get(key)).indicators.push(t);
  }
  const chunks = [];
  for (const g of groups.values()) {
    const slots = [];
    for (let m = monthsDone + 1; m <= lastMonth; m++)
      for (const t of g.indicators)
        slots.push({ indicator: t.indicator, kind: t.kind, region: g.region, period: `${year}-${String(m).padStart(2, "0")}`, month: m, from: last.get(`${t.indicator}|${g.region}`) ?? 0 });
    for (let i = 0, k = 1; i < slots.length; i += F, k++) chunks.push({ region: g.region, unit: g.unit, k, slots: slots.slice(i, i + F) });
  }
  chunks.sort((x, y) => y.slots.length - x.slots.length || (x.region + x.unit < y.region + y.unit ? -1 : 1));
  const reporters = chunks.slice(0, R).map((c, r) => ({ ...c, r, username: `dl-${c.region}-${c.unit.split("-")[0]}-${c.k}` }));
  const total = reporters.reduce((n, x) => n + x.slots.length, 0);
  const short = reporters.filter((x) => x.slots.length < F).length;
  console.log(`${targets.length} targets × ${lastMonth - monthsDone} months open in ${groups.size} county × department pairs; ${reporters.length} reporters, ${total} figures (${short} reporters with fewer than ${F}); ${siteRows.length} county sites to read`);
  if (reporters.length < R) console.log(`(only ${reporters.length} reporters' worth of open figures)`);

  // 1. The servers -----------------------------------------------------------------------------
  const password = `Deadline${feedbackKey.slice(0, 10)}9`;
  const startServer = (dataDir) =>
    startBenchServer({
      ...env,
      DATA_DIR: dataDir,
      PORT: "0",
      HOST: "127.0.0.1",
      SEED: "none",
      NODE_ENV: "production",
      PUBLIC_BASE_URL: "http://127.0.0.1",
      REQUIRE_2FA: "off",
      TRUST_PROXY: "1",
      FEEDBACK_KEY: feedbackKey,
      BACKUP_INTERVAL_HOURS: "0",
      SECURITY_ADMIN_USERNAME: "dl-security",
      SECURITY_ADMIN_PASSWORD: password,
      AUDIT_ADMIN_USERNAME: "dl-audit",
      AUDIT_ADMIN_PASSWORD: password,
    });
  const servers = [];
  for (let i = 0; i < N; i++) servers.push(await startServer(tmp()));
  const urls = servers.map((s) => s.url);
  console.log(`server(s) at ${urls.join(", ")}; load ${load()}`);

  const signIn = async (url, username, forwarded = "127.0.0.1") => {
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url, "x-forwarded-for": forwarded },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) return { status: res.status, body: await res.text(), retryAfter: Number(res.headers.get("retry-after") ?? 0) };
    await res.arrayBuffer();
    return { status: 200, cookie: res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") };
  };
  try {
    // 2. The reporter accounts, by the security administrator --------------------------------
    if (a.accounts === "direct") {
      // As the province generator makes its accounts: one hash (the API's function and cost) for
      // all, set-based inserts, each audited as POST /users audits it.
      const t = performance.now();
      const { hashPassword } = await import("../dist/index.js");
      const { appendAuditMany } = await import("@minsheng/db");
      const hash = await hashPassword(password);
      const conn = await openDatabase({ databaseUrl: env.DATABASE_URL, migrate: false });
      await conn.transaction(async (tx) => {
        const { rows } = await tx.query(
          `INSERT INTO users (username, display_name, password_hash, role, region, unit)
           SELECT u, d, $5, 'reporter', g, n FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(u, d, g, n) RETURNING id, username, region, unit`,
          [reporters.map((x) => x.username), reporters.map((x) => `${x.region}${x.unit}填报员${x.k}`), reporters.map((x) => x.region), reporters.map((x) => x.unit), hash],
        );
        await appendAuditMany(
          tx,
          rows.map((r) => ({ actor: "user:dl-security", action: "user.create", entity: "user", entityId: String(r.id), after: { username: r.username, role: "reporter", region: r.region, unit: r.unit } })),
        );
      });
      await conn.close();
      console.log(`${reporters.length} reporter accounts inserted directly (one hash, as gen:province) in ${secs(t)}; load ${load()}`);
    } else {
      const t = performance.now();
      const sec = await signIn(urls[0], "dl-security");
      if (sec.status !== 200) throw new Error(`security administrator's sign-in: ${sec.status} ${sec.body}`);
      let next = 0;
      const worker = async () => {
        while (next < reporters.length) {
          const x = reporters[next++];
          const res = await fetch(`${urls[0]}/api/v1/users`, {
            method: "POST",
            headers: { "content-type": "application/json", origin: urls[0], cookie: sec.cookie },
            body: JSON.stringify({ username: x.username, displayName: `${x.region}${x.unit}填报员${x.k}`, password, role: "reporter", region: x.region, unit: x.unit }),
          });
          if (res.status !== 201) throw new Error(`creating ${x.username}: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        }
      };
      await Promise.all(Array.from({ length: Number(a["account-concurrency"]) }, worker));
      console.log(`${reporters.length} reporter accounts created through POST /users in ${secs(t)}; load ${load()}`);
    }

    // 3. The window ---------------------------------------------------------------------------
    const png = evidencePng(Number(a["evidence-bytes"]));
    const lat = { signIn: [], save: [], evidence: [], submit: [], figure: [] };
    const status = { signIn: {}, save: {}, evidence: {}, submit: {} };
    const count = (kind, s) => (status[kind][s] = (status[kind][s] ?? 0) + 1);
    const accepted = []; // { id, value, reporter }
    const uploads = []; // evidence ids answered 201
    const loads = [];
    const tag = `deadline-bench ${feedbackKey.slice(0, 8)}`;
    let lateness = 0;
    const readers = new Worker(fileURLToPath(import.meta.url), { workerData: { urls, codes: siteRows.map((r) => r.code), clients: C, pause: readPause } });
    const readersDone = new Promise((r) => readers.once("message", r));
    const sampler = setInterval(() => loads.push(loadavg()[0]), 10_000);
    const t0 = performance.now();
    const sleepUntil = (at) => new Promise((r) => setTimeout(r, Math.max(0, t0 + at - performance.now())));
    const timed = async (kind, fn) => {
      const t = performance.now();
      let res;
      try {
        res = await fn();
      } catch (e) {
        count(kind, `error ${e.cause?.code ?? e.message}`);
        return null;
      }
      lat[kind].push(performance.now() - t);
      count(kind, res.status);
      return res;
    };
    const session = sessionShare * W;
    const reporter = async (x) => {
      const url = urls[x.r % urls.length];
      const arrive = (x.r / reporters.length) * (W - session);
      await sleepUntil(arrive);
      let cookie;
      // the county's offices reach the server through one address (their network's NAT)
      const forwarded = `10.${x.region.slice(2, 4)}.${Number(x.region.slice(4, 6))}.1`;
      let si;
      for (let attempt = 0; attempt < 5; attempt++) {
        si = await timed("signIn", async () => {
          const s = await signIn(url, x.username, forwarded);
          cookie = s.cookie;
          return s;
        });
        // refused while the address's other sign-ins are checked: wait as told and try again, as a person would
        if (si?.status === 429 && si.retryAfter <= 60) await new Promise((r) => setTimeout(r, si.retryAfter * 1000));
        else break;
      }
      if (!si || si.status !== 200) return;
      const headers = { origin: url, cookie };
      for (let f = 0; f < x.slots.length; f++) {
        const due = arrive + ((f + 0.5) * session) / x.slots.length;
        if (performance.now() - t0 < due) await sleepUntil(due);
        else lateness = Math.max(lateness, performance.now() - t0 - due);
        const s = x.slots[f];
        // cumulative: above the last verified figure, growing month by month
        const step = s.month - monthsDone;
        const value = s.kind === "milestone" ? Math.min(100, s.from + step * 4) : Math.round((s.from + step * (2 + (f % 5))) * 10) / 10;
        const begun = performance.now();
        const saved = await timed("save", () =>
          fetch(`${url}/api/v1/reports`, {
            method: "PUT",
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify({ indicator: s.indicator, region: s.region, period: s.period, value, narrative: `${tag} ${x.username} #${f}: ${s.month}月按计划推进` }),
          }),
        );
        if (!saved) continue;
        const body = await saved.json().catch(() => null);
        if (saved.status !== 201 && saved.status !== 200) continue;
        const id = body.id;
        if ((f * 7919 + x.r) % 1000 < evidenceShare * 1000) {
          const form = new FormData();
          form.append("file", new Blob([png(x.r, f)], { type: "image/png" }), `${s.period}现场照片.png`);
          const up = await timed("evidence", () => fetch(`${url}/api/v1/reports/${id}/evidence`, { method: "POST", headers, body: form }));
          if (up) {
            const ev = await up.json().catch(() => null);
            if (up.status === 201) uploads.push(ev.id);
          }
        }
        const sub = await timed("submit", () => fetch(`${url}/api/v1/reports/${id}/submit`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "{}" }));
        if (!sub) continue;
        await sub.arrayBuffer();
        if (sub.status === 200) {
          accepted.push({ id, value, reporter: `user:${x.username}` });
          lat.figure.push(performance.now() - begun);
        }
      }
    };
    await Promise.all(reporters.map(reporter));
    const writesDone = performance.now() - t0;
    // the readers run on to the end of the window at least
    await sleepUntil(W);
    readers.postMessage("stop");
    const reads = await readersDone;
    await readers.terminate();
    const elapsed = performance.now() - t0;
    clearInterval(sampler);
    loads.push(loadavg()[0]);

    // 4. Afterwards: the chain by the audit administrator, then the database directly ----------
    const aud = await signIn(urls[0], "dl-audit");
    const tv = performance.now();
    const verify = aud.status === 200 ? await (await fetch(`${urls[0]}/api/v1/audit/verify`, { headers: { cookie: aud.cookie } })).json() : { ok: false, error: aud };
    const verifyMs = performance.now() - tv;
    for (const s of servers) s.proc.kill("SIGTERM");
    await Promise.all(servers.map((s) => s.exited));
    db = await openDatabase({ databaseUrl: env.DATABASE_URL, migrate: false });
    const ids = accepted.map((x) => x.id);
    const stored = (
      await db.query(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE r.state = 'submitted' AND r.reported_value = w.value::numeric AND r.created_by = w.reporter)::int AS right
           FROM unnest($1::bigint[], $2::text[], $3::text[]) AS w(id, value, reporter) JOIN reports r ON r.id = w.id`,
        [ids, accepted.map((x) => String(x.value)), accepted.map((x) => x.reporter)],
      )
    ).rows[0];
    const tagged = (await db.query("SELECT count(*)::int AS n, count(*) FILTER (WHERE state = 'submitted')::int AS submitted FROM reports WHERE narrative LIKE $1", [`${tag}%`])).rows[0];
    const ev = (
      await db.query("SELECT count(*)::int AS n, count(f.key)::int AS files FROM evidence e LEFT JOIN stored_files f ON f.key = e.storage_key WHERE e.id = ANY($1::text[])", [uploads])
    ).rows[0];
    const audits = (
      await db.query("SELECT action, count(*)::int AS n FROM audit_log WHERE entity = 'report' AND entity_id = ANY($1::text[]) GROUP BY action ORDER BY action", [ids.map(String)])
    ).rows;
    const direct = await verifyAuditChain(db);
    await db.close();

    // 5. The figures -------------------------------------------------------------------------
    const ms = (x) => (Number.isNaN(x) ? "—" : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
    const summary = (xs) => {
      const s = Float64Array.from(xs).sort();
      return `n ${s.length}, p50 ${ms(pct(s, 50))}, p95 ${ms(pct(s, 95))}, p99 ${ms(pct(s, 99))}, max ${ms(s.at(-1) ?? NaN)}`;
    };
    const fmt = (o) => Object.entries(o).map(([k, v]) => `${k}: ${v}`).join(", ") || "none";
    const auditN = Object.fromEntries(audits.map((r) => [r.action, r.n]));
    const lines = [
      `window ${(W / 60_000).toFixed(1)} min (${R} reporters asked, ${reporters.length} run, ${total} figures scheduled, session ${(session / 60_000).toFixed(1)} min each, evidence share ${evidenceShare}, PNG ${png(0, 0).byteLength} B); ${N} instance(s) on PostgreSQL; ${C} readers${readPause > 0 ? `, each pausing ${readPause} ms between reads` : ", back to back"}`,
      `writes finished at ${(writesDone / 1000).toFixed(1)} s (window ${(W / 1000).toFixed(0)} s; a reporter was at most ${(lateness / 1000).toFixed(1)} s behind its schedule); readers ran ${(elapsed / 1000).toFixed(1)} s`,
      `submissions accepted: ${accepted.length} of ${total} = ${(accepted.length / (writesDone / 1000)).toFixed(1)}/s over the writes (${(total / (W / 1000)).toFixed(1)}/s scheduled on average, ${(total / (Math.max(W - session, session) / 1000)).toFixed(1)}/s at the plateau)`,
      `sign-in:   ${summary(lat.signIn)}; ${fmt(status.signIn)}`,
      `save (PUT /reports):                ${summary(lat.save)}; ${fmt(status.save)}`,
      `evidence (POST /reports/:id/evidence): ${summary(lat.evidence)}; ${fmt(status.evidence)}`,
      `submit (POST /reports/:id/submit):  ${summary(lat.submit)}; ${fmt(status.submit)}`,
      `whole figure (save + evidence + submit): ${summary(lat.figure)}`,
      `public reads: ${reads.n} = ${(reads.n / (elapsed / 1000)).toFixed(0)}/s`,
      `  GET /api/v1/public/sites/{code}: ${summary(reads.json)}; ${fmt(reads.status.json)}`,
      `  GET /p/{code}:                   ${summary(reads.page)}; ${fmt(reads.status.page)}`,
      `nothing lost: ${stored.n} of ${accepted.length} accepted submissions in the database (${stored.right} submitted with the value and reporter sent); ${tagged.n} bench reports in all (${tagged.submitted} submitted); evidence ${ev.n} of ${uploads.length} uploads, ${ev.files} files stored; audit entries of the accepted reports ${fmt(auditN)}`,
      `audit chain: GET /audit/verify ${JSON.stringify(verify)} in ${ms(verifyMs)}; verifyAuditChain ${JSON.stringify(direct)}`,
      `load average (1 min) during the window: max ${Math.max(...loads).toFixed(2)}, samples ${loads.map((x) => x.toFixed(1)).join(" ")}; at the end ${load()}`,
    ];
    console.log(`\n${lines.join("\n")}`);
    const errors = (o) => Object.entries(o).filter(([k]) => !["200", "201"].includes(k)).reduce((n, [, v]) => n + v, 0);
    const ok =
      stored.n === accepted.length &&
      stored.right === accepted.length &&
      ev.n === uploads.length &&
      ev.files === uploads.length &&
      (auditN["report.submit"] ?? 0) === accepted.length &&
      verify.ok === true &&
      direct.ok === true &&
      accepted.length === total &&
      errors(status.signIn) + errors(status.save) + errors(status.evidence) + errors(status.submit) + errors(reads.status.json) + errors(reads.status.page) === 0;
    console.log(ok ? "✓ every figure accepted and stored, no error, chain whole" : "✗ something did not hold (see above)");
    if (!ok) process.exitCode = 1;
  } finally {
    for (const s of servers) if (s.proc.exitCode === null) s.proc.kill("SIGKILL");
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** A real PNG of about `bytes` bytes (RGB noise, so it does not compress), different for each figure. */
function evidencePng(bytes) {
  const side = Math.max(8, Math.round(Math.sqrt(bytes / 3)));
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 255] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, "latin1");
    data.copy(out, 8);
    out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const noise = randomBytes(side * (side * 3 + 1));
  return (r, f) => {
    const raw = Buffer.from(noise);
    for (let y = 0; y < side; y++) raw[y * (side * 3 + 1)] = 0; // filter byte: none
    raw.writeUInt32BE(r >>> 0, 1);
    raw.writeUInt32BE(f >>> 0, 5);
    return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 1 })), chunk("IEND", Buffer.alloc(0))]);
  };
}
