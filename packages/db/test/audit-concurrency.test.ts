import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit, appendAuditMany, openTestDatabase, type Queryable, verifyAuditChain } from "../src/index.js";

/**
 * Issue 10: appends from any caller are serialised with their link, so the chain never forks.
 * Issue 16: the link is made at commit (migration 15), so this holds for bare statements too, and
 * a transaction that rolls back leaves no entry and no gap in the chain.
 */
let db: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db?.dispose());

const entry = (i: number) => ({ actor: "system", action: "test.parallel", entity: "t", entityId: String(i), after: { i } });

describe("appendAudit under concurrency", () => {
  it("many appends in parallel, given the database or a transaction, one at a time or in batches, leave one chain", async () => {
    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => appendAudit(db, entry(i))),
      ...Array.from({ length: 12 }, (_, i) => db.transaction((tx) => appendAudit(tx, entry(100 + i)))),
      ...Array.from({ length: 4 }, (_, i) => appendAuditMany(db, [entry(200 + i), entry(300 + i)])),
    ]);
    const check = await verifyAuditChain(db);
    expect(check).toMatchObject({ ok: true, entries: 32 });
    const { rows } = await db.query<{ n: number }>("SELECT count(DISTINCT prev_hash)::int AS n FROM audit_log");
    expect(rows[0]!.n).toBe(32);
  });

  it("links entries at commit: a bare statement's at its own, a rolled-back transaction's never", async () => {
    const bare: Queryable = { query: (sql, params) => db.query(sql, params) };
    await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => appendAudit(bare, entry(400 + i))),
      ...Array.from({ length: 8 }, (_, i) =>
        db
          .transaction(async (tx) => {
            await appendAudit(tx, entry(500 + i));
            if (i % 2 === 1) throw new Error("rolled back");
          })
          .catch(() => undefined),
      ),
    ]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, entries: 32 + 8 + 4 });
    const { rows } = await db.query<{ id: string }>("SELECT entity_id AS id FROM audit_log WHERE entity_id::int >= 500 ORDER BY seq");
    expect(rows.map((r) => Number(r.id)).sort()).toEqual([500, 502, 504, 506]);
    // nothing is left unlinked, and the numbers have no gap
    const { rows: check } = await db.query<{ pending: number; n: number; lo: number; hi: number }>(
      "SELECT count(*) FILTER (WHERE seq < 0 OR hash IS NULL)::int AS pending, count(*)::int AS n, min(seq)::int AS lo, max(seq)::int AS hi FROM audit_log",
    );
    expect(check[0]).toMatchObject({ pending: 0, n: 44 });
    expect(check[0]!.hi - check[0]!.lo + 1).toBe(44);
  });
});
