/**
 * The parts of scale-out (issue 16) one process can check: files kept in the database and backed
 * up as files, disk files moved into it, scheduled jobs claimed once, and (on a server) another
 * handle's cached pages dropped when this one writes, also after its listening connection was cut.
 * apps/api/test/instances.test.ts runs the whole of it with real servers.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, openDatabase, readDumpManifest } from "@minsheng/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backupInstallation, listFiles } from "../src/lib/backups.js";
import { followOtherInstances, publicPageCache } from "../src/public/public-cache.js";
import { RegionDirectory } from "../src/lib/regions.js";
import { claimScheduledRun } from "../src/lib/schedule.js";
import { DatabaseStorage, DiskStorage, MOVED_FILES_PREFIX, moveDiskFilesIntoDatabase } from "../src/lib/storage.js";
import { type Harness, makeHarness } from "./harness.js";
import { siteCode } from "./sites-helpers.js";

const server = process.env.DATABASE_URL;
let h: Harness;
let db: Database;
const temp = mkdtempSync(join(tmpdir(), "ms-scale-"));
beforeAll(async () => {
  h = await makeHarness();
  db = h.deps.db;
}, 120_000);
afterAll(async () => {
  await h?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe("files in the database", () => {
  it("stores, reads and removes a file (any byte, keys as on disk)", async () => {
    const storage = new DatabaseStorage(db);
    const file = bytes(300_000, 7);
    const put = await storage.put(file);
    expect(put.key).toMatch(/^[0-9a-f]{2}\/[0-9a-f-]{36}$/);
    expect(put.size).toBe(300_000);
    expect(await storage.get(put.key)).toEqual(file);
    await storage.delete(put.key);
    expect(await storage.get(put.key)).toBeNull();
    await expect(storage.get("../etc/passwd")).rejects.toThrow(/bad storage key/);
  });

  it("moves the files an instance kept on disk into the database once, keys unchanged", async () => {
    const dataDir = join(temp, "move");
    const disk = new DiskStorage(join(dataDir, "files"));
    const one = await disk.put(bytes(1000, 1));
    const two = await disk.put(bytes(2000, 2));
    expect(await moveDiskFilesIntoDatabase(db, join(dataDir, "files"))).toBe(2);
    const storage = new DatabaseStorage(db);
    expect(await storage.get(one.key)).toEqual(bytes(1000, 1));
    expect(await storage.get(two.key)).toEqual(bytes(2000, 2));
    // the folder is set aside (not deleted) and left out of backups; a second start moves nothing
    expect(readdirSync(dataDir).filter((n) => n.startsWith(MOVED_FILES_PREFIX))).toHaveLength(1);
    expect(listFiles(dataDir)).toEqual([]);
    expect(await moveDiskFilesIntoDatabase(db, join(dataDir, "files"))).toBe(0);
  });

  it("backs stored files up as files with their hashes (not as table rows), linked from the previous backup when unchanged", async () => {
    const storage = new DatabaseStorage(db);
    const file = bytes(5000, 9);
    const { key, sha256 } = await storage.put(file);
    const dataDir = join(temp, "backup-data");
    const first = await backupInstallation(db, dataDir, join(temp, "backup-1"));
    const entry = first.files.find((f) => f.path === `files/${key}`);
    expect(entry).toMatchObject({ size: 5000, sha256 });
    expect(new Uint8Array(readFileSync(join(temp, "backup-1", "data", "files", key)))).toEqual(file);
    expect(readDumpManifest(join(temp, "backup-1", "db")).tables.map((t) => t.name)).not.toContain("stored_files");
    await backupInstallation(db, dataDir, join(temp, "backup-2"), { linkFiles: true, reuse: join(temp, "backup-1") });
    expect(statSync(join(temp, "backup-2", "data", "files", key)).ino).toBe(statSync(join(temp, "backup-1", "data", "files", key)).ino);
  });
});

describe("scheduled jobs", () => {
  it.skipIf(!server)("are claimed by one instance per interval on a server database", async () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const claims = await Promise.all(Array.from({ length: 5 }, () => claimScheduledRun(db, "test-job", 3_600_000, now)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await claimScheduledRun(db, "test-job", 3_600_000, new Date(now.getTime() + 3_599_000))).toBe(false);
    expect(await claimScheduledRun(db, "other-job", 3_600_000, now)).toBe(true);
    expect(await claimScheduledRun(db, "test-job", 3_600_000, new Date(now.getTime() + 3_600_000))).toBe(true);
  });

  it.skipIf(!!server)("always run on the embedded database (one process holds it)", async () => {
    const now = new Date("2030-01-01T00:00:00Z");
    expect([await claimScheduledRun(db, "test-job", 3_600_000, now), await claimScheduledRun(db, "test-job", 3_600_000, now)]).toEqual([true, true]);
  });
});

describe.skipIf(!server)("another instance's cached pages (server database)", () => {
  let other: Database;
  let stop: () => Promise<void> = async () => {};
  let listening = 0;
  // Bounded waits; a page is waited for under 2 s, well inside the cache's own 5 s, so a drop
  // that never comes is not mistaken for the page simply expiring.
  const waitFor = async (test: () => boolean, what: string, tries = 80) => {
    for (let i = 0; i < tries && !test(); i++) await new Promise((r) => setTimeout(r, 25));
    if (!test()) throw new Error(`timed out waiting for ${what}`);
  };
  beforeAll(async () => {
    // A second handle on the same schema: what a second instance holds.
    const { rows } = await db.query<{ s: string }>("SELECT current_schema() AS s");
    other = await openDatabase({ databaseUrl: server, schema: rows[0]!.s, migrate: false });
    stop = followOtherInstances({ db: other, regions: new RegionDirectory(other) }, () => listening++);
    await waitFor(() => listening === 1, "listening", 400);
  }, 60_000);
  afterAll(async () => {
    await stop();
    await other?.close();
  });

  it("are dropped when this instance writes, and when its listening connection comes back", async () => {
    const county = await h.login("county");
    const site = await siteCode(h, county, "hn2024-p04", "430523");
    const theirs = publicPageCache(other);
    // the news of the writes so far (the site's creation) is in before the page is cached
    await new Promise((r) => setTimeout(r, 300));
    const cached = () => theirs.set("page", theirs.generation, "{}") && theirs.get("page") !== null;
    expect(cached()).toBe(true);
    // A sign-in is a write that changes no public page (keepsPublicPages): it tells nobody.
    await h.login("county");
    await new Promise((r) => setTimeout(r, 200));
    expect(theirs.get("page")).not.toBeNull();
    expect((await h.call(county, "POST", `/api/v1/sites/${site}/content`, { kind: "update", text: "另一实例的缓存测试", date: "2024-10-08" })).status).toBe(201);
    await waitFor(() => theirs.get("page") === null, "the other instance's page to be dropped");
    // A refused write tells nobody.
    expect(cached()).toBe(true);
    expect((await h.call(county, "POST", `/api/v1/sites/${site}/content`, { kind: "update" })).status).toBe(400);
    await new Promise((r) => setTimeout(r, 200));
    expect(theirs.get("page")).not.toBeNull();
    // Its listening connection is cut: writes meanwhile go unheard, so it drops everything on coming back.
    await db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN \"minsheng_writes\"' AND datname = current_database()");
    await waitFor(() => listening === 2, "listening again", 400);
    expect(theirs.get("page")).toBeNull();
  }, 60_000);
});
