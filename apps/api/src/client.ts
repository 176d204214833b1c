import { hc } from "hono/client";
import type { z } from "zod";
import type { App } from "./app.js";
import type { ErrorBody } from "./lib/operation.js";
import type { FeedbackBody as FeedbackBodySchema } from "./public/routes.js";

/**
 * Typed client of the API for the two web apps (`@minsheng/api/client`), built on `hono/client`:
 * paths, params, query, bodies and the JSON of success answers are typed from the routes
 * themselves (errors answer `{ error: { code, message, params, problems } }`, see openapi.json).
 *
 *   const api = createClient("https://minsheng.example");    // in a page: createClient(location.origin)
 *   await api.auth.login.$post({ json: { username, password } });
 *   const res = await api.plans[":planId"].progress.$get({ param: { planId: "hn2024" }, query: { period: "2024-09", region: "430500" } });
 *   if (res.ok) (await res.json()).counts.completed;
 *
 * The session cookie travels with every call (`credentials: "include"`), so a web app served from
 * another allowed origin works too. Pass `fetch` to run against anything fetch-shaped, such as
 * `app.request` in tests. Only types come from the server code: at run time this is hono/client.
 */
export function createClient(baseUrl: string, fetch?: typeof globalThis.fetch) {
  return hc<App>(baseUrl, { ...(fetch ? { fetch } : {}), init: { credentials: "include" } }).api.v1;
}

export type ApiClient = ReturnType<typeof createClient>;

/** Every error answer: `{ error: { code, message, problems, …params } }` (lib/operation.ts ErrorBody). */
export type ErrorAnswer = z.output<typeof ErrorBody>;

/**
 * The body of leaveFeedback (JSON, or the same fields as multipart/form-data with an optional
 * `photo`). Its handler reads and tidies the body itself, so hc types no body for it: a caller
 * types what it sends with this, the declared schema's input.
 */
export type FeedbackBody = z.input<typeof FeedbackBodySchema>;
