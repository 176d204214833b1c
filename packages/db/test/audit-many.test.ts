import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit, appendAuditMany, type AuditEntry, openTestDatabase, verifyAuditChain } from "../src/index.js";

/** appendAuditMany writes exactly what appendAudit one entry at a time writes: rows, hashes, order. */
let db: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db?.dispose());

const at = new Date("2024-10-08T02:00:00Z");
// More than one statement's worth (2,000), with nulls, nested objects, keys in any order and text to escape.
const entries: AuditEntry[] = Array.from({ length: 2050 }, (_, i) => ({
  actor: i % 3 ? "user:reporter" : "system",
  action: i % 2 ? "report.submit" : "report.save",
  entity: "report",
  entityId: String(1000 + i),
  before: i % 2 ? { version: i, state: "draft", narrative: `第 ${i} 行 "引号" \\ 反斜杠`, fallReason: null } : null,
  after: { z: [i, { b: 1, a: null }], a: i / 7, text: "进展 <正常> & 顺利" },
  at: new Date(at.getTime() + (i % 5)),
}));
const rows = async () =>
  (await db.query<Record<string, unknown>>("SELECT at, actor, action, entity, entity_id, before, after, prev_hash, hash FROM audit_log ORDER BY seq")).rows.map((r) => JSON.parse(JSON.stringify(r)));

describe("appendAuditMany", () => {
  it("gives the same rows and hash chain as appendAudit called for each entry, and later entries chain on", async () => {
    await db.transaction(async (tx) => {
      await appendAudit(tx, { actor: "system", action: "test.first", entity: "t", entityId: "0", at });
      for (const e of entries) await appendAudit(tx, e);
      await appendAudit(tx, { actor: "system", action: "test.last", entity: "t", entityId: "1", at });
    });
    const oneByOne = await rows();
    await db.query("DELETE FROM audit_log");

    await db.transaction(async (tx) => {
      await appendAudit(tx, { actor: "system", action: "test.first", entity: "t", entityId: "0", at });
      await appendAuditMany(tx, entries);
      await appendAudit(tx, { actor: "system", action: "test.last", entity: "t", entityId: "1", at });
    });
    // in the order appended, with the same hashes (the chain restarts from genesis after the DELETE)
    expect(await rows()).toEqual(oneByOne);
    expect(oneByOne.map((r) => r.entity_id)).toEqual(["0", ...entries.map((e) => e.entityId), "1"]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, entries: entries.length + 2 });
    await db.transaction((tx) => appendAuditMany(tx, []));
    expect((await rows()).length).toBe(entries.length + 2);
  }, 120_000);
});
