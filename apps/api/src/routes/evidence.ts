import { randomUUID } from "node:crypto";
import { TransitionNotAllowed } from "@minsheng/domain";
import { appendAudit, type Queryable } from "@minsheng/db";
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { assertProjectScope } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { acceptsBody, MULTIPART_OVERHEAD, tooLarge } from "../lib/body-limit.js";
import type { AppEnv } from "../lib/context.js";
import { ApiError, conflict, invalid, notFound } from "../lib/errors.js";
import { acceptedWithoutMetadata, servedWithoutMetadata } from "../lib/image-metadata.js";
import { acceptedTypesLabel, contentDisposition, sanitiseFilename, sniff } from "../lib/sniff.js";
import { paramsOf } from "../lib/validate.js";
import { loadReportScope } from "./reports.js";

/**
 * 佐证材料: files behind a report. The type is detected from the bytes and only images, PDF, Word
 * and Excel are kept; downloads are authorised per request with the report's region rules.
 */

export const EvidenceParam = z.object({ id: z.string().uuid("must be an evidence id") });

/** Uploads of evidence and content files: up to the configured upload limit (lib/body-limit.ts enforces it as the body streams). */
export const uploadLimit = acceptsBody((c) => c.get("deps").config.maxUploadBytes, "the file", MULTIPART_OVERHEAD);

interface EvidenceRow {
  id: string;
  report_id: string;
  filename: string;
  media_type: string;
  size: string;
  sha256: string;
  storage_key: string;
  uploaded_by: string | null;
  uploaded_at: string | Date;
}

const evidenceView = (e: EvidenceRow) => ({
  id: e.id,
  reportId: Number(e.report_id),
  filename: e.filename,
  mediaType: e.media_type,
  size: Number(e.size),
  sha256: e.sha256,
  uploadedBy: e.uploaded_by,
  uploadedAt: new Date(e.uploaded_at).toISOString(),
  href: `/api/v1/evidence/${e.id}`,
});

/** The files of a report, oldest first. */
export async function evidenceOfReport(db: Queryable, reportId: number) {
  const { rows } = await db.query<EvidenceRow>("SELECT * FROM evidence WHERE report_id = $1 ORDER BY uploaded_at, id", [reportId]);
  return rows.map(evidenceView);
}

const editable = (state: string) => state === "draft" || state === "returned";

/** POST /reports/:id/evidence — multipart with one `file`; 413 over the limit, 415 not an accepted type. */
export async function addEvidence(c: Context<AppEnv>, reportId: number) {
  const p = requirePermission(c.get("principal"), "reports.write");
  const { db, regions, storage, config, now } = c.get("deps");
  await regions.ready();
  // Scope first: nobody learns anything about a report outside their area by uploading to it.
  const report = await loadReportScope(db, reportId);
  assertProjectScope(p, report, regions);
  if (!editable(report.state))
    throw new TransitionNotAllowed({ from: report.state, action: "add evidence to", reason: "evidence can be attached only while the report is a draft or returned" });

  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "multipart/form-data") throw new ApiError("UnsupportedMediaType", "send the file as multipart/form-data in the field `file`");
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw invalid([{ path: "$.file", message: "the multipart body could not be read" }]);
  }
  const file = form.file;
  if (!(file instanceof Blob)) throw invalid([{ path: "$.file", message: "is required: a file in the multipart field `file`" }]);
  if (file.size > config.maxUploadBytes) throw tooLarge(config.maxUploadBytes, "the file");
  if (file.size === 0) throw invalid([{ path: "$.file", message: "is empty" }]);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = sniff(bytes);
  if (!type) throw new ApiError("UnsupportedMediaType", `the file's content is not an accepted type (${acceptedTypesLabel}); its name and declared type are not trusted`);
  const declaredName = typeof (file as File).name === "string" ? (file as File).name : "";
  const filename = sanitiseFilename(declaredName, type);

  // Photos lose their EXIF (GPS) before they are stored.
  const stored = await storage.put(acceptedWithoutMetadata(bytes, type, "file"));
  try {
    const id = await db.transaction(async (tx) => {
      // Re-read under lock: the report may have been submitted meanwhile.
      const locked = await loadReportScope(tx, reportId, true);
      if (!editable(locked.state))
        throw new TransitionNotAllowed({ from: locked.state, action: "add evidence to", reason: "evidence can be attached only while the report is a draft or returned" });
      const dup = await tx.query<{ id: string }>("SELECT id FROM evidence WHERE report_id = $1 AND sha256 = $2", [reportId, stored.sha256]);
      if (dup.rows[0]) throw conflict("this file is already attached to the report", { evidenceId: dup.rows[0].id });
      const evidenceId = randomUUID();
      const at = now();
      await tx.query(
        `INSERT INTO evidence (id, report_id, filename, media_type, size, sha256, storage_key, uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [evidenceId, reportId, filename, type.mediaType, stored.size, stored.sha256, stored.key, p.actor, at.toISOString()],
      );
      await appendAudit(tx, {
        actor: p.actor,
        action: "evidence.add",
        entity: "report",
        entityId: String(reportId),
        before: null,
        after: { evidence: evidenceId, filename, mediaType: type.mediaType, size: stored.size, sha256: stored.sha256 },
        at,
      });
      return evidenceId;
    });
    const { rows } = await db.query<EvidenceRow>("SELECT * FROM evidence WHERE id = $1", [id]);
    return c.json(evidenceView(rows[0]!), 201);
  } catch (e) {
    await storage.delete(stored.key).catch(() => {});
    throw e;
  }
}

async function loadEvidence(db: Queryable, id: string): Promise<EvidenceRow> {
  const { rows } = await db.query<EvidenceRow>("SELECT * FROM evidence WHERE id = $1", [id]);
  if (!rows[0]) throw notFound("evidence");
  return rows[0];
}

export const evidenceRoutes = new Hono<AppEnv>()
  /** Downloads a file: always as an attachment of its detected type, never sniffed by the browser. */
  .get("/:id", paramsOf(EvidenceParam), async (c) => {
    const p = requirePermission(c.get("principal"), "evidence.read");
    const { db, regions, storage } = c.get("deps");
    await regions.ready();
    const evidence = await loadEvidence(db, c.req.valid("param").id);
    const report = await loadReportScope(db, Number(evidence.report_id));
    assertProjectScope(p, report, regions);
    const stored = await storage.get(evidence.storage_key);
    if (!stored) throw notFound("evidence file");
    const bytes = servedWithoutMetadata(stored, evidence.media_type);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": evidence.media_type,
      "Content-Length": String(bytes.byteLength),
      "Content-Disposition": contentDisposition(evidence.filename),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
      ETag: `"${evidence.sha256}"`,
    });
  })
  /** Removes a file while its report is a draft or returned; only a reporter in scope. */
  .delete("/:id", paramsOf(EvidenceParam), async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const { db, regions, storage, now } = c.get("deps");
    await regions.ready();
    const id = c.req.valid("param").id;
    const key = await db.transaction(async (tx) => {
      const evidence = await loadEvidence(tx, id);
      const report = await loadReportScope(tx, Number(evidence.report_id), true);
      assertProjectScope(p, report, regions);
      if (!editable(report.state))
        throw new TransitionNotAllowed({ from: report.state, action: "delete evidence of", reason: "evidence can be removed only while the report is a draft or returned" });
      const gone = await tx.query("DELETE FROM evidence WHERE id = $1", [id]);
      if (gone.rowCount === 0) throw notFound("evidence"); // removed meanwhile by someone else
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
    return c.json({ ok: true });
  });
