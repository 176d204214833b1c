import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appendAudit, monthsBefore, openTestDatabase, pruneAuditLog, verifyAuditChain } from "../src/index.js";

/** Audit retention (等保 2.0: at least six months): prefix-only removal, anchored, still verifiable. */
let db: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  db = await openTestDatabase();
});
beforeEach(async () => {
  await db.query("DELETE FROM audit_log");
  await db.query("DELETE FROM audit_anchors");
});
afterAll(async () => db?.dispose());

const month = (m: string) => new Date(`${m}-15T00:00:00Z`);
const write = (at: Date, i: number) => db.transaction((tx) => appendAudit(tx, { actor: "user:t", action: "test.write", entity: "t", entityId: String(i), after: { i }, at }));
const seqs = async () => (await db.query<{ seq: string; entity_id: string }>("SELECT seq, entity_id FROM audit_log ORDER BY seq")).rows;

describe("monthsBefore", () => {
  it("goes back whole calendar months and clamps to the month's last day", () => {
    expect(monthsBefore(new Date("2024-08-31T10:00:00Z"), 6).toISOString()).toBe("2024-02-29T10:00:00.000Z");
    expect(monthsBefore(new Date("2025-01-15T00:00:00Z"), 12).toISOString()).toBe("2024-01-15T00:00:00.000Z");
  });
});

describe("pruneAuditLog", () => {
  it("refuses to keep less than six months", async () => {
    await expect(pruneAuditLog(db, { now: new Date(), keepMonths: 5 })).rejects.toThrow(/at least 6 months/);
  });

  it("removes only entries older than the period, keeps the chain verifiable and records the removal", async () => {
    for (const [i, m] of ["2023-01", "2023-03", "2023-06", "2024-01", "2024-05"].entries()) await write(month(m), i);
    const now = month("2024-09");
    const result = await pruneAuditLog(db, { now, keepMonths: 12 });
    expect(result.pruned).toBe(3);
    const left = await seqs();
    // 2024-01 and 2024-05 are within 12 months; the prune entry is appended after them
    expect(left.map((r) => r.entity_id)).toEqual(["3", "4", String(result.throughSeq)]);
    const check = await verifyAuditChain(db);
    expect(check).toMatchObject({ ok: true, entries: 3, anchoredAt: result.throughSeq });
    const { rows } = await db.query<{ after: { pruned: number } }>("SELECT after FROM audit_log WHERE action = 'audit.prune'");
    expect(rows[0]!.after.pruned).toBe(3);
    // a second run within the period removes nothing
    expect((await pruneAuditLog(db, { now, keepMonths: 12 })).pruned).toBe(0);
    // and a later one removes the next prefix, anchored again
    const later = await pruneAuditLog(db, { now: month("2025-04"), keepMonths: 12 });
    expect(later.pruned).toBe(1);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("keeps the chain verifiable when every entry was old enough to go", async () => {
    for (const [i, m] of ["2023-01", "2023-02"].entries()) await write(month(m), i);
    const result = await pruneAuditLog(db, { now: month("2024-09"), keepMonths: 6 });
    expect(result.pruned).toBe(2);
    expect((await seqs()).map((r) => r.entity_id)).toEqual([String(result.throughSeq)]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, entries: 1, anchoredAt: result.throughSeq });
    await write(month("2024-09"), 9);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("never removes a younger entry, even one that sits before an older one in the chain", async () => {
    await write(month("2023-01"), 0);
    await write(month("2024-08"), 1); // young
    await write(month("2023-02"), 2); // old, but after a young one: must stay
    const result = await pruneAuditLog(db, { now: month("2024-09"), keepMonths: 6 });
    expect(result.pruned).toBe(1);
    expect((await seqs()).map((r) => r.entity_id).slice(0, 2)).toEqual(["1", "2"]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("detects tampering after a prune: an edited entry, a deleted anchor, a forged anchor", async () => {
    for (const [i, m] of ["2023-01", "2023-02", "2024-08", "2024-09"].entries()) await write(month(m), i);
    const { throughSeq } = await pruneAuditLog(db, { now: month("2024-09"), keepMonths: 6 });
    expect((await verifyAuditChain(db)).ok).toBe(true);

    await db.query("UPDATE audit_log SET after = '{\"i\": 99}'::jsonb WHERE action = 'test.write' AND entity_id = '2'");
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, reason: "content does not match its hash" });
    await db.query("UPDATE audit_log SET after = '{\"i\": 2}'::jsonb WHERE action = 'test.write' AND entity_id = '2'");
    expect((await verifyAuditChain(db)).ok).toBe(true);

    // removing the anchor row: the first remaining entry no longer links to anything known
    const anchor = (await db.query<Record<string, unknown>>("SELECT * FROM audit_anchors WHERE through_seq = $1", [throughSeq])).rows[0]!;
    await db.query("DELETE FROM audit_anchors WHERE through_seq = $1", [throughSeq]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, reason: "link to the previous entry does not match" });
    await db.query("INSERT INTO audit_anchors (through_seq, through_hash, through_at, pruned, created_at) VALUES ($1, $2, $3, $4, $5)", [
      anchor.through_seq,
      anchor.through_hash,
      anchor.through_at,
      anchor.pruned,
      anchor.created_at,
    ]);
    expect((await verifyAuditChain(db)).ok).toBe(true);

    // deleting more history and adding an anchor to cover it: the chain does not confirm that anchor
    const first = (await seqs())[0]!;
    const { rows } = await db.query<{ hash: string; at: Date }>("SELECT hash, at FROM audit_log WHERE seq = $1", [first.seq]);
    await db.query("DELETE FROM audit_log WHERE seq = $1", [first.seq]);
    await db.query("INSERT INTO audit_anchors (through_seq, through_hash, through_at, pruned, created_at) VALUES ($1, $2, $3, 1, now())", [first.seq, rows[0]!.hash, rows[0]!.at]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, reason: "the retention anchor is not confirmed by an audit.prune entry" });
  });
});
