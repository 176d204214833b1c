import type { Context } from "hono";
import type { AppEnv } from "./context.js";
import { CodedError, fail } from "./errors.js";
import { tooLarge } from "./body-limit.js";

/**
 * One file of a multipart/form-data upload (the field `field`), for every upload route (evidence,
 * the Excel import, published content, observers' photos, letters' replies): 415 when the body is
 * not multipart, 400 naming the field when it is missing or empty, 413 over `max` (`what` names it
 * in the message). What the bytes really are is the caller's to decide (lib/sniff.ts), never the
 * declared type. The other fields of the form come back too.
 */
export async function readUpload(c: Context<AppEnv>, field: string, max: number, what = "the file"): Promise<{ bytes: Uint8Array; name: string; form: Record<string, unknown> }> {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "multipart/form-data") throw fail("UPLOAD_NOT_MULTIPART", { field });
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody();
  } catch (e) {
    // the body limit's 413 (lib/body-limit.ts) as it is; else the form could not be read
    if (e instanceof CodedError) throw e;
    throw fail("UPLOAD_UNREADABLE").at(`$.${field}`, "the multipart body could not be read");
  }
  const file = form[field];
  if (!(file instanceof Blob)) throw fail("UPLOAD_FILE_REQUIRED").at(`$.${field}`, `is required: a file in the multipart field \`${field}\``);
  if (file.size > max) throw tooLarge(max, what);
  if (file.size === 0) throw fail("UPLOAD_FILE_EMPTY").at(`$.${field}`, "is empty");
  const name = typeof (file as File).name === "string" ? (file as File).name : "";
  return { bytes: new Uint8Array(await file.arrayBuffer()), name, form };
}
