import { randomUUID } from "node:crypto";
import { reportStateLabel, type ReportState } from "@minsheng/domain";
import { appendAudit, type Queryable } from "@minsheng/db";
import type { Principal } from "../auth/principal.js";
import type { Deps } from "../lib/context.js";
import { CodedError, fail } from "../lib/errors.js";
import { acceptedWithoutMetadata } from "../lib/image-metadata.js";
import type { RegionDirectory } from "../lib/regions.js";
import type { DetectedType } from "../lib/sniff.js";
import { reportEditableBy } from "../reports/service.js";
import { deleteEvidenceRow, type EvidenceRow, type EvidenceView, evidenceViewOf, evidenceWithHash, findEvidence, insertEvidence } from "./data.js";

/**
 * 佐证材料, the workflow: files are attached to and removed from a report while its reporter may
 * still change it (a draft or a returned report), in one transaction with their audit entry; the
 * stored bytes follow the rows (written before, deleted after the commit).
 */

const notEditable = (state: ReportState) => fail("EVIDENCE_REPORT_NOT_EDITABLE", { state: reportStateLabel[state] });

/** The file's row, or 404. */
export async function loadEvidence(db: Queryable, id: string): Promise<EvidenceRow> {
  const row = await findEvidence(db, id);
  if (!row) throw fail("EVIDENCE_NOT_FOUND");
  return row;
}

/** 403 outside the caller's area or unit, 409 unless the report is a draft or returned: before the upload is read. */
export async function assertMayAttach(db: Queryable, p: Principal, reportId: number, regions: RegionDirectory): Promise<void> {
  const { report, editable } = await reportEditableBy(db, p, reportId, regions);
  if (!editable) throw notEditable(report.state);
}

/** Stores a checked file and attaches it to the report (re-checked under lock); 409 when the same bytes are attached already. */
export async function attachEvidence(
  deps: Pick<Deps, "db" | "storage" | "now">,
  p: Principal,
  reportId: number,
  regions: RegionDirectory,
  file: { bytes: Uint8Array; type: DetectedType; filename: string },
): Promise<EvidenceView> {
  const { db, storage, now } = deps;
  // Photos lose their EXIF (GPS) before they are stored.
  const stored = await storage.put(acceptedWithoutMetadata(file.bytes, file.type, "file"));
  try {
    const id = await db.transaction(async (tx) => {
      // Re-read under lock: the report may have been submitted meanwhile.
      const { report, editable } = await reportEditableBy(tx, p, reportId, regions, true);
      if (!editable) throw notEditable(report.state);
      const dup = await evidenceWithHash(tx, reportId, stored.sha256);
      if (dup !== null) throw new CodedError("EVIDENCE_DUPLICATE", {}, undefined, [], { evidenceId: dup });
      const evidenceId = randomUUID();
      const at = now();
      await insertEvidence(tx, { id: evidenceId, reportId, filename: file.filename, mediaType: file.type.mediaType, size: stored.size, sha256: stored.sha256, storageKey: stored.key, uploadedBy: p.actor, at });
      await appendAudit(tx, {
        actor: p.actor,
        action: "evidence.add",
        entity: "report",
        entityId: String(reportId),
        before: null,
        after: { evidence: evidenceId, filename: file.filename, mediaType: file.type.mediaType, size: stored.size, sha256: stored.sha256 },
        at,
      });
      return evidenceId;
    });
    return (await evidenceViewOf(db, id))!;
  } catch (e) {
    await storage.delete(stored.key).catch(() => {});
    throw e;
  }
}

/** Removes a file while its report is a draft or returned; the stored bytes after the commit. */
export async function removeEvidence(deps: Pick<Deps, "db" | "storage" | "now">, p: Principal, id: string, regions: RegionDirectory): Promise<void> {
  const { db, storage, now } = deps;
  const key = await db.transaction(async (tx) => {
    const evidence = await loadEvidence(tx, id);
    const { report, editable } = await reportEditableBy(tx, p, Number(evidence.report_id), regions, true);
    if (!editable) throw notEditable(report.state);
    if (!(await deleteEvidenceRow(tx, id))) throw fail("EVIDENCE_NOT_FOUND"); // removed meanwhile by someone else
    await appendAudit(tx, {
      actor: p.actor,
      action: "evidence.delete",
      entity: "report",
      entityId: String(report.id),
      before: { evidence: id, filename: evidence.filename, mediaType: evidence.media_type, size: Number(evidence.size), sha256: evidence.sha256 },
      after: null,
      at: now(),
    });
    return evidence.storage_key;
  });
  // After the commit: a failed delete leaves an orphan file, never a row without its file.
  await storage.delete(key).catch(() => {});
}
