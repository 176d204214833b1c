import { createHash } from "node:crypto";
import type { Context } from "hono";

/** The cache policy of the public pages: shared caches may keep them a minute. */
export const PUBLIC_PAGE_CACHE = "public, max-age=60";
/** Ticket look-ups are one citizen's business: never stored anywhere. */
export const NO_STORE = "no-store";

/** A strong entity tag of the bytes sent. */
export const etagOf = (bytes: string | Uint8Array): string => `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 32)}"`;

/** Whether If-None-Match names this tag (or any: "*"); weak tags compare by their value. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag.replace(/^W\//, "") === etag;
  });
}

/**
 * JSON with an ETag (hash of the body) and a Cache-Control policy; 304 with no body when the
 * client already holds this version.
 */
export function cachedJson(c: Context, body: unknown, cacheControl: string): Response {
  const text = JSON.stringify(body);
  const etag = etagOf(text);
  // Origin: the public answers carry CORS headers only for cross-origin callers.
  const headers = { ETag: etag, "Cache-Control": cacheControl, Vary: "Accept-Encoding, Origin" };
  if (matchesIfNoneMatch(c.req.header("if-none-match"), etag)) return c.body(null, 304, headers);
  return c.body(text, 200, { ...headers, "Content-Type": "application/json; charset=UTF-8" });
}
