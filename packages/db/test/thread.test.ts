import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/index.js";

// The worker thread runs the built entry (dist/pglite-worker.js): this test uses the build, as the server does.
const built = "../dist/index.js";
const { DataDirLocked, isConnectionError, openDatabase } = (await import(built)) as typeof import("../src/index.js");

const dir = mkdtempSync(join(tmpdir(), "minsheng-thread-"));
let db: Database;

beforeAll(async () => {
  db = await openDatabase({ dataDir: dir, thread: true });
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("PGlite on a worker thread (thread: true)", () => {
  it("is migrated, and holds the folder's lock like an instance in this thread", async () => {
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migrations");
    expect(rows[0]!.n).toBeGreaterThan(0);
    await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(DataDirLocked);
  });

  it("passes parameters and typed values both ways", async () => {
    const { rows } = await db.query<{ n: string; j: { a: number[] }; t: Date; b: Uint8Array }>(
      "SELECT $1::numeric AS n, $2::jsonb AS j, $3::timestamptz AS t, $4::bytea AS b",
      ["12.50", JSON.stringify({ a: [1, 2] }), new Date("2024-09-30T16:00:00Z"), new Uint8Array([1, 2, 3])],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.n).toBe("12.50");
    expect(rows[0]!.j).toEqual({ a: [1, 2] });
    expect(rows[0]!.t.toISOString()).toBe("2024-09-30T16:00:00.000Z");
    expect([...rows[0]!.b]).toEqual([1, 2, 3]);
  });

  it("sends a class instance as PGlite in this thread would read it (its toString, its toJSON)", async () => {
    class Code {
      constructor(readonly value: string) {}
      toString() {
        return this.value;
      }
    }
    class Doc {
      toJSON() {
        return { kind: "doc" };
      }
    }
    const { rows } = await db.query<{ t: string; j: unknown }>("SELECT $1::text AS t, $2::jsonb AS j", [new Code("430500"), new Doc()]);
    expect(rows[0]).toEqual({ t: "430500", j: { kind: "doc" } });
  });

  it("commits a transaction, rolls back a failed one, and keeps PostgreSQL's error fields", async () => {
    await db.query("INSERT INTO regions (code, name, level, parent) VALUES ('430000', '湖南省', 'province', NULL)");
    const inserted = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO regions (code, name, level, parent) VALUES ('430500', '邵阳市', 'city', '430000')");
      return (await tx.query("SELECT count(*)::int AS n FROM regions")).rows[0];
    });
    expect(inserted).toEqual({ n: 2 });
    const failed = db.transaction(async (tx) => {
      await tx.query("INSERT INTO regions (code, name, level, parent) VALUES ('430521', '邵东市', 'county', '430500')");
      await tx.query("INSERT INTO regions (code, name, level, parent) VALUES ('430000', '重复', 'province', NULL)");
    });
    await expect(failed).rejects.toMatchObject({ code: "23505", constraint: "regions_pkey" });
    await expect(failed).rejects.not.toSatisfy(isConnectionError);
    const thrown = db.transaction(async (tx) => {
      await tx.query("INSERT INTO regions (code, name, level, parent) VALUES ('430522', '新邵县', 'county', '430500')");
      throw new Error("caller gave up");
    });
    await expect(thrown).rejects.toThrow("caller gave up");
    const { rows } = await db.query<{ code: string }>("SELECT code FROM regions ORDER BY code");
    expect(rows.map((r) => r.code)).toEqual(["430000", "430500"]);
  });

  it("lets a statement outside a transaction wait for it", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (t) => {
      await t.query("UPDATE regions SET name = '邵阳' WHERE code = '430500'");
      await held;
    });
    await new Promise((r) => setTimeout(r, 50));
    const outside = db.query<{ name: string }>("SELECT name FROM regions WHERE code = '430500'");
    release();
    await tx;
    expect((await outside).rows).toEqual([{ name: "邵阳" }]);
  });

  it("checkpoints on close, so the folder opens again in this thread with everything in it", async () => {
    await db.close();
    const again = await openDatabase({ dataDir: dir });
    try {
      expect((await again.query<{ n: number }>("SELECT count(*)::int AS n FROM regions")).rows[0]!.n).toBe(2);
    } finally {
      await again.close();
    }
    await expect(db.query("SELECT 1")).rejects.toSatisfy(isConnectionError);
    db = await openDatabase({ dataDir: dir, thread: true });
  });
});
