import type { Queryable } from "@minsheng/db";
import { type EvidenceRow, type EvidenceView, evidenceView } from "../reports/data.js";

/** Data access of evidence files: every SQL statement the feature runs (a report's list of files is the reports feature's). */

export type { EvidenceRow, EvidenceView } from "../reports/data.js";

/** An evidence file's row, or null. */
export async function findEvidence(db: Queryable, id: string): Promise<EvidenceRow | null> {
  const { rows } = await db.query<EvidenceRow>("SELECT * FROM evidence WHERE id = $1", [id]);
  return rows[0] ?? null;
}

/** The file of a report with these bytes (by SHA-256), if it has one: its id. */
export async function evidenceWithHash(db: Queryable, reportId: number, sha256: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM evidence WHERE report_id = $1 AND sha256 = $2", [reportId, sha256]);
  return rows[0]?.id ?? null;
}

export async function insertEvidence(
  tx: Queryable,
  e: { id: string; reportId: number; filename: string; mediaType: string; size: number; sha256: string; storageKey: string; uploadedBy: string; at: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO evidence (id, report_id, filename, media_type, size, sha256, storage_key, uploaded_by, uploaded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [e.id, e.reportId, e.filename, e.mediaType, e.size, e.sha256, e.storageKey, e.uploadedBy, e.at.toISOString()],
  );
}

/** Removes a file's row; false when it was gone already. */
export async function deleteEvidenceRow(tx: Queryable, id: string): Promise<boolean> {
  const gone = await tx.query("DELETE FROM evidence WHERE id = $1", [id]);
  return (gone.rowCount ?? 0) > 0;
}

/** A file as the API shows it, read back after it was stored. */
export async function evidenceViewOf(db: Queryable, id: string): Promise<EvidenceView | null> {
  const row = await findEvidence(db, id);
  return row ? evidenceView(row) : null;
}
