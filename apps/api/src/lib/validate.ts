import { jsonPath, type Problem, zodIssueParams } from "@minsheng/domain";
import { validator } from "hono/validator";
import type { z } from "zod";
import { CodedError } from "./errors.js";

/** The 400 of a schema's problems (every field at fault listed). */
export const invalid = (problems: Problem[], message = "invalid input") => new CodedError("VALIDATION_FAILED", {}, message, problems);

/**
 * Every problem of a failed parse, at its JSON path; each carries zod's issue `code` (too_small,
 * invalid_type …) and its `params`, so the console can say it in Chinese without reading the English.
 */
export const problemsOf = (error: z.ZodError, root?: string): Problem[] =>
  error.issues.map((i) => ({ path: jsonPath(root ? [root, ...i.path] : i.path), message: i.message, code: i.code, params: zodIssueParams(i) }));

/**
 * Where the input holds the NUL character: PostgreSQL cannot store it in text (it would fail as a
 * server error), and no field of ours means it, so it is refused up front, by field.
 */
export function nulProblems(value: unknown, root: (string | number)[] = []): Problem[] {
  // Iterative with parent links: a body nested thousands deep must not overflow the stack.
  const nodes: { value: unknown; parent: number; key: string | number | null }[] = [{ value, parent: -1, key: null }];
  const pathOf = (i: number): (string | number)[] => {
    const out: (string | number)[] = [];
    for (let n = i; n > 0; n = nodes[n]!.parent) out.push(nodes[n]!.key!);
    return [...root, ...out.reverse()];
  };
  const problems: Problem[] = [];
  for (let i = 0; i < nodes.length && problems.length < 20; i++) {
    const v = nodes[i]!.value;
    if (typeof v === "string") {
      if (v.includes("\u0000")) problems.push({ path: jsonPath(pathOf(i)), message: "must not contain the NUL character (\\u0000)", code: "TEXT_HAS_NUL" });
    } else if (Array.isArray(v)) v.forEach((x, k) => nodes.push({ value: x, parent: i, key: k }));
    else if (v !== null && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (k.includes("\u0000")) problems.push({ path: jsonPath(pathOf(i)), message: "must not have a key containing the NUL character (\\u0000)", code: "TEXT_HAS_NUL" });
        nodes.push({ value: x, parent: i, key: k });
      }
  }
  return problems;
}

/** Parses with a schema or throws a 400 that names every field and why. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, root?: string): z.infer<S> {
  const nul = nulProblems(value, root ? [root] : []);
  if (nul.length > 0) throw invalid(nul);
  const r = schema.safeParse(value);
  if (!r.success) throw invalid(problemsOf(r.error, root));
  return r.data;
}

/** Validates the JSON body with a (domain) schema; a body that is not JSON is a 400 too. */
export const jsonBody = <S extends z.ZodType>(schema: S) =>
  validator("json", (value): z.infer<S> => parseOr400(schema, value));

/** Validates the query string. */
export const queryOf = <S extends z.ZodType>(schema: S) =>
  validator("query", (value): z.infer<S> => parseOr400(schema, value, "query"));

/** Validates path parameters. */
export const paramsOf = <S extends z.ZodType>(schema: S) =>
  validator("param", (value): z.infer<S> => parseOr400(schema, value, "params"));
