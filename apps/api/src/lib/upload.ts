import type { Context } from "hono";
import type { AppEnv } from "./context.js";
import { CodedError, fail } from "./errors.js";
import { tooLarge } from "./body-limit.js";

/**
 * One file of a multipart/form-data upload (the field `field`), as the evidence route reads it:
 * 415 when the body is not multipart, 400 naming the field when it is missing or empty, 413 over
 * `max`. What the bytes really are is the caller's to decide (lib/sniff.ts), never the declared type.
 */
export async function readUpload(c: Context<AppEnv>, field: string, max: number): Promise<{ bytes: Uint8Array; name: string }> {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "multipart/form-data") throw fail("UPLOAD_NOT_MULTIPART", { field });
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody();
  } catch (e) {
    if (e instanceof CodedError) throw e;
    throw fail("UPLOAD_UNREADABLE").at(`$.${field}`);
  }
  const file = form[field];
  if (!(file instanceof Blob)) throw fail("UPLOAD_FILE_REQUIRED").at(`$.${field}`);
  if (file.size > max) throw tooLarge(max, "the file");
  if (file.size === 0) throw fail("UPLOAD_FILE_EMPTY").at(`$.${field}`);
  const name = typeof (file as File).name === "string" ? (file as File).name : "";
  return { bytes: new Uint8Array(await file.arrayBuffer()), name };
}
