/**
 * Faults (issue 7, item 3). The real server (node dist/server.js on a temporary DATA_DIR) is killed
 * with SIGKILL in the middle of a bundle import and of a burst of report writes, then the embedded
 * database is opened again: nothing partial is visible (the tables equal the state before, apart
 * from sign-in bookkeeping; every acknowledged write is there, each with its audit entry) and the
 * retry succeeds. A second process is refused the data folder; SIGTERM checkpoints, closes and takes
 * a rolling backup; a corrupted folder is recovered from that backup (`ops recover`).
 *
 * The same for an Excel upload of 5,000 monthly figures (POST /imports/reports), killed while
 * its rows are written.
 *
 * PostgreSQL (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test when it answers): the
 * pool's connections are terminated (pg_terminate_backend) during an import — a clean 503, and the
 * next request succeeds without a restart — and while idle, which must not crash the process.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { databaseDigest, type DatabaseDigest, type DigestExclusions, openDatabase, verifyAuditChain } from "@minsheng/db";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { defaultConfig } from "../src/lib/context.js";
import { RegionDirectory } from "../src/lib/regions.js";
import { MemoryStorage } from "../src/lib/storage.js";
import { buildTemplate, type TemplateRow } from "../src/imports/workbook.js";
import { DEMO_PASSWORD, seedDemo } from "../src/seed.js";
import { fixturePath, ORIGIN } from "./harness.js";
import { killServerProcesses, serverJs, type ServerProcess as Server, startServerProcess as startServer } from "./server-process.js";

const here = dirname(fileURLToPath(import.meta.url));
const opsJs = join(here, "..", "dist", "ops.js");
const temp = mkdtempSync(join(tmpdir(), "ms-faults-"));
afterAll(() => {
  killServerProcesses();
  rmSync(temp, { recursive: true, force: true });
});

/**
 * Sign-in leaves sessions, audit entries (auth.*) and failure counters behind by design; rate-limit
 * buckets are an unlogged table that crash recovery empties by design; everything else is compared.
 */
const signInBookkeeping: DigestExclusions = {
  sessions: { where: "false" },
  rate_buckets: { where: "false" },
  audit_log: { where: "action !~ '^(auth|authz|access|security)[._]'" },
  users: { columns: ["updated_at"] },
  failure_counters: { where: "false" },
};
const tablesOf = (d: DatabaseDigest) => d.tables;

/** A bundle big enough that importing it takes a while: a plan over 500 counties (45,000 monthly figures), 10 indicators, 9 months. */
function bigBundle(id: string) {
  const counties = Array.from({ length: 500 }, (_, i) => ({ code: String(438000 + i), name: `测试县${i}`, level: "county", parent: "430000" }));
  const indicators = Array.from({ length: 10 }, (_, i) => ({ id: `${id}-p${i}-a`, project: `${id}-p${i}`, name: `指标${i}`, unit: "个", kind: "quantity", aggregation: "sum" }));
  return {
    format: "minsheng.bundle/v1",
    regions: [{ code: "430000", name: "湖南省", level: "province", parent: null }, ...counties],
    units: [{ id: `${id}-u`, name: "测试单位", region: "430000" }],
    plans: [{ id, year: 2024, level: "province", region: "430000", title: `故障测试计划 ${id}`, schedule: "linear-monthly" }],
    items: [{ id: `${id}-i1`, plan: id, no: 1, title: "实事" }],
    projects: indicators.map((x, i) => ({ id: x.project, item: `${id}-i1`, no: i + 1, title: `项目${i}`, leadUnit: `${id}-u` })),
    indicators,
    targets: counties.flatMap((c) => indicators.map((x) => ({ indicator: x.id, region: c.code, value: 100 }))),
    progress: counties.flatMap((c) => indicators.flatMap((x) => Array.from({ length: 9 }, (_, m) => ({ indicator: x.id, region: c.code, period: `2024-0${m + 1}`, value: (m + 1) * 10 })))),
  };
}

async function login(s: Server, username: string): Promise<string> {
  const res = await fetch(`${s.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json", origin: s.url }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

const send = (s: Server, cookie: string, method: string, path: string, body?: unknown) =>
  fetch(`${s.url}/api/v1${path}`, { method, headers: { cookie, origin: s.url, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });

async function stop(s: Server, signal: NodeJS.Signals) {
  s.proc.kill(signal);
  return s.exited;
}

/** Opens the data folder directly (the server is down): this is the "the database opens" check. */
async function withDatabase<T>(dataDir: string, fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase({ dataDir: join(dataDir, "pg") });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

describe.skipIf(!!process.env.DATABASE_URL)("the embedded database under crashes (real server process)", () => {
  const dataDir = join(temp, "data");
  let before: DatabaseDigest;

  it("starts, and a second process is refused the data folder with a clear message", async () => {
    expect(existsSync(serverJs), "apps/api/dist/server.js is built").toBe(true);
    const s = await startServer(dataDir);
    try {
      await expect(startServer(dataDir)).rejects.toThrow(/in use by process \d+; stop it first/);
      expect(s.proc.exitCode).toBeNull();
      expect((await fetch(`${s.url}/api/v1/health`)).status).toBe(200);
    } finally {
      expect(await stop(s, "SIGTERM")).toBe(0);
    }
    expect(s.log()).toMatch(/database closed cleanly/);
    expect(existsSync(join(dataDir, "pg", ".lock"))).toBe(false);
    before = await withDatabase(dataDir, (db) => databaseDigest(db, { exclude: signInBookkeeping }));
  }, 300_000);

  it("SIGKILL in the middle of a bundle import: nothing of it is visible after the restart, and the retry succeeds", async () => {
    const bundle = bigBundle("kill2024");
    const s = await startServer(dataDir);
    const admin = await login(s, "admin");
    const importing = send(s, admin, "POST", "/bundles", bundle).then((r) => r.status, (e: Error) => `no answer (${e.message})`);
    // Kill once the server is busy with it: the body is a few MB, so give it a moment to arrive.
    await new Promise((r) => setTimeout(r, 1200));
    s.proc.kill("SIGKILL");
    await s.exited;
    const outcome = await importing;
    expect(String(outcome), "killed before it answered (the import was in progress)").toMatch(/^no answer/);
    await withDatabase(dataDir, async (db) => {
      expect(tablesOf(await databaseDigest(db, { exclude: signInBookkeeping }))).toEqual(tablesOf(before));
      expect((await db.query("SELECT 1 FROM plans WHERE id = 'kill2024'")).rows.length).toBe(0);
      expect((await verifyAuditChain(db)).ok).toBe(true);
    });
    const again = await startServer(dataDir);
    try {
      const res = await send(again, await login(again, "admin"), "POST", "/bundles", bundle);
      expect(res.status).toBe(201);
      const { imported } = (await res.json()) as { imported: { progress: number; targets: number } };
      expect(imported).toMatchObject({ progress: bundle.progress.length, targets: bundle.targets.length });
    } finally {
      expect(await stop(again, "SIGTERM")).toBe(0);
    }
    await withDatabase(dataDir, async (db) => {
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM reports WHERE indicator LIKE 'kill2024-%'");
      expect(rows[0]!.n).toBe(bundle.progress.length);
      before = await databaseDigest(db, { exclude: signInBookkeeping });
    });
  }, 300_000);

  it("SIGKILL during a burst of report writes: every acknowledged write survives with its audit entry, nothing half-written, the rest can be retried", async () => {
    const s = await startServer(dataDir);
    const admin = await login(s, "admin");
    const { rows: due } = await withoutServerQuery(dataDir);
    const writes = due.slice(0, 60).map((d, i) => ({ indicator: d.indicator, region: d.region, period: "2024-10", value: 1 + i / 4, narrative: `突发写入 ${i}` }));
    const acknowledged: { indicator: string; region: string; value: number; id: number }[] = [];
    const pending = writes.map((w) =>
      send(s, admin, "PUT", "/reports", w).then(
        async (r) => {
          if (r.status === 201 || r.status === 200) acknowledged.push({ ...w, id: ((await r.json()) as { id: number }).id });
        },
        () => {},
      ),
    );
    // Kill after some writes were acknowledged, while others are in flight.
    const deadline = Date.now() + 60_000;
    while (acknowledged.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    s.proc.kill("SIGKILL");
    await s.exited;
    await Promise.all(pending);
    expect(acknowledged.length).toBeGreaterThanOrEqual(5);
    expect(acknowledged.length, "some writes were still in flight").toBeLessThan(writes.length);
    await withDatabase(dataDir, async (db) => {
      for (const a of acknowledged) {
        const { rows } = await db.query<{ reported_value: string }>("SELECT reported_value::text FROM reports WHERE id = $1", [a.id]);
        expect(Number(rows[0]?.reported_value), `acknowledged report ${a.id}`).toBe(a.value);
      }
      // every report the burst left has its audit entry (the row and its record commit together)
      const { rows: orphans } = await db.query(
        "SELECT r.id FROM reports r WHERE r.period = '2024-10' AND r.narrative LIKE '突发写入%' AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'report' AND a.entity_id = r.id::text)",
      );
      expect(orphans).toEqual([]);
      expect((await verifyAuditChain(db)).ok).toBe(true);
    });
    const again = await startServer(dataDir);
    try {
      const cookie = await login(again, "admin");
      for (const w of writes) expect([200, 201]).toContain((await send(again, cookie, "PUT", "/reports", w)).status);
    } finally {
      expect(await stop(again, "SIGTERM")).toBe(0);
    }
  }, 300_000);

  it("SIGKILL in the middle of an Excel upload (5,000 rows): nothing of it is visible after the restart, and the retry succeeds", async () => {
    // The plan imported above (kill2024: 500 counties × 10 indicators, September verified at 90): every October figure filled in.
    const bundle = bigBundle("kill2024");
    const rows: TemplateRow[] = bundle.targets.map((t, i) => ({
      indicator: t.indicator,
      region: t.region,
      project: "",
      indicatorName: "",
      unit: "个",
      regionName: "",
      target: t.value,
      previous: { period: "2024-09", value: 90 },
      value: 95 + (i % 5),
      narrative: `Excel 导入 ${i}`,
    }));
    const workbook = await buildTemplate(rows, { period: "2024-10", scope: "湖南省", generatedAt: new Date().toISOString(), deadline: "2024-11-10" });
    const upload = (s: Server, cookie: string, query = "") => {
      const form = new FormData();
      form.append("file", new Blob([new Uint8Array(workbook)]), "湖南省2024-10月度填报.xlsx");
      return fetch(`${s.url}/api/v1/imports/reports${query}`, { method: "POST", headers: { cookie, origin: s.url }, body: form });
    };
    const october = "SELECT count(*)::int AS n FROM reports WHERE period = '2024-10' AND indicator LIKE 'kill2024-%'";
    const atStart = await withDatabase(dataDir, (db) => databaseDigest(db, { exclude: signInBookkeeping }));

    const s = await startServer(dataDir);
    const admin = await login(s, "admin");
    // The write reads and checks the workbook as a dry run does, then writes in one transaction:
    // time the dry run (warm, the second) and kill a moment after that, while the rows are written.
    let checking = 0;
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      const dry = await upload(s, admin, "?dryRun=true");
      expect(dry.status, await dry.clone().text()).toBe(200);
      checking = performance.now() - t;
    }
    const writing = upload(s, admin).then((r) => r.status, (e: Error) => `no answer (${e.message})`);
    await new Promise((r) => setTimeout(r, checking + 150));
    s.proc.kill("SIGKILL");
    await s.exited;
    expect(String(await writing), "killed before it answered (the upload was being written)").toMatch(/^no answer/);
    await withDatabase(dataDir, async (db) => {
      expect(tablesOf(await databaseDigest(db, { exclude: signInBookkeeping }))).toEqual(tablesOf(atStart));
      expect((await db.query<{ n: number }>(october)).rows[0]!.n).toBe(0);
      expect((await db.query("SELECT 1 FROM audit_log WHERE action = 'reports.import'")).rows).toEqual([]);
      expect((await verifyAuditChain(db)).ok).toBe(true);
    });

    const again = await startServer(dataDir);
    try {
      const cookie = await login(again, "admin");
      const t = performance.now();
      const res = await upload(again, cookie);
      const whole = performance.now() - t;
      expect(res.status, await res.clone().text()).toBe(201);
      // The kill came after the reading and checking a dry run takes, and before a whole upload's time.
      expect(checking + 150, `killed at ${Math.round(checking + 150)} ms; a whole upload takes ${Math.round(whole)} ms`).toBeLessThan(whole);
      expect(await res.json()).toMatchObject({ imported: rows.length, created: rows.length, updated: 0 });
    } finally {
      expect(await stop(again, "SIGTERM")).toBe(0);
    }
    await withDatabase(dataDir, async (db) => {
      expect((await db.query<{ n: number }>(`${october} AND state = 'submitted'`)).rows[0]!.n).toBe(rows.length);
      const { rows: audit } = await db.query<{ action: string; n: number }>(
        "SELECT action, count(*)::int AS n FROM audit_log WHERE action IN ('report.save', 'report.submit') AND entity_id IN (SELECT id::text FROM reports WHERE period = '2024-10' AND indicator LIKE 'kill2024-%') GROUP BY action ORDER BY action",
      );
      expect(audit).toEqual([
        { action: "report.save", n: rows.length },
        { action: "report.submit", n: rows.length },
      ]);
      expect((await verifyAuditChain(db)).ok).toBe(true);
    });
  }, 300_000);

  it("SIGTERM leaves a rolling backup; a corrupted data folder is refused with directions, and `ops recover` restores the backup", async () => {
    const backups = readdirSync(join(dataDir, "backups")).filter((n) => n.startsWith("auto-"));
    expect(backups.length).toBeGreaterThan(0);
    const atStop = await withDatabase(dataDir, (db) => databaseDigest(db));
    // Damage the cluster as a crash of two writers can: the control file and the WAL.
    const cluster = join(dataDir, "pg", "cluster");
    writeFileSync(join(cluster, "global", "pg_control"), Buffer.alloc(8192, 0x5a));
    for (const f of readdirSync(join(cluster, "pg_wal")).filter((n) => /^[0-9A-F]{24}$/.test(n))) writeFileSync(join(cluster, "pg_wal", f), Buffer.alloc(1024, 0x5a));
    const refused = await startServer(dataDir).then(
      async (s) => {
        await stop(s, "SIGKILL");
        return "started";
      },
      (e: Error) => e.message,
    );
    expect(refused).toMatch(/could not be opened[\s\S]*pnpm recover/);
    const r = spawnSync(process.execPath, [opsJs, "recover"], { env: { ...process.env, DATABASE_URL: "", DATA_DIR: dataDir }, encoding: "utf8", timeout: 180_000 });
    expect(`${r.stdout}${r.stderr}`).toMatch(/restored the rolling backup/);
    expect(r.status).toBe(0);
    expect(readdirSync(dataDir).some((n) => n.startsWith("pg.damaged-"))).toBe(true);
    await withDatabase(dataDir, async (db) => {
      expect(await databaseDigest(db)).toEqual(atStop);
    });
    const s = await startServer(dataDir);
    expect((await fetch(`${s.url}/api/v1/health`)).status).toBe(200);
    expect(await stop(s, "SIGTERM")).toBe(0);
  }, 300_000);
});

/** Indicator-regions with a target in the demo plans (from the fixture the server was seeded with). */
async function withoutServerQuery(_dataDir: string) {
  const { readFileSync } = await import("node:fs");
  const fixture = JSON.parse(readFileSync(fixturePath, "utf8")) as { targets: { indicator: string; region: string }[] };
  return { rows: fixture.targets };
}

// ---------------------------------------------------------------------------------------------

const pgUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const reachable = await new Promise<boolean>((done) => {
  const { hostname, port } = new URL(pgUrl);
  const socket = connect({ host: hostname, port: Number(port || 5432), timeout: 2000 });
  socket.once("connect", () => (socket.destroy(), done(true)));
  socket.once("error", () => done(false));
  socket.once("timeout", () => (socket.destroy(), done(false)));
});
if (!reachable) console.log(`faults: PostgreSQL part skipped — no server answers at ${new URL(pgUrl).host}`);

describe.skipIf(!reachable)("PostgreSQL connections dropping (pg_terminate_backend)", () => {
  it("a connection killed during a request gives a clean 503; the next request succeeds without a restart; idle connections dying do not crash the process", async () => {
    const schema = `t_faults_${Date.now().toString(36)}`;
    const db = await openDatabase({ databaseUrl: pgUrl, schema });
    // A separate connection (no schema of its own) to watch and terminate the pool's backends.
    const admin = await openDatabase({ databaseUrl: pgUrl, migrate: false });
    try {
      await seedDemo(db, fixturePath);
      const app = createApp({ db, storage: new MemoryStorage(), regions: new RegionDirectory(db), config: defaultConfig, now: () => new Date("2024-10-08T02:00:00Z") });
      const call = (cookie: string | null, method: string, path: string, body?: unknown) =>
        app.request(`${ORIGIN}/api/v1${path}`, { method, headers: { origin: ORIGIN, "content-type": "application/json", ...(cookie ? { cookie } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
      const res = await call(null, "POST", "/auth/login", { username: "admin", password: DEMO_PASSWORD });
      const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
      // The backends of this pool only (other suites share the server): fill the pool and ask each connection.
      const pids = new Set<number>();
      await Promise.all(Array.from({ length: 10 }, () => db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid, pg_sleep(0.2)").then((r) => pids.add(Number(r.rows[0]!.pid)))));
      const terminate = async (wanted: (state: string) => boolean) => {
        const { rows } = await admin.query<{ pid: number; state: string }>("SELECT pid, state FROM pg_stat_activity WHERE pid = ANY($1::int[])", [[...pids]]);
        const hit = rows.filter((r) => wanted(r.state ?? ""));
        for (const r of hit) await admin.query("SELECT pg_terminate_backend($1)", [r.pid]);
        return hit.length;
      };

      // 1. during an import: wait until its transaction runs, then terminate it
      const bundle = bigBundle("pgkill2024");
      const importing = call(cookie, "POST", "/bundles", bundle);
      let killed = 0;
      for (let i = 0; i < 600 && killed === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        killed = await terminate((state) => state === "active" || state.startsWith("idle in transaction"));
      }
      expect(killed, "caught the import's connection at work").toBeGreaterThan(0);
      const answer = await importing;
      expect(answer.status).toBe(503);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe("DATABASE_UNAVAILABLE");
      expect((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM plans WHERE id = 'pgkill2024'")).rows[0]!.n).toBe(0);
      expect((await call(cookie, "GET", "/plans")).status).toBe(200);

      // 2. idle pooled connections dying: the pool's error handler keeps the process up; new ones are opened
      await Promise.all(Array.from({ length: 10 }, () => db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid, pg_sleep(0.1)").then((r) => pids.add(Number(r.rows[0]!.pid)))));
      expect(await terminate((state) => state === "idle")).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300));
      expect((await call(cookie, "GET", "/plans")).status).toBe(200);
      const retry = await call(cookie, "POST", "/bundles", bundle);
      expect(retry.status).toBe(201);
    } finally {
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      await db.close();
      await admin.close();
    }
  }, 300_000);
});
