import type { ApiClient, ErrorAnswer, FeedbackBody } from "@minsheng/api/client";
import type { InferRequestType, InferResponseType } from "hono/client";

/**
 * The public API of 码上通 (GET/POST under /api/v1/public). Every type here is the typed client's
 * (`@minsheng/api/client`, hono/client over the operations' zod schemas): routes, parameters,
 * bodies and answers. At run time it is `fetch` and a few lines, not hc: hc cost the page 1.9 KB
 * of its 15.7 KB (gzip) for cookies, WebSockets and a Proxy it never uses.
 * No sign-in; every call is same-origin when the site is served by the API server.
 */

type Public = ApiClient["public"];
type SiteRoute = Public["sites"][":code"];
type SitesRoute = Public["sites"];
type TicketRoute = Public["tickets"][":ticket"];
type FeedbackRoute = SiteRoute["feedback"];
type RatingRoute = SiteRoute["rating"];

/** A site's public page (GET /sites/:code). */
export type SiteView = InferResponseType<SiteRoute["$get"], 200>;
/** A page of sites with the browse page's choices (GET /sites). */
export type SiteList = InferResponseType<SitesRoute["$get"], 200>;
export type SiteQuery = InferRequestType<SitesRoute["$get"]>["query"];
export type SiteSummary = SiteList["sites"][number];
/** every region and item that has a site, whatever the query */
export type SiteFacets = SiteList["facets"];
export type TicketView = InferResponseType<TicketRoute["$get"], 200>;
/** The ticket a suggestion gets (POST /sites/:code/feedback). */
export type Created = InferResponseType<FeedbackRoute["$post"], 201>;
export type Rated = InferResponseType<RatingRoute["$post"], 201>;

export type SiteProgress = SiteView["progress"];
export type SiteIndicator = SiteProgress["indicators"][number];
/** 已完成 / 按序时推进 / 未达序时 (the domain's Status) */
export type Status = NonNullable<SiteProgress["status"]>;
export type FileRef = SiteView["policies"][number]["files"][number];
export type Satisfaction = SiteView["satisfaction"];
export type Rating = InferRequestType<RatingRoute["$post"]>["json"]["rating"];
export type FeedbackKind = FeedbackBody["kind"];
export type FeedbackState = TicketView["state"];
export type Problem = ErrorAnswer["error"]["problems"][number];

/** An error answer: `{ error: { code, message, problems, ...extra } }` with its HTTP status. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
    readonly extra: Record<string, unknown> = {},
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

const BASE = (import.meta.env?.VITE_API_BASE as string | undefined) ?? "";

/** A route's path as the client declares it: `"/api/v1/public/sites/:code"`. */
type PathOf<R extends { $path: (...args: never) => string }> = ReturnType<R["$path"]>;
/** The parameters a path names: `{ code: string }` for `…/sites/:code/feedback`. */
type ParamsOf<P extends string> = P extends `${string}/:${infer Name}/${infer Rest}` ? Record<Name, string> & ParamsOf<`/${Rest}`> : P extends `${string}/:${infer Name}` ? Record<Name, string> : Record<never, never>;

/**
 * The URL of route R: its path as the client declares it (so a path the API does not have, or a
 * parameter it does not name, does not compile), with each parameter filled in, encoded.
 */
export function url<R extends { $path: (...args: never) => string }>(path: PathOf<R>, param: ParamsOf<PathOf<R>>, query?: string): string;
export function url(path: string, param: Record<string, string>, query = ""): string {
  return BASE + path.replace(/:(\w+)/g, (_: string, name: string) => encodeURIComponent(param[name] ?? "")) + query;
}

const isErrorAnswer = (body: unknown): body is ErrorAnswer =>
  typeof body === "object" && body !== null && "error" in body && typeof body.error === "object" && body.error !== null;

/** The answer of endpoint E (the client's `$get`/`$post`), or an ApiProblem: status 0 when the network failed, else the server's. */
export async function call<E>(href: string, init?: RequestInit): Promise<InferResponseType<E, 200 | 201>> {
  let res: Response;
  try {
    // GETs carry no extra headers so they match the page's `Link: rel=preload` of the same URL.
    res = await fetch(href, init);
  } catch {
    throw new ApiProblem(0, "Network", "网络连接失败，请检查网络后重试");
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const { code, message, problems, ...extra } = isErrorAnswer(body) ? body.error : { code: undefined, message: undefined, problems: undefined };
    const ra = Number(res.headers.get("Retry-After"));
    throw new ApiProblem(res.status, code ?? "Http", message ?? `HTTP ${res.status}`, problems ?? [], extra, Number.isFinite(ra) && ra > 0 ? ra : null);
  }
  // the answer as the operation's success schema declares it (the API's tests hold it to that)
  return body as InferResponseType<E, 200 | 201>;
}

const postJson = (body: unknown): RequestInit => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

export const getSite = (code: string) => call<SiteRoute["$get"]>(url<SiteRoute>("/api/v1/public/sites/:code", { code }));

export function listSites(q: SiteQuery) {
  // blank choices are left out of the URL (the API refuses a blank region or name, it does not mean "any")
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return call<SitesRoute["$get"]>(url<SitesRoute>("/api/v1/public/sites", {}, s ? `?${s}` : ""));
}

export const getTicket = (ticket: string) => call<TicketRoute["$get"]>(url<TicketRoute>("/api/v1/public/tickets/:ticket", { ticket }));

export type FeedbackInput = FeedbackBody & { photo?: File | null };

/**
 * JSON, or multipart/form-data with the same fields when a photo is attached. The operation's
 * handler reads either body itself, so the client has no body type for it: the fields are typed
 * by its declared schema (FeedbackBody), the answer by the client.
 */
export function sendFeedback(code: string, { photo, ...input }: FeedbackInput) {
  const body: FeedbackBody = { kind: input.kind, text: input.text };
  if (input.phone) body.phone = input.phone;
  const href = url<FeedbackRoute>("/api/v1/public/sites/:code/feedback", { code });
  if (!photo) return call<FeedbackRoute["$post"]>(href, postJson(body));
  const form = new FormData();
  for (const [k, v] of Object.entries(body)) form.set(k, v);
  form.set("photo", photo);
  return call<FeedbackRoute["$post"]>(href, { method: "POST", body: form });
}

export const sendRating = (code: string, rating: Rating) => {
  const json: InferRequestType<RatingRoute["$post"]>["json"] = { rating };
  return call<RatingRoute["$post"]>(url<RatingRoute>("/api/v1/public/sites/:code/rating", { code }), postJson(json));
};
