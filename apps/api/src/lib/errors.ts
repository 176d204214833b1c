import { isConnectionError } from "@minsheng/db";
import { type ErrorCode, type ErrorParams, errorCodes, errorText, type Problem } from "@minsheng/domain";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Every error the API answers with, by tag. The one table that maps errors to HTTP statuses:
 * domain errors (BundleInvalid, UnknownRegion …) and the API's own (NotFound, Forbidden …).
 */
export const statusOfError: Record<string, ContentfulStatusCode> = {
  // input
  ValidationFailed: 400,
  InvalidInput: 400,
  BundleInvalid: 400,
  UnknownRegion: 400,
  UnknownPlan: 404,
  TransitionNotAllowed: 409,
  // identity and access
  Unauthenticated: 401,
  Forbidden: 403,
  CsrfRejected: 403,
  AccountLocked: 423,
  // state
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
  // a sealed value (phone number, two-factor secret) that this server's key does not open: another instance's key
  KeyMismatch: 409,
  // the database connection failed (server restart, terminated connection): try again
  DatabaseUnavailable: 503,
};

/** An error the API raises itself; `_tag` picks the status from the table above. */
export class ApiError extends Error {
  constructor(
    readonly _tag: keyof typeof statusOfError,
    message: string,
    readonly problems: ReadonlyArray<Problem> = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = _tag;
  }
}

/**
 * An error of the error table (@minsheng/domain error-codes): its own code, typed parameters, the
 * status the table gives it. `message` is an English detail for integrators; without one the
 * answer carries the Chinese text.
 */
export class CodedError<C extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly code: C,
    readonly params: ErrorParams<C>,
    message?: string,
    public problems: ReadonlyArray<Problem> = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message ?? errorText(code, params) ?? code);
    this.name = code;
  }

  /** Names the field at fault (a JSON path such as `$.userId`), so a form can mark it. */
  at(path: string, message: string = this.message): this {
    this.problems = [...this.problems, { path, message }];
    return this;
  }
}

type ParamsArg<C extends ErrorCode> = keyof ErrorParams<C> extends never ? [params?: ErrorParams<C>] : [params: ErrorParams<C>];

/** `throw fail("TOKEN_NOT_FOUND", { id })`: the error of that code. */
export const fail = <C extends ErrorCode>(code: C, ...[params]: ParamsArg<C>) => new CodedError(code, (params ?? {}) as ErrorParams<C>);
/** The same with field problems (400s): `throw failWith("VALIDATION_FAILED", {}, problems)`. */
export const failWith = <C extends ErrorCode>(code: C, params: ErrorParams<C>, problems: ReadonlyArray<Problem>, message?: string) => new CodedError(code, params, message, problems);

export const notFound = (what: string) => new ApiError("NotFound", `${what} not found`);
export const forbidden = (why = "not allowed for your role or region") => new ApiError("Forbidden", why);
export const conflict = (why: string, extra: Record<string, unknown> = {}) => new ApiError("Conflict", why, [], extra);
export const invalid = (problems: Problem[], message = "invalid input") => new ApiError("ValidationFailed", message, problems);

interface TaggedLike {
  _tag: string;
  message: string;
  problems?: ReadonlyArray<Problem>;
}

const isTagged = (e: unknown): e is TaggedLike =>
  typeof e === "object" && e !== null && typeof (e as { _tag?: unknown })._tag === "string" && (e as { _tag: string })._tag in statusOfError;

/** The body of every error answer: `{ error: { code, message, problems: [{path, message}] } }`. */
export function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof CodedError) {
    const status = errorCodes[err.code as ErrorCode].status as ContentfulStatusCode;
    return c.json({ error: { code: err.code, message: err.message.split("\n")[0], params: err.params, problems: err.problems, ...err.extra } }, status);
  }
  if (isTagged(err)) {
    const status = statusOfError[err._tag]!;
    const problems = err.problems ?? [];
    const extra = err instanceof ApiError ? err.extra : {};
    return c.json({ error: { code: err._tag, message: err.message.split("\n")[0], problems, ...extra } }, status);
  }
  if (isConnectionError(err)) {
    console.warn(`[api] database unavailable: ${(err as Error).message}`);
    c.header("Retry-After", "1");
    return c.json({ error: { code: "DatabaseUnavailable", message: "数据库暂时不可用，请稍后重试 (the database connection failed; try again)", problems: [] } }, 503);
  }
  // Bodies the parser could not read are the client's fault, not ours.
  if (err instanceof SyntaxError) return c.json({ error: { code: "ValidationFailed", message: "body is not valid JSON", problems: [{ path: "$", message: err.message }] } }, 400);
  const status = (err as { status?: unknown })?.status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // Hono's own refusals (e.g. a malformed JSON body) concern the body as a whole: say so at "$".
    const message = (err as Error).message || "bad request";
    return c.json({ error: { code: "BadRequest", message, problems: status === 400 ? [{ path: "$", message }] : [] } }, status as ContentfulStatusCode);
  }
  console.error("[api] unexpected error", err);
  return c.json({ error: { code: "Internal", message: "internal error", problems: [] } }, 500);
}
