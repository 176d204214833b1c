import { isConnectionError } from "@minsheng/db";
import { type ErrorCode, type ErrorParams, errorCodes, errorText, type Problem } from "@minsheng/domain";
import { reportStateLabel } from "@minsheng/domain/labels";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

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

  /**
   * Names the field at fault (a JSON path such as `$.userId`), so a form can mark it. The problem
   * carries the error's code and parameters, so the console says it in Chinese whatever `message`
   * (English, for integrators) says.
   */
  at(path: string, message: string = this.message): this {
    this.problems = [...this.problems, { path, message, code: this.code, params: this.params }];
    return this;
  }
}

type ParamsArg<C extends ErrorCode> = keyof ErrorParams<C> extends never ? [params?: ErrorParams<C>] : [params: ErrorParams<C>];

/** `throw fail("TOKEN_NOT_FOUND", { id })`: the error of that code. */
export const fail = <C extends ErrorCode>(code: C, ...[params]: ParamsArg<C>) => new CodedError(code, (params ?? {}) as ErrorParams<C>);
/** The same with field problems (400s): `throw failWith("VALIDATION_FAILED", {}, problems)`. */
export const failWith = <C extends ErrorCode>(code: C, params: ErrorParams<C>, problems: ReadonlyArray<Problem>, message?: string) => new CodedError(code, params, message, problems);

/** A problem's code and parameters (a problem of a list, not one error's `.at`): `{ path, message, ...coded("IMPORT_VALUE_EMPTY") }`. */
export const coded = <C extends ErrorCode>(code: C, ...[params]: ParamsArg<C>): { code: C; params: Readonly<Record<string, unknown>> } => ({ code, params: params ?? {} });

/** What a review action is called in the answer's Chinese text (the domain's action names are English). */
const reviewActionText: Record<string, string> = { submit: "提交", verify: "核验通过", reduce: "核减", return: "退回", reopen: "重新打开" };

/**
 * A tagged error of the domain's rules (@minsheng/domain errors.ts), or the sealing's KeyMismatch,
 * as the error of the table it answers with; null for anything else.
 */
function codedOf(err: unknown): CodedError | null {
  const tag = typeof err === "object" && err !== null ? (err as { _tag?: unknown })._tag : undefined;
  if (typeof tag !== "string") return null;
  const e = err as Error & Record<string, unknown>;
  const problems = (e.problems as ReadonlyArray<Problem> | undefined) ?? [];
  switch (tag) {
    case "BundleInvalid":
      return new CodedError("BUNDLE_INVALID", { count: problems.length }, e.message, problems);
    case "InvalidInput":
      return new CodedError("VALIDATION_FAILED", {}, e.message, problems);
    case "UnknownRegion":
      return new CodedError("UNKNOWN_REGION", { region: String(e.region) }, e.message);
    case "UnknownPlan":
      return new CodedError("PLAN_NOT_FOUND", { id: String(e.plan) }, e.message);
    case "TransitionNotAllowed": {
      const from = String(e.from);
      const action = String(e.action);
      const params = { from: (reportStateLabel as Record<string, string>)[from] ?? from, action: reviewActionText[action] ?? action };
      return new CodedError("REPORT_TRANSITION_NOT_ALLOWED", params, e.message, [], { from, action });
    }
    case "KeyMismatch":
      return new CodedError("KEY_MISMATCH", {}, e.message);
    default:
      return null;
  }
}

/** The generic code of a status Hono itself refused a request with (a malformed body, a wrong content type). */
const codeOfStatus = (status: number) => (status === 415 ? ("UNSUPPORTED_MEDIA_TYPE" as const) : ("BAD_REQUEST" as const));

/** The body of every error answer: `{ error: { code, message, params, problems: [{ path, message, code?, params? }] } }`, its status the table's. */
export function errorResponse(c: Context, err: unknown): Response {
  const coded = err instanceof CodedError ? err : codedOf(err);
  if (coded) {
    const status = errorCodes[coded.code as ErrorCode].status as ContentfulStatusCode;
    return c.json({ error: { code: coded.code, message: coded.message.split("\n")[0], params: coded.params, problems: coded.problems, ...coded.extra } }, status);
  }
  if (isConnectionError(err)) {
    console.warn(`[api] database unavailable: ${(err as Error).message}`);
    c.header("Retry-After", "1");
    return errorResponse(c, new CodedError("DATABASE_UNAVAILABLE", {}, "the database connection failed; try again"));
  }
  // Bodies the parser could not read are the client's fault, not ours.
  if (err instanceof SyntaxError) return errorResponse(c, new CodedError("BAD_REQUEST", {}, "body is not valid JSON", [{ path: "$", message: err.message, code: "BAD_REQUEST" }]));
  const status = (err as { status?: unknown })?.status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // Hono's own refusals (e.g. a malformed JSON body) concern the body as a whole: say so at "$".
    const message = (err as Error).message || "bad request";
    const code = codeOfStatus(status);
    return errorResponse(c, new CodedError(code, {}, message, code === "BAD_REQUEST" ? [{ path: "$", message, code }] : []));
  }
  console.error("[api] unexpected error", err);
  return errorResponse(c, new CodedError("INTERNAL", {}, "internal error"));
}
