import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Bundle, Either, evaluateBundle, parseBundle } from "./domain.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appendAudit,
  auditHistory,
  DataDirLocked,
  exportBundle,
  importBundle,
  migrate,
  openDatabase,
  openTestDatabase,
  verifyAuditChain,
} from "../src/index.js";
import { loadFixture } from "./fixtures.js";

const fixture = Either.getOrThrow(parseBundle(loadFixture()));
let db: Awaited<ReturnType<typeof openTestDatabase>>;

beforeAll(async () => {
  db = await openTestDatabase();
  await db.transaction((tx) => importBundle(tx, fixture));
});
afterAll(async () => db?.dispose());

const sortBy = <T>(rows: readonly T[], key: (r: T) => string) => [...rows].sort((a, b) => key(a).localeCompare(key(b)));
const keyed = (b: Bundle) => ({
  regions: sortBy(b.regions, (r) => r.code),
  units: sortBy(b.units, (u) => u.id),
  plans: sortBy(b.plans, (p) => p.id),
  items: sortBy(b.items, (i) => i.id),
  projects: sortBy(b.projects, (p) => p.id),
  indicators: sortBy(b.indicators, (i) => i.id),
  targets: sortBy(b.targets, (t) => `${t.indicator}@${t.region}`),
  progress: sortBy(b.progress, (p) => `${p.indicator}@${p.region}@${p.period}`),
  disclosure: sortBy(b.disclosure, (d) => `${d.project}@${d.region}@${d.period}`),
});

describe(`database (${process.env.DATABASE_URL ? "PostgreSQL server" : "embedded PGlite"})`, () => {
  it("migrates once: a second run applies nothing", async () => {
    expect(await migrate(db)).toEqual([]);
  });

  it("exports the city plan with the province plan it links to, equal to the fixture", async () => {
    const exported = await exportBundle(db, "sy2024");
    expect(exported).not.toBeNull();
    const got = keyed(exported!);
    const want = keyed(fixture);
    // Every collection equal as a set: nothing lost, nothing added, numbers exact.
    expect(got).toEqual(want);
  });

  it("round-trips import → export → import → export without change", async () => {
    const first = await exportBundle(db, "sy2024");
    const other = await openTestDatabase();
    try {
      await other.transaction((tx) => importBundle(tx, first!));
      expect(await exportBundle(other, "sy2024")).toEqual(first);
    } finally {
      await other.dispose();
    }
  });

  it("exports only the plan asked when it links to nothing", async () => {
    const hn = await exportBundle(db, "hn2024");
    expect(hn!.plans.map((p) => p.id)).toEqual(["hn2024"]);
    expect(hn!.indicators.every((i) => i.id.startsWith("hn2024"))).toBe(true);
  });

  it("answers null for an unknown plan", async () => {
    expect(await exportBundle(db, "nope")).toBeNull();
  });

  it("evaluates the exported bundle to the same figures as the fixture", async () => {
    const opts = { period: "2024-09", region: "430500" };
    const fromDb = evaluateBundle(await exportBundle(db, "sy2024"), opts);
    const fromFile = evaluateBundle(fixture, opts);
    // The export lists the asked plan first; the figures must be the same whatever the order.
    const sorted = (e: typeof fromDb) => ({
      ...e,
      indicators: sortBy(e.indicators, (i) => i.indicator),
      projects: sortBy(e.projects, (p) => p.project),
      lagging: sortBy(e.lagging, (l) => `${l.indicator}@${l.region}`),
      falls: sortBy(e.falls, (f) => `${f.indicator}@${f.region}`),
    });
    expect(sorted(fromDb)).toEqual(sorted(fromFile));
  });

  it("keeps a failed import invisible (one transaction)", async () => {
    const before = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM targets");
    const broken: Bundle = { ...fixture, targets: [...fixture.targets, { indicator: "hn2024-p01-a", region: "999999", value: 1 }] };
    await expect(db.transaction((tx) => importBundle(tx, broken))).rejects.toThrow(/foreign key|999999/);
    const after = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM targets");
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });
});

describe("audit chain", () => {
  it("chains entries and verifies them", async () => {
    await db.transaction(async (tx) => {
      await appendAudit(tx, { actor: "user:a", action: "report.submit", entity: "report", entityId: "1", before: null, after: { value: 1.5, z: { b: 1, a: [2, "x"] } } });
      await appendAudit(tx, { actor: "user:b", action: "report.reduce", entity: "report", entityId: "1", before: { value: 1.5 }, after: { value: 1 } });
    });
    const check = await verifyAuditChain(db);
    expect(check.ok).toBe(true);
    expect(check.entries).toBeGreaterThanOrEqual(2);
    const history = await auditHistory(db, "report", "1");
    expect(history.map((h) => h.action)).toEqual(["report.submit", "report.reduce"]);
    expect(history[1]!.prevHash).toBe(history[0]!.hash);
  });

  it("detects an entry edited behind its back", async () => {
    const other = await openTestDatabase();
    try {
      for (let i = 0; i < 3; i++)
        await other.transaction((tx) => appendAudit(tx, { actor: "system", action: "x", entity: "e", entityId: String(i), after: { i } }));
      expect((await verifyAuditChain(other)).ok).toBe(true);
      await other.query("UPDATE audit_log SET after = '{\"i\": 99}'::jsonb WHERE entity_id = '1'");
      const check = await verifyAuditChain(other);
      expect(check.ok).toBe(false);
      expect(check.brokenAt).toBe(2);
    } finally {
      await other.dispose();
    }
  });
});

describe.skipIf(!process.env.DATABASE_URL)("several servers starting together on an empty schema", () => {
  it("migrate it once between them, none failing", async () => {
    const url = process.env.DATABASE_URL!;
    const schema = `t_race_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const { default: pg } = await import("pg");
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA "${schema}"`);
      const handles = await Promise.all(Array.from({ length: 6 }, () => openDatabase({ databaseUrl: url, schema })));
      try {
        const { rows } = await handles[0]!.query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migrations");
        expect(rows[0]!.n).toBeGreaterThan(0);
        for (const h of handles) expect(await migrate(h)).toEqual([]);
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  }, 120_000);
});

describe.skipIf(!!process.env.DATABASE_URL)("embedded data folder", () => {
  it("refuses a second opener while one holds the folder, and reopens after close", async () => {
    const dir = mkdtempSync(join(tmpdir(), "minsheng-db-"));
    try {
      const first = await openDatabase({ dataDir: dir });
      await first.query("INSERT INTO regions (code, name, level, parent) VALUES ('430000', '湖南省', 'province', NULL)");
      // Same process counts as a second opener too: PGlite must never open a folder twice.
      await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(DataDirLocked);
      await first.close();
      const again = await openDatabase({ dataDir: dir });
      const { rows } = await again.query<{ name: string }>("SELECT name FROM regions");
      expect(rows).toEqual([{ name: "湖南省" }]);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("data version", () => {
  it("moves on every write to plans or figures, and not on reads", async () => {
    const version = async () => (await db.query<{ v: string }>("SELECT version::text AS v FROM data_version")).rows[0]!.v;
    const v0 = await version();
    await exportBundle(db, "hn2024");
    expect(await version()).toBe(v0);
    await db.query("UPDATE reports SET narrative = narrative || '' WHERE id = (SELECT min(id) FROM reports)");
    const v1 = await version();
    expect(BigInt(v1)).toBeGreaterThan(BigInt(v0));
    await db.query("UPDATE targets SET value = value WHERE indicator = 'hn2024-p01-a' AND region = '430523'");
    expect(BigInt(await version())).toBeGreaterThan(BigInt(v1));
  });

  it("does not move for figures that do not count (drafts, submissions), and moves when one starts or stops counting", async () => {
    const version = async () => BigInt((await db.query<{ v: string }>("SELECT version::text AS v FROM data_version")).rows[0]!.v);
    const v0 = await version();
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO reports (indicator, region, period, state, reported_value, narrative, source, version, created_by, updated_by, created_at, updated_at)
       VALUES ('hn2024-p01-a', '430523', '2024-12', 'draft', 5, '', 'report', 1, 'test', 'test', now(), now()) RETURNING id`,
    );
    const id = rows[0]!.id;
    await db.query("UPDATE reports SET state = 'submitted', narrative = 'x', version = version + 1 WHERE id = $1", [id]);
    expect(await version()).toBe(v0);
    await db.query("UPDATE reports SET state = 'verified', verified_value = reported_value WHERE id = $1", [id]);
    const v1 = await version();
    expect(v1).toBeGreaterThan(v0);
    await db.query("UPDATE reports SET state = 'submitted', verified_value = NULL WHERE id = $1", [id]);
    const v2 = await version();
    expect(v2).toBeGreaterThan(v1);
    await db.query("DELETE FROM reports WHERE id = $1", [id]);
    expect(await version()).toBe(v2);
    await db.query(
      `INSERT INTO reports (indicator, region, period, state, reported_value, verified_value, narrative, source, version, created_by, updated_by, created_at, updated_at)
       VALUES ('hn2024-p01-a', '430523', '2024-12', 'verified', 5, 5, '', 'import', 1, 'test', 'test', now(), now())`,
    );
    const v3 = await version();
    expect(v3).toBeGreaterThan(v2);
    await db.query("DELETE FROM reports WHERE indicator = 'hn2024-p01-a' AND region = '430523' AND period = '2024-12'");
    expect(await version()).toBeGreaterThan(v3);
  });
});
