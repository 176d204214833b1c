import type { Queryable } from "@minsheng/db";
import type { Context, Hono, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv, Deps } from "../lib/context.js";
import { type ApiOperation, operationKey, routeKeys } from "../lib/operation.js";
import { etagOf, matchesIfNoneMatch, PUBLIC_PAGE_CACHE } from "../lib/http-cache.js";
import { securityHeaderRecord } from "../lib/security-headers.js";
import { publicBaseOf } from "../lib/public-url.js";
import { SITE_CODE } from "../sites/schemas.js";

export interface CachedPage {
  readonly text: string;
  readonly etag: string;
}

interface Entry extends CachedPage {
  gen: number;
  at: number;
}

/**
 * Public site pages as sent (JSON text and ETag), so a page that thousands of people open from one
 * QR code is computed once, not per scan. An entry is dropped when anything is written (any
 * successful POST/PUT/PATCH/DELETE: a figure verified, content published, a suggestion answered,
 * a rating) through this process or, on a server database, through any other instance on it
 * (`followOtherInstances`); it is fresh for `ttlMs`, which bounds how long a write goes unseen
 * should that news be lost (the listening connection down).
 *
 * After `ttlMs` a page is made again, but the old one is still sent (for up to `maxStaleMs`, the
 * minute the page's own Cache-Control already grants shared caches) until the new one is ready:
 * embedded PGlite answers nothing else while a bundle import holds it, and readers must not queue
 * behind that for a page the import does not even change. A write through this process still
 * drops every page at once, stale ones included.
 */
export class PublicPageCache {
  private gen = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly flights = new Map<string, { gen: number; page: Promise<CachedPage> }>();

  constructor(
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 5_000,
    private readonly clock: () => number = () => performance.now(),
    private readonly maxStaleMs = 60_000,
  ) {}

  /** Read before computing a page; `set` ignores a page computed across a write. */
  get generation(): number {
    return this.gen;
  }

  invalidate(): void {
    this.gen++;
    this.entries.clear();
  }

  /** A fresh page, or null. */
  get(key: string): CachedPage | null {
    const e = this.entries.get(key);
    if (!e) return null;
    const age = this.clock() - e.at;
    if (e.gen === this.gen && age <= this.ttlMs) return e;
    if (e.gen !== this.gen || age > this.maxStaleMs) this.entries.delete(key);
    return null;
  }

  /**
   * What may be sent right now without waiting: a fresh page, or a stale one whose replacement is
   * already being made. Null means: ask `page` (which starts the replacement, or makes the page).
   */
  current(key: string): CachedPage | null {
    const e = this.entries.get(key);
    if (!e || e.gen !== this.gen) return null;
    const age = this.clock() - e.at;
    if (age <= this.ttlMs) return e;
    return age <= this.maxStaleMs && this.flights.get(key)?.gen === this.gen ? e : null;
  }

  /**
   * The page for `key`: cached, or made once however many ask at the same moment (after a write
   * every reader of a popular page misses together; one of them computes it, the rest wait). A
   * stale page is answered at once while its replacement is made in the background.
   */
  page(key: string, make: () => Promise<string>): Promise<CachedPage> {
    const fresh = this.get(key);
    if (fresh) return Promise.resolve(fresh);
    const stale = this.entries.get(key);
    if (stale && stale.gen === this.gen && this.clock() - stale.at <= this.maxStaleMs) {
      // A failed remake (the site is gone, the database failed) drops the stale page: the next
      // reader makes it and gets the error.
      this.fly(key, make).catch(() => this.entries.get(key) === stale && this.entries.delete(key));
      return Promise.resolve(stale);
    }
    return this.fly(key, make);
  }

  private fly(key: string, make: () => Promise<string>): Promise<CachedPage> {
    const flying = this.flights.get(key);
    if (flying && flying.gen === this.gen) return flying.page;
    const gen = this.gen;
    const page = make()
      .then((text) => this.set(key, gen, text))
      .finally(() => {
        if (this.flights.get(key)?.page === page) this.flights.delete(key);
      });
    this.flights.set(key, { gen, page });
    return page;
  }

  set(key: string, generation: number, text: string): CachedPage {
    const page = { text, etag: etagOf(text) };
    if (generation !== this.gen) return page; // computed while something was written: do not keep it
    this.entries.delete(key); // re-inserted last: the oldest entry is the first one
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { ...page, gen: generation, at: this.clock() });
    return page;
  }
}

const caches = new WeakMap<Queryable, PublicPageCache>();

/** One cache per database (tests share one database across app instances). */
export function publicPageCache(db: Queryable): PublicPageCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new PublicPageCache()));
  return cache;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The notification channel on which instances sharing a server database announce their writes. */
const WRITES_CHANNEL = "minsheng_writes";

/**
 * Any write that succeeded may change a public page: start afresh, here and (on a server
 * database) in every other instance, told before this answer leaves. Refused writes (429 spam) do
 * not, nor do operations declared `keepsPublicPages` (a sign-in, a reporter's draft, upload or
 * submission: only verified figures reach a public page). On deadline day those are nearly every
 * write, and each one used to throw away every cached page in every instance.
 * `operations`: the app's operations (lib/operation.ts operationsOf), read once when first needed.
 */
export function invalidatePublicPagesOnWrite(operations: () => readonly ApiOperation[]): MiddlewareHandler<AppEnv> {
  let keeping: Set<string> | undefined;
  return async (c, next) => {
    await next();
    if (!UNSAFE.has(c.req.method) || c.res.status >= 400) return;
    keeping ??= new Set(operations().filter((o) => o.keepsPublicPages).map(operationKey));
    const answered = matchedRoutes(c)[c.req.routeIndex];
    if (answered && routeKeys([answered]).some((k) => keeping!.has(k))) return;
    const { db } = c.get("deps");
    publicPageCache(db).invalidate();
    // The write is done: failing to tell the others must not fail it (their pages expire after ttlMs).
    await db.notify?.(WRITES_CHANNEL).catch((e: unknown) => console.warn(`[cache] could not announce a write: ${e instanceof Error ? e.message : String(e)}`));
  };
}

/**
 * On a server database several instances may share: drops this process's caches (public pages,
 * the region tree) whenever another instance writes, and whenever listening (re)starts, since
 * writes made meanwhile were not heard. Nothing to do on the embedded database (one process).
 * Returns the stop.
 */
export function followOtherInstances(deps: Pick<Deps, "db" | "regions">, onListening?: () => void): () => Promise<void> {
  const drop = () => {
    publicPageCache(deps.db).invalidate();
    deps.regions.invalidate();
  };
  if (!deps.db.listen) return async () => {};
  return deps.db.listen(WRITES_CHANNEL, drop, () => {
    drop();
    onListening?.();
  });
}

/** The headers of a cached page's answer (ETag, cache policy), without the security headers. */
const cacheHeaders = (page: CachedPage) => ({ ETag: page.etag, "Cache-Control": PUBLIC_PAGE_CACHE, Vary: "Accept-Encoding, Origin" });

/** A cached page with its ETag and cache policy; 304 when the client holds this version. */
export function sendCachedPage(c: Context, page: CachedPage): Response {
  const headers = cacheHeaders(page);
  if (matchesIfNoneMatch(c.req.header("if-none-match"), page.etag)) return c.body(null, 304, headers);
  return c.body(page.text, 200, { ...headers, "Content-Type": "application/json; charset=UTF-8" });
}

// ---------------------------------------------------------------------------------------------
// The read path ahead of the router: a cached site page, answered before any middleware runs.

/** GET /api/v1/public/sites/{code}, exactly as the router matches it (sites/schemas.ts SiteCode). */
const PAGE_PATH_PREFIX = "/api/v1/public/sites/";
const SITE_PAGE = new RegExp(`^${PAGE_PATH_PREFIX}(${SITE_CODE})$`);

/** The complete header records of a cached page's 200 and 304, made once per page (and HSTS setting). */
const prepared = new WeakMap<CachedPage, { production: boolean; ok: Record<string, string>; notModified: Record<string, string> }>();

function answerHeaders(page: CachedPage, production: boolean) {
  let h = prepared.get(page);
  if (h?.production !== production) {
    // What the route and the security middleware together send; the path only picks the CSP.
    const path = `${PAGE_PATH_PREFIX}x`;
    const contentType = "application/json; charset=UTF-8";
    h = {
      production,
      ok: { ...cacheHeaders(page), "Content-Type": contentType, "Content-Length": String(Buffer.byteLength(page.text)), ...securityHeaderRecord(path, contentType, production) },
      notModified: { ...cacheHeaders(page), ...securityHeaderRecord(path, "", production) },
    };
    prepared.set(page, h);
  }
  return h;
}

/** What @hono/node-server passes as the environment: Node's parsed request headers. */
interface NodeEnv {
  incoming?: { headers?: Record<string, string | string[] | undefined> };
}

/**
 * A cached public site page, answered before routing and middleware: the most-read answer of the
 * whole API (every scan of a site's QR code) then costs a map look-up and a write, with the
 * security headers, ETag and body computed once per page. It has no use for what the middleware
 * does: no principal (it is public; a session cookie is not looked up, a Bearer token sends the
 * request the long way, where an invalid one is refused as before), no write, no CORS (a request
 * with an Origin header goes the long way too). Null when the request is anything else, or the
 * page is not cached (the route makes it); HEAD goes the long way.
 */
export function cachedPageAnswer(request: Request, env: unknown, deps: Deps): Response | null {
  if (request.method !== "GET") return null;
  const url = request.url;
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  if (pathStart < 0 || !url.startsWith(PAGE_PATH_PREFIX, pathStart)) return null;
  const query = url.indexOf("?", pathStart);
  const m = SITE_PAGE.exec(query < 0 ? url.slice(pathStart) : url.slice(pathStart, query));
  if (!m) return null;
  const nodeHeaders = (env as NodeEnv | undefined)?.incoming?.headers;
  const header = (name: string): string | undefined => {
    if (!nodeHeaders) return request.headers.get(name) ?? undefined;
    const v = nodeHeaders[name];
    return Array.isArray(v) ? v.join(", ") : v;
  };
  if (header("authorization") !== undefined || header("origin") !== undefined) return null;
  // The same key as the route's: the page's own URL, from PUBLIC_BASE_URL.
  const key = `${publicBaseOf(deps.config)}/p/${m[1]}`;
  const page = publicPageCache(deps.db).current(key);
  if (!page) return null;
  const headers = answerHeaders(page, deps.config.production);
  if (matchesIfNoneMatch(header("if-none-match"), page.etag)) return new Response(null, { status: 304, headers: headers.notModified });
  return new Response(page.text, { status: 200, headers: headers.ok });
}

/** Cached public site pages answered ahead of the app's router (see `cachedPageAnswer`). */
export function answerCachedPagesFirst(app: Pick<Hono<AppEnv>, "fetch">, deps: Deps): void {
  const route = app.fetch;
  app.fetch = (request, env, ctx) => cachedPageAnswer(request, env, deps) ?? route(request, env, ctx);
}
