import { z } from "zod";
import { assertProjectScope } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { uploadLimit } from "../lib/body-limit.js";
import { CodedError, fail } from "../lib/errors.js";
import { readUpload } from "../lib/upload.js";
import { servedWithoutMetadata } from "../lib/image-metadata.js";
import { defineOperation, router } from "../lib/operation.js";
import { acceptedTypesLabel, contentDisposition, sanitiseFilename, sniff } from "../lib/sniff.js";
import { evidenceOfReport } from "../reports/data.js";
import { EvidenceView, ReportIdParam } from "../reports/schemas.js";
import { loadReportScope } from "../reports/service.js";
import { assertMayAttach, attachEvidence, loadEvidence, removeEvidence } from "./service.js";

/**
 * 佐证材料: files behind a report. The type is detected from the bytes and only images, PDF, Word
 * and Excel are kept; downloads are authorised per request with the report's region rules.
 * Mounted at the API's root: the files of a report are below it (/reports/{id}/evidence), a file by itself at /evidence/{id}.
 */

export const EvidenceParam = z.object({ id: z.string().uuid("must be an evidence id") });

const tag = "evidence";

export const addEvidenceOp = defineOperation({
  tag, method: "post", path: "/reports/{id}/evidence", operationId: "addEvidence", keepsPublicPages: true, access: "reports.write",
  summary: ["上传佐证材料", "Attach an evidence file to a draft or returned report"],
  scope: "the report's region within your area and, for a unit's reporter, a project of that unit",
  description: "Images (JPEG, PNG, GIF, WebP), PDF, Word and Excel, recognised from the bytes (name and declared type are not trusted): else 415; over the size limit 413.",
  params: ReportIdParam, upload: { field: "file", description: "the file" },
  success: { status: 201, description: "the stored file", schema: EvidenceView },
  errors: [404, 409, 413, 415],
});

export const listEvidenceOp = defineOperation({
  tag, method: "get", path: "/reports/{id}/evidence", operationId: "listEvidence", access: "evidence.read",
  summary: ["佐证材料列表", "The evidence files of a report"],
  scope: "the report's region must lie within your area",
  params: ReportIdParam, examples: { id: "1" },
  success: { status: 200, description: "files, oldest first", schema: z.object({ evidence: z.array(EvidenceView) }) },
  errors: [404],
});

export const downloadEvidenceOp = defineOperation({
  tag, method: "get", path: "/evidence/{id}", operationId: "downloadEvidence", access: "evidence.read",
  summary: ["下载佐证材料", "Download an evidence file (always as an attachment)"],
  scope: "the report's region must lie within your area",
  params: EvidenceParam,
  success: { status: 200, description: "the file, with its detected type", media: "application/octet-stream" },
  errors: [404],
});

export const deleteEvidenceOp = defineOperation({
  tag, method: "delete", path: "/evidence/{id}", operationId: "deleteEvidence", keepsPublicPages: true, access: "reports.write",
  summary: ["删除佐证材料", "Remove an evidence file while its report is a draft or returned"],
  scope: "the report's region within your area and, for a unit's reporter, a project of that unit",
  params: EvidenceParam,
  success: { status: 200, description: "removed", schema: z.object({ ok: z.literal(true) }) },
  errors: [404, 409],
});

export const evidenceRoutes = router()
  /** Attaches an evidence file (multipart, field `file`) to a draft or returned report; 413 over the limit, 415 not an accepted type. */
  .openapi({ ...addEvidenceOp, middleware: uploadLimit }, async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const reportId = c.req.valid("param").id;
    const deps = c.get("deps");
    const { regions, config } = deps;
    await regions.ready();
    // Scope first: nobody learns anything about a report outside their area by uploading to it.
    await assertMayAttach(deps.db, p, reportId, regions);

    const { bytes, name: declaredName } = await readUpload(c, "file", config.maxUploadBytes);
    const type = sniff(bytes);
    if (!type) throw new CodedError("EVIDENCE_TYPE_REFUSED", { accepted: acceptedTypesLabel });
    const view = await attachEvidence(deps, p, reportId, regions, { bytes, type, filename: sanitiseFilename(declaredName, type) });
    return c.json(view, 201);
  })
  .openapi(listEvidenceOp, async (c) => {
    const p = requirePermission(c.get("principal"), "evidence.read");
    const { id } = c.req.valid("param");
    const { db, regions } = c.get("deps");
    await regions.ready();
    const report = await loadReportScope(db, id);
    assertProjectScope(p, report, regions);
    return c.json({ evidence: await evidenceOfReport(db, id) }, 200);
  })
  /** Downloads a file: always as an attachment of its detected type, never sniffed by the browser. */
  .openapi(downloadEvidenceOp, async (c) => {
    const p = requirePermission(c.get("principal"), "evidence.read");
    const { db, regions, storage } = c.get("deps");
    await regions.ready();
    const evidence = await loadEvidence(db, c.req.valid("param").id);
    const report = await loadReportScope(db, Number(evidence.report_id));
    assertProjectScope(p, report, regions);
    const stored = await storage.get(evidence.storage_key);
    if (!stored) throw fail("EVIDENCE_FILE_MISSING");
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
  .openapi(deleteEvidenceOp, async (c) => {
    const p = requirePermission(c.get("principal"), "reports.write");
    const deps = c.get("deps");
    await deps.regions.ready();
    await removeEvidence(deps, p, c.req.valid("param").id, deps.regions);
    return c.json({ ok: true as const }, 200);
  });
