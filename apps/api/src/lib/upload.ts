import type { Context } from "hono";
import type { AppEnv } from "./context.js";
import { ApiError, invalid } from "./errors.js";
import { tooLarge } from "./body-limit.js";

/**
 * One file of a multipart/form-data upload (the field `field`), as the evidence route reads it:
 * 415 when the body is not multipart, 400 naming the field when it is missing or empty, 413 over
 * `max`. What the bytes really are is the caller's to decide (lib/sniff.ts), never the declared type.
 */
export async function readUpload(c: Context<AppEnv>, field: string, max: number): Promise<{ bytes: Uint8Array; name: string }> {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "multipart/form-data") throw new ApiError("UnsupportedMediaType", `send the file as multipart/form-data in the field \`${field}\``);
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw invalid([{ path: `$.${field}`, message: "the multipart body could not be read" }]);
  }
  const file = form[field];
  if (!(file instanceof Blob)) throw invalid([{ path: `$.${field}`, message: `is required: a file in the multipart field \`${field}\`` }]);
  if (file.size > max) throw tooLarge(max, "the file");
  if (file.size === 0) throw invalid([{ path: `$.${field}`, message: "is empty" }]);
  const name = typeof (file as File).name === "string" ? (file as File).name : "";
  return { bytes: new Uint8Array(await file.arrayBuffer()), name };
}
