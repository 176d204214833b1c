/**
 * Backups (issue 7, item 4): `pnpm backup <dir>` / `pnpm restore <dir>` (apps/api/dist/ops.js) back up
 * the database and the files under DATA_DIR and restore them into a fresh DATA_DIR. The restored
 * installation is compared with the original table by table (row count and MD5 of every row as
 * PostgreSQL renders it, sequences included) and file by file (bytes), and its audit chain still
 * verifies. The database part is also checked on its own against PostgreSQL when DATABASE_URL is set.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { databaseDigest, dumpDatabase, openDatabase, openTestDatabase, restoreDatabase, verifyAuditChain } from "@minsheng/db";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { listFiles } from "../src/lib/backups.js";
import { defaultConfig } from "../src/lib/context.js";
import { RegionDirectory } from "../src/lib/regions.js";
import { loadMasterKey, secretsFromKey } from "../src/lib/secrets.js";
import { DiskStorage } from "../src/lib/storage.js";
import { operationKey, rolesFor } from "../src/lib/operation.js";
import { operations } from "./operations.js";
import { DEMO_PASSWORD, demoAccounts, seedDemo } from "../src/seed.js";
import { fixturePath, ORIGIN } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const ops = join(here, "..", "dist", "ops.js");
const temp = mkdtempSync(join(tmpdir(), "ms-backup-test-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
const pdf = new TextEncoder().encode("%PDF-1.4\n% 佐证材料\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");

function runOps(args: string[], dataDir: string) {
  const { DATABASE_URL: _none, ...env } = process.env;
  const r = spawnSync(process.execPath, [ops, ...args], { env: { ...env, DATA_DIR: dataDir }, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** An installation with real content: the demo plan, reports with evidence, published photos, a citizen's suggestion with a photo. */
async function makeInstallation(dataDir: string) {
  const db = await openDatabase({ dataDir: join(dataDir, "pg") });
  await seedDemo(db, fixturePath);
  const app = createApp({
    db,
    storage: new DiskStorage(join(dataDir, "files")),
    regions: new RegionDirectory(db),
    config: defaultConfig,
    now: () => new Date("2024-10-08T02:00:00Z"),
    secrets: secretsFromKey(loadMasterKey(undefined, join(dataDir, "feedback.key"))),
    rateLimiter: { take: () => ({ allowed: true, retryAfterSeconds: 0 }) },
  });
  const call = async (cookie: string | null, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { origin: ORIGIN };
    if (cookie) headers.cookie = cookie;
    let payload: RequestInit["body"];
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["content-type"] = "application/json";
    }
    return app.request(`${ORIGIN}/api/v1${path}`, { method, headers, body: payload });
  };
  const login = async (username: string) => (await call(null, "POST", "/auth/login", { username, password: DEMO_PASSWORD })).headers.get("set-cookie")!.split(";")[0]!;
  const reporter = await login("reporter");
  const report = (await (await call(reporter, "PUT", "/reports", { indicator: "hn2024-p01-a", region: "430523", period: "2024-10", value: 97.5, narrative: "备份测试 · backup" })).json()) as { id: number };
  for (const [bytes, name, type] of [[png, "现场.png", "image/png"], [pdf, "验收单.pdf", "application/pdf"]] as const) {
    const form = new FormData();
    form.append("file", new Blob([bytes], { type }), name);
    expect((await call(reporter, "POST", `/reports/${report.id}/evidence`, form)).status).toBe(201);
  }
  expect((await call(reporter, "POST", `/reports/${report.id}/submit`, {})).status).toBe(200);
  const county = await login("county");
  expect((await call(county, "GET", "/sites?limit=1")).status).toBe(200);
  const { rows } = await db.query<{ code: string }>("SELECT code FROM project_sites WHERE project = 'hn2024-p04' AND region = '430523'");
  const code = rows[0]!.code;
  const content = (await (await call(county, "POST", `/sites/${code}/content`, { kind: "update", text: "备份测试的工作动态", date: "2024-10-08" })).json()) as { id: number };
  const photo = new FormData();
  photo.append("file", new Blob([png], { type: "image/png" }), "动态.png");
  expect((await call(county, "POST", `/content/${content.id}/files`, photo)).status).toBe(201);
  const feedback = new FormData();
  feedback.append("kind", "suggestion");
  feedback.append("text", "备份测试：希望公布施工进度。");
  feedback.append("phone", "13912345678");
  feedback.append("photo", new Blob([png], { type: "image/png" }), "photo.png");
  expect((await call(null, "POST", `/public/sites/${code}/feedback`, feedback)).status).toBe(201);
  return { db, app, call, login, reportId: report.id };
}

describe.skipIf(!!process.env.DATABASE_URL)("pnpm backup / pnpm restore (embedded database and DATA_DIR files)", () => {
  it("restores into a fresh DATA_DIR: every table, every sequence and every file equal; the audit chain verifies", async () => {
    expect(existsSync(ops), "apps/api/dist/ops.js is built (pnpm -F @minsheng/api build)").toBe(true);
    const original = join(temp, "original");
    const inst = await makeInstallation(original);
    const before = await databaseDigest(inst.db);
    await inst.db.close();
    const filesBefore = listFiles(original, new Set(["pg", "backups", ".lock"]));
    expect(filesBefore.filter((f) => f.startsWith("files/")).length).toBe(4); // two evidence files, a content photo, a citizen's photo
    expect(filesBefore).toContain("feedback.key");

    const backup = join(temp, "backup");
    const b = runOps(["backup", backup], original);
    expect(b.out).toMatch(/backed up \d+ rows in \d+ tables \(pglite\) and 5 files/);
    expect(b.status).toBe(0);
    expect(runOps(["verify", backup], original).status).toBe(0);

    const fresh = join(temp, "restored");
    const r = runOps(["restore", backup], fresh);
    expect(r.out).toMatch(/restored \d+ rows/);
    expect(r.status).toBe(0);

    const restored = await openDatabase({ dataDir: join(fresh, "pg") });
    try {
      const after = await databaseDigest(restored);
      expect(Object.keys(after.tables).sort()).toEqual(Object.keys(before.tables).sort());
      for (const t of Object.keys(before.tables)) expect(after.tables[t], t).toEqual(before.tables[t]);
      expect(after.sequences).toEqual(before.sequences);
      expect(before.tables.evidence!.rows).toBe(2);
      expect(before.tables.audit_log!.rows).toBeGreaterThan(5);
      const chain = await verifyAuditChain(restored);
      expect(chain.ok).toBe(true);
      expect(chain.entries).toBe(before.tables.audit_log!.rows);
      // files: the same set, byte for byte
      expect(listFiles(fresh, new Set(["pg", "backups", ".lock"]))).toEqual(filesBefore);
      for (const f of filesBefore) expect(Buffer.compare(readFileSync(join(fresh, f)), readFileSync(join(original, f))), f).toBe(0);
      // and the restored system serves them: the evidence downloads, the sealed phone opens with the restored key
      const app = createApp({
        db: restored,
        storage: new DiskStorage(join(fresh, "files")),
        regions: new RegionDirectory(restored),
        config: defaultConfig,
        now: () => new Date("2024-10-08T03:00:00Z"),
        secrets: secretsFromKey(loadMasterKey(undefined, join(fresh, "feedback.key"))),
      });
      const login = await app.request(`${ORIGIN}/api/v1/auth/login`, { method: "POST", headers: { origin: ORIGIN, "content-type": "application/json" }, body: JSON.stringify({ username: "city", password: DEMO_PASSWORD }) });
      const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
      const verify = await app.request(`${ORIGIN}/api/v1/audit/verify`, { headers: { cookie: await loginAs(app, accountFor("GET /audit/verify")) } });
      expect(verify.status).toBe(200);
      expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);
      const evidence = (await (await app.request(`${ORIGIN}/api/v1/reports/${inst.reportId}/evidence`, { headers: { cookie } })).json()) as { evidence: { id: string; sha256: string }[] };
      expect(evidence.evidence.length).toBe(2);
      for (const e of evidence.evidence) {
        const file = await app.request(`${ORIGIN}/api/v1/evidence/${e.id}`, { headers: { cookie } });
        expect(file.status).toBe(200);
        expect(createHash("sha256").update(new Uint8Array(await file.arrayBuffer())).digest("hex")).toBe(e.sha256);
      }
    } finally {
      await restored.close();
    }

    // Never over an existing installation; a damaged backup is refused before anything is written.
    const again = runOps(["restore", backup], fresh);
    expect(again.status).toBe(1);
    expect(again.out).toMatch(/already holds a database/);
    const damaged = join(temp, "damaged");
    expect(runOps(["backup", damaged], original).status).toBe(0);
    const evidenceFile = listFiles(join(damaged, "data", "files"))[0]!;
    const path = join(damaged, "data", "files", evidenceFile);
    const bytes = readFileSync(path);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(path, bytes);
    expect(runOps(["verify", damaged], original).status).toBe(1);
    const refused = runOps(["restore", damaged], join(temp, "never"));
    expect(refused.status).toBe(1);
    expect(refused.out).toMatch(/damaged/);
    expect(existsSync(join(temp, "never", "pg"))).toBe(false);
  }, 300_000);
});

/** A demo account whose role may call the route. */
const accountFor = (key: string) => {
  const roles = rolesFor(operations.find((o) => operationKey(o) === key)!);
  return demoAccounts.find((a) => roles.includes(a.role))!.username;
};

async function loginAs(app: ReturnType<typeof createApp>, username: string): Promise<string> {
  const res = await app.request(`${ORIGIN}/api/v1/auth/login`, { method: "POST", headers: { origin: ORIGIN, "content-type": "application/json" }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

describe("database dump and restore (this run's database: PGlite, or PostgreSQL with DATABASE_URL)", () => {
  it("restores every table and sequence exactly into an empty database, and refuses a non-empty one", async () => {
    const source = await openTestDatabase();
    const dir = join(temp, "dump");
    try {
      await seedDemo(source, fixturePath);
      // values whose text must survive: a decimal with many digits, microseconds, jsonb with odd keys
      await source.query("INSERT INTO app_settings (key, value, updated_at) VALUES ('backup-test', $1::jsonb, '2024-10-08T02:00:00.123456Z')", ['{"z键": 1.000000000000000000001, "a": [null, "\\u202e"], "n": 12345678901234567890}']);
      const before = await databaseDigest(source);
      const manifest = await dumpDatabase(source, dir);
      expect(manifest.tables.find((t) => t.name === "reports")!.rows).toBe(before.tables.reports!.rows);
      const target = process.env.DATABASE_URL
        ? await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema: `t_restore_${Date.now().toString(36)}`, migrate: false })
        : await openDatabase({ dataDir: "memory://", migrate: false });
      try {
        await restoreDatabase(target, dir);
        const after = await databaseDigest(target);
        expect(after).toEqual(before);
        expect((await verifyAuditChain(target)).ok).toBe(true);
        // new rows continue the sequences instead of colliding
        const { rows } = await target.query<{ id: string }>("INSERT INTO reports (indicator, region, period, state, reported_value) VALUES ('hn2024-p01-a', '430523', '2024-11', 'draft', 1) RETURNING id");
        expect(Number(rows[0]!.id)).toBeGreaterThan(before.tables.reports!.rows);
        await expect(restoreDatabase(target, dir)).rejects.toThrow(/not empty/);
      } finally {
        if (process.env.DATABASE_URL) await target.query("DROP SCHEMA IF EXISTS " + `"${(await target.query<{ s: string }>("SELECT current_schema() AS s")).rows[0]!.s}"` + " CASCADE");
        await target.close();
      }
    } finally {
      await source.dispose();
    }
  }, 300_000);
});
