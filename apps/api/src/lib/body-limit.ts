import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "./context.js";
import { CodedError, errorResponse } from "./errors.js";

/**
 * Request body limits on every route, enforced while the body streams: a declared Content-Length
 * over the limit is refused (413) before a byte is read, and a body without one (chunked) is
 * counted as the route reads it and cut off at the limit. Nothing is buffered ahead of the route,
 * so its permission checks run before an upload is read, and one slow or huge body holds up no
 * other request.
 */

/** Every JSON body of the API (forms, edits, a bulletin draft of 7 × 20,000 characters, 10,000 targets) fits in this. */
export const MAX_JSON_BYTES = 1024 * 1024;

export const humanSize = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MB` : bytes >= 1024 ? `${+(bytes / 1024).toFixed(1)} KB` : `${bytes} bytes`;

/** Multipart framing (boundaries, part headers, small fields) on top of the largest file a route accepts. */
export const MULTIPART_OVERHEAD = 64 * 1024;

export const tooLarge = (max: number, what: string) => new CodedError("PAYLOAD_TOO_LARGE", { limit: humanSize(max) }, `${what} is larger than the limit of ${humanSize(max)}`);

/** A route's own limit, declared on it with `acceptsBody` and applied by `limitBodies`. */
interface BodyAllowance {
  /** the limit the 413 names, bytes (from the configuration) */
  max: (c: Context<AppEnv>) => number;
  /** what the body is, for the 413's message: "the file", "the workbook" */
  what: string;
  /** bytes allowed on top of `max` (multipart framing) */
  overhead: number;
}

const ALLOWANCE = Symbol("bodyAllowance");
type Declared = MiddlewareHandler<AppEnv> & { [ALLOWANCE]?: BodyAllowance; __COMPOSED_HANDLER?: Declared };

/**
 * Declares that a route takes a body larger than a JSON form (an upload, a bundle): `max` bytes
 * (plus `overhead`, e.g. MULTIPART_OVERHEAD for a file sent as multipart/form-data).
 * It does nothing itself; `limitBodies`, ahead of the router's handlers, finds it among the
 * matched routes and enforces it instead of MAX_JSON_BYTES.
 */
export function acceptsBody(max: BodyAllowance["max"], what: string, overhead = 0): MiddlewareHandler<AppEnv> {
  const declared: Declared = (_c, next) => next();
  declared[ALLOWANCE] = { max, what, overhead };
  return declared;
}

const allowanceOf = (c: Context<AppEnv>): BodyAllowance | null => {
  for (const { handler } of matchedRoutes(c)) {
    // a sub-app with its own error handler wraps each handler (hono's route()); look inside
    for (let h: Declared | undefined = handler as Declared; h; h = h.__COMPOSED_HANDLER) if (h[ALLOWANCE]) return h[ALLOWANCE];
  }
  return null;
};

/** Uploads of evidence and content files: up to the configured upload limit (enforced as the body streams). */
export const uploadLimit = acceptsBody((c) => c.get("deps").config.maxUploadBytes, "the file", MULTIPART_OVERHEAD);

/** The app-wide middleware: the route's declared limit, else MAX_JSON_BYTES, on every request with a body. */
export const limitBodies: MiddlewareHandler<AppEnv> = async (c, next) => {
  const raw = c.req.raw;
  if (!raw.body) return next();
  const allowance = allowanceOf(c);
  const named = allowance ? allowance.max(c) : MAX_JSON_BYTES;
  const max = named + (allowance?.overhead ?? 0);
  const refusal = () => tooLarge(named, allowance?.what ?? "the request body");
  const declared = raw.headers.get("content-length");
  if (declared !== null && !raw.headers.has("transfer-encoding")) {
    if (Number(declared) > max) throw refusal();
    // the HTTP parser reads no more than a declared length: nothing to count
    if (/^\d+$/.test(declared)) return next();
  }
  let seen = 0;
  let overflowed = false;
  const counted = raw.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen <= max) return controller.enqueue(chunk);
        overflowed = true;
        controller.error(refusal());
      },
    }),
  );
  c.req.raw = new Request(raw, { body: counted, duplex: "half" } as RequestInit);
  await next();
  // The route saw a failed read (a JSON parser says "malformed", a form parser "unreadable"): the real answer is 413.
  if (overflowed && c.res.status !== 413) {
    c.res = undefined;
    c.res = errorResponse(c, refusal());
  }
};
