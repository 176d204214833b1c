import { requirePermission } from "../auth/middleware.js";
import { acceptsBody, MULTIPART_OVERHEAD } from "../lib/body-limit.js";
import { readUpload } from "../lib/upload.js";
import { defineOperation, router } from "../lib/operation.js";
import { siteScope } from "./routes.js";
import { ContentIdParam, ContentPatch, ContentView, FileView } from "./schemas.js";
import { attachFile, contentFor, contentView, editContent } from "./service.js";

/** Editing what a site published: changes, unpublishing, files and photos. */

const content = { tag: "content", access: "content.write", scope: siteScope } as const;

export const editContentOp = defineOperation({
  ...content, method: "patch", path: "/{id}", operationId: "editContent",
  summary: ["修改或撤回公开内容", "Edit, unpublish (published: false) or publish again"],
  params: ContentIdParam, body: ContentPatch, bodyExample: { version: 1, published: false },
  success: { status: 200, description: "the content", schema: ContentView },
  errors: [409],
});

const attachContentFileDeclared = defineOperation({
  ...content, method: "post", path: "/{id}/files", operationId: "attachContentFile",
  summary: ["上传附件或照片", "Attach a photo (any content) or a PDF/Word/Excel file (policy documents)"],
  description: "The type is recognised from the bytes: photos are JPEG, PNG, GIF or WebP (415 otherwise); at most 9 files.",
  params: ContentIdParam, upload: { field: "file", description: "the file" },
  success: { status: 201, description: "the stored file and the content", schema: FileView.extend({ content: ContentView }) },
  errors: [409, 413, 415],
});
/** The file may be as large as the configured upload limit (lib/body-limit.ts), not a JSON body's. */
export const attachContentFileOp = {
  ...attachContentFileDeclared,
  middleware: [acceptsBody((c) => c.get("deps").config.maxUploadBytes, "the file", MULTIPART_OVERHEAD)],
};

export const contentRoutes = router()
  /** Edits, unpublishes (published: false) or publishes again; `version` guards against lost updates. */
  .openapi(editContentOp, async (c) => {
    const p = requirePermission(c.get("principal"), "content.write");
    const { id } = c.req.valid("param");
    const deps = c.get("deps");
    await editContent(p, deps, id, c.req.valid("json"));
    return c.json(await contentView(deps.db, id), 200);
  })
  /**
   * Attaches a file: photos (JPEG, PNG, GIF, WebP) to any content; a policy document may also be
   * PDF, Word or Excel. The type comes from the bytes, never from the name.
   */
  .openapi(attachContentFileOp, async (c) => {
    const p = requirePermission(c.get("principal"), "content.write");
    const { id } = c.req.valid("param");
    const deps = c.get("deps");
    const content = await contentFor(p, deps, id);
    const file = await readUpload(c, "file", deps.config.maxUploadBytes);
    const fileId = await attachFile(deps, p.actor, content, file);
    const view = await contentView(deps.db, id);
    return c.json({ ...view.files.find((f) => f.id === fileId)!, content: view }, 201);
  });
