/**
 * Scale-out (issue 16): three real servers (`node dist/server.js`, each with its own DATA_DIR and
 * port, as on three machines) on one PostgreSQL database behave as one. What one writes the others
 * serve at once (a work update on the cached public page), files stored through one are served by
 * the others, a phone number sealed by one is revealed by another (same FEEDBACK_KEY), one client's
 * limit is counted once across all, scheduled jobs (rolling backup, retention) run once, and a
 * backup of the shared database restores its files.
 *
 * Needs DATABASE_URL (the README's `npm test` runs the API suites again with it): the embedded
 * database is one process's by design, so there is nothing to share without a server.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "@minsheng/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../src/seed.js";
import { killServerProcesses, serverJs, startServerProcess } from "./server-process.js";
import { body, tinyPng } from "./sites-helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist");
const baseUrl = process.env.DATABASE_URL;

interface Instance {
  name: string;
  proc: ChildProcess;
  url: string;
  dataDir: string;
  log: () => string;
  exited: Promise<unknown>;
}

let temp = "";
const dbName = `ms_instances_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
const restoredName = `${dbName}_restored`;
const urlOf = (name: string) => {
  const u = new URL(baseUrl!);
  u.pathname = `/${name}`;
  return u.toString();
};
const feedbackKey = randomBytes(32).toString("hex");
const instances: Instance[] = [];

/** Runs one statement on the server's maintenance connection (create and drop the test databases). */
async function admin(sql: string) {
  const db = await openDatabase({ databaseUrl: baseUrl, migrate: false });
  try {
    return await db.query(sql);
  } finally {
    await db.close();
  }
}

/** Waits (bounded) until `test` holds for the text the server has logged. */
async function waitForLog(i: Instance, test: (log: string) => boolean, what: string, ms = 90_000) {
  const until = Date.now() + ms;
  while (!test(i.log())) {
    if (i.proc.exitCode !== null) throw new Error(`${i.name} exited while waiting for ${what}:\n${i.log()}`);
    if (Date.now() > until) throw new Error(`${i.name}: no ${what} within ${ms} ms:\n${i.log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One instance: the real server (test/server-process.ts) on the shared database, with its own DATA_DIR and port. */
async function start(name: string): Promise<Instance> {
  const dataDir = join(temp, name);
  const s = await startServerProcess(dataDir, { DATABASE_URL: urlOf(dbName), FEEDBACK_KEY: feedbackKey, TRUST_PROXY: "1", BACKUP_INTERVAL_HOURS: "1" });
  const i: Instance = { name, dataDir, ...s };
  instances.push(i);
  return i;
}

async function stopAll() {
  for (const i of instances) if (i.proc.exitCode === null) i.proc.kill("SIGTERM");
  await Promise.all(
    instances.map((i) =>
      Promise.race([i.exited, new Promise((r) => setTimeout(r, 30_000).unref())]).then(() => {
        if (i.proc.exitCode === null) i.proc.kill("SIGKILL");
      }),
    ),
  );
}

let a: Instance, b: Instance, c: Instance;
let cookie = "";
let site = "";

/** A request to one instance; a citizen comes from `ip` (behind the trusted proxy). */
async function call(i: Instance, method: string, path: string, options: { body?: unknown; cookie?: string; ip?: string; form?: FormData } = {}) {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.cookie) headers.origin = i.url; // a browser on the console sends its origin with writes
  if (options.ip) headers["x-forwarded-for"] = options.ip;
  let payload: RequestInit["body"];
  if (options.form) payload = options.form;
  else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  return fetch(`${i.url}/api/v1${path}`, { method, headers, body: payload });
}

if (!baseUrl) console.log("instances.test.ts skipped: no DATABASE_URL (the embedded database serves one process; `npm test` runs this suite again on the PostgreSQL server)");

describe.skipIf(!baseUrl)("three instances on one PostgreSQL database (skipped without DATABASE_URL: the embedded database serves one process)", () => {
  beforeAll(async () => {
    if (!existsSync(serverJs)) throw new Error("build the API first (pnpm turbo run build)");
    temp = mkdtempSync(join(tmpdir(), "ms-instances-"));
    await admin(`CREATE DATABASE ${dbName}`);
    // All three start at once on the empty database: one loads the demo, the others find it loaded.
    [a, b, c] = await Promise.all([start("a"), start("b"), start("c")]);
    expect([a, b, c].filter((i) => /demo data loaded/.test(i.log()))).toHaveLength(1);
    const login = await call(b, "POST", "/auth/login", { body: { username: "county", password: DEMO_PASSWORD } });
    expect(login.status).toBe(200);
    cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const sites = await body(await call(c, "GET", "/sites?region=430523&project=hn2024-p04&limit=200", { cookie }));
    site = sites.sites.find((s: { region: { code: string } }) => s.region.code === "430523").code;
  }, 240_000);

  afterAll(async () => {
    await stopAll();
    killServerProcesses(); // any that failed to start
    for (const name of [dbName, restoredName]) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    if (temp) rmSync(temp, { recursive: true, force: true });
  }, 60_000);

  it("shares sessions: signed in through one, known to every other", async () => {
    for (const i of [a, b, c]) expect((await call(i, "GET", "/auth/me", { cookie })).status).toBe(200);
  });

  it("serves a work update published through one instance on the others' cached public page at once", async () => {
    const page = async (i: Instance) => (await call(i, "GET", `/public/sites/${site}`)).text();
    // Each instance has the page cached (the second read is answered from memory).
    for (const i of [b, c]) {
      await page(i);
      await page(i);
    }
    const text = `多实例测试：工作动态 ${randomBytes(4).toString("hex")}`;
    expect((await call(a, "POST", `/sites/${site}/content`, { cookie, body: { kind: "update", text, date: "2024-10-08" } })).status).toBe(201);
    // A's answer leaves after its NOTIFY committed; the others drop their pages as it arrives (well
    // under a millisecond on one host). Without it they kept the old page for the cache's 5 s and
    // then once more while remaking it, so a wait of at most 1 s tells the two apart.
    for (const i of [b, c]) {
      let seen = false;
      for (let attempt = 0; attempt < 50 && !seen; attempt++) {
        seen = (await page(i)).includes(text);
        if (!seen) await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen, `${i.name} still serves the page without the update`).toBe(true);
    }
  });

  it("serves a photo stored through one instance from every other, and backs it up with the database", async () => {
    const photo = tinyPng(4242);
    const form = new FormData();
    form.append("kind", "suggestion");
    form.append("text", "多实例测试：路口需要加装信号灯，附现场照片");
    form.append("photo", new Blob([photo as Uint8Array<ArrayBuffer>], { type: "image/png" }), "现场.png");
    const sent = await call(a, "POST", `/public/sites/${site}/feedback`, { form, ip: "198.51.100.31" });
    expect(sent.status).toBe(201);
    const { ticket } = await body(sent);
    const inbox = await body(await call(b, "GET", "/feedback?state=pending&limit=200", { cookie }));
    const id = inbox.feedback.find((f: { ticket: string }) => f.ticket === ticket).id;
    for (const i of [b, c]) {
      const res = await call(i, "GET", `/feedback/${id}/photo`, { cookie });
      expect(res.status, `${i.name} serves the photo`).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(photo);
    }
    // Nothing under any DATA_DIR: the file is in the database.
    for (const i of [a, b, c]) expect(existsSync(join(i.dataDir, "files"))).toBe(false);

    // `pnpm backup` writes the stored files out with their hashes; `pnpm restore` into an empty
    // database puts them back in it.
    const sha = createHash("sha256").update(photo).digest("hex");
    const backup = join(temp, "backup");
    const ops = (args: string[], databaseUrl: string, dataDir: string) =>
      spawnSync(process.execPath, [join(dist, "ops.js"), ...args], { env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dataDir }, encoding: "utf8", timeout: 180_000 });
    const made = ops(["backup", backup], urlOf(dbName), join(temp, "ops-a"));
    expect(made.status, `${made.stdout}${made.stderr}`).toBe(0);
    const manifest = JSON.parse(readFileSync(join(backup, "manifest.json"), "utf8"));
    const entry = manifest.files.find((f: { sha256: string }) => f.sha256 === sha);
    expect(entry?.path).toMatch(/^files\/[0-9a-f]{2}\/[0-9a-f-]{36}$/);
    expect(readFileSync(join(backup, "data", entry.path))).toEqual(Buffer.from(photo));
    await admin(`CREATE DATABASE ${restoredName}`);
    const restored = ops(["restore", backup], urlOf(restoredName), join(temp, "ops-r"));
    expect(restored.status, `${restored.stdout}${restored.stderr}`).toBe(0);
    const db = await openDatabase({ databaseUrl: urlOf(restoredName), migrate: false });
    try {
      const { rows } = await db.query<{ content: Uint8Array }>(
        "SELECT f.content FROM site_files s JOIN feedback b ON b.id = s.feedback_id JOIN stored_files f ON f.key = s.storage_key WHERE b.ticket = $1",
        [ticket],
      );
      expect(new Uint8Array(rows[0]!.content)).toEqual(photo);
    } finally {
      await db.close();
    }
  }, 240_000);

  it("reveals through one instance a phone number sealed by another (the same FEEDBACK_KEY)", async () => {
    const sent = await call(c, "POST", `/public/sites/${site}/feedback`, { ip: "198.51.100.32", body: { kind: "complaint", text: "多实例测试：施工噪音扰民，请核实处理", phone: "13900001234" } });
    expect(sent.status).toBe(201);
    const { ticket } = await body(sent);
    const inbox = await body(await call(a, "GET", "/feedback?state=pending&limit=200", { cookie }));
    const id = inbox.feedback.find((f: { ticket: string }) => f.ticket === ticket).id;
    const revealed = await call(a, "POST", `/feedback/${id}/phone`, { cookie });
    expect(revealed.status).toBe(200);
    expect((await body(revealed)).phone).toBe("13900001234");
  });

  it("limits one client once across every instance, not once per instance", async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 6; n++) {
      const i = [a, b, c][n % 3]!;
      const res = await call(i, "POST", `/public/sites/${site}/feedback`, { ip: "198.51.100.77", body: { kind: "suggestion", text: `多实例限流测试第${n + 1}条：希望延长开放时间` } });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    // and every instance now refuses it
    for (const i of [a, b, c])
      expect((await call(i, "POST", `/public/sites/${site}/feedback`, { ip: "198.51.100.77", body: { kind: "suggestion", text: `多实例限流测试：${i.name} 再试一次` } })).status).toBe(429);
  });

  it("runs scheduled jobs once: one rolling backup and one retention run between the three", async () => {
    const decided = (job: RegExp) => (log: string) => job.test(log);
    // Rolling backups are first taken ~5 s after start, retention runs ~10 s after start.
    for (const i of [a, b, c]) {
      await waitForLog(i, decided(/rolling backup \(start\)/), "start backup decision", 60_000);
      await waitForLog(i, decided(/^retention: /m), "retention decision", 60_000);
    }
    const backups = [a, b, c].flatMap((i) => (existsSync(join(i.dataDir, "backups")) ? readdirSync(join(i.dataDir, "backups")).filter((n) => n.startsWith("auto-")) : []));
    expect(backups).toHaveLength(1);
    const ran = [a, b, c].filter((i) => /^retention: \d+ phone numbers purged/m.test(i.log()));
    const skipped = [a, b, c].filter((i) => /^retention: skipped/m.test(i.log()));
    expect(ran).toHaveLength(1);
    expect(skipped).toHaveLength(2);
  }, 120_000);
});
