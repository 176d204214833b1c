import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit, appendAuditMany, openTestDatabase, verifyAuditChain } from "../src/index.js";

/** Issue 10: appends from any caller are serialised with their link, so the chain never forks. */
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

  it("refuses a statement runner that is neither a transaction nor the database", async () => {
    await expect(appendAudit({ query: (sql, params) => db.query(sql, params) }, entry(0))).rejects.toThrow(/inside a transaction/);
  });
});
