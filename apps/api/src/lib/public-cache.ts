import type { Queryable } from "@minsheng/db";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.js";
import { etagOf, matchesIfNoneMatch } from "./http-cache.js";

export interface CachedPage {
  text: string;
  etag: string;
}

/**
 * Public site pages as sent (JSON text and ETag), so a page that thousands of people open from one
 * QR code is computed once, not per scan. An entry is dropped when anything is written through
 * this process (any successful POST/PUT/PATCH/DELETE: a figure verified, content published, a
 * suggestion answered, a rating) and is kept at most `ttlMs`, which bounds how long a write made by
 * another process on the same database goes unseen — shorter than the minute the page's own
 * Cache-Control already grants shared caches.
 */
export class PublicPageCache {
  private gen = 0;
  private readonly entries = new Map<string, CachedPage & { gen: number; at: number }>();
  private readonly flights = new Map<string, { gen: number; page: Promise<CachedPage> }>();

  constructor(
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 5_000,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Read before computing a page; `set` ignores a page computed across a write. */
  get generation(): number {
    return this.gen;
  }

  invalidate(): void {
    this.gen++;
    this.entries.clear();
  }

  get(key: string): CachedPage | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.gen !== this.gen || this.clock() - e.at > this.ttlMs) {
      this.entries.delete(key);
      return null;
    }
    return e;
  }

  /**
   * The page for `key`: cached, or made once however many ask at the same moment (after a write
   * every reader of a popular page misses together; one of them computes it, the rest wait).
   */
  page(key: string, make: () => Promise<string>): Promise<CachedPage> {
    const hit = this.get(key);
    if (hit) return Promise.resolve(hit);
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

/** Any write that succeeded may change a public page: start afresh. Refused writes (429 spam) do not. */
export const invalidatePublicPagesOnWrite: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (UNSAFE.has(c.req.method) && c.res.status < 400) publicPageCache(c.get("deps").db).invalidate();
};

/** A cached page with its ETag and cache policy; 304 when the client holds this version. */
export function sendCachedPage(c: Context, page: CachedPage, cacheControl: string): Response {
  const headers = { ETag: page.etag, "Cache-Control": cacheControl, Vary: "Accept-Encoding, Origin" };
  if (matchesIfNoneMatch(c.req.header("if-none-match"), page.etag)) return c.body(null, 304, headers);
  return c.body(page.text, 200, { ...headers, "Content-Type": "application/json; charset=UTF-8" });
}
