import { describe, expect, it } from "vitest";
import { PublicPageCache } from "./public-cache.js";

describe("the public page cache", () => {
  it("keeps a page until a write or its time is up", () => {
    let now = 0;
    const cache = new PublicPageCache(5_000, 10, () => now);
    const page = cache.set("a", cache.generation, '{"x":1}');
    expect(page.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(cache.get("a")).toMatchObject({ text: '{"x":1}', etag: page.etag });
    now = 5_001;
    expect(cache.get("a")).toBeNull();
    cache.set("a", cache.generation, '{"x":2}');
    expect(cache.get("a")?.text).toBe('{"x":2}');
    cache.invalidate();
    expect(cache.get("a")).toBeNull();
  });

  it("does not keep a page computed while something was written", () => {
    const cache = new PublicPageCache();
    const before = cache.generation;
    cache.invalidate(); // a write lands while the page is being computed
    const page = cache.set("a", before, '{"old":true}');
    expect(page.text).toBe('{"old":true}'); // still sent to this caller…
    expect(cache.get("a")).toBeNull(); // …but not to the next
  });

  it("stays bounded", () => {
    const cache = new PublicPageCache(5_000, 3);
    for (const k of ["a", "b", "c", "d"]) cache.set(k, cache.generation, k);
    expect(cache.get("a")).toBeNull();
    expect(cache.get("d")?.text).toBe("d");
  });

  it("makes a missing page once for everyone asking at the same moment, and afresh after a write", async () => {
    const cache = new PublicPageCache();
    let made = 0;
    let release!: () => void;
    const gate = new Promise<void>((done) => (release = done));
    const make = async () => {
      made++;
      await gate;
      return `{"v":${made}}`;
    };
    const waiting = Array.from({ length: 20 }, () => cache.page("a", make));
    release();
    const pages = await Promise.all(waiting);
    expect(made).toBe(1);
    expect(new Set(pages.map((p) => p.text))).toEqual(new Set(['{"v":1}']));
    expect((await cache.page("a", make)).text).toBe('{"v":1}'); // cached now
    cache.invalidate();
    expect((await cache.page("a", make)).text).toBe('{"v":2}');
    // a failure reaches everyone waiting and is not kept
    const failing = () => Promise.reject(new Error("no such site"));
    cache.invalidate();
    await expect(Promise.all([cache.page("b", failing), cache.page("b", failing)])).rejects.toThrow("no such site");
    expect(cache.get("b")).toBeNull();
  });

  it("answers a stale page at once while its replacement is made, then the new one", async () => {
    let now = 0;
    const cache = new PublicPageCache(5_000, 10, () => now, 60_000);
    await cache.page("a", async () => '{"v":1}');
    now = 6_000; // past its time
    expect(cache.get("a")).toBeNull();
    expect(cache.current("a")).toBeNull(); // nobody is making it yet: ask `page`
    let release!: (text: string) => void;
    const making = new Promise<string>((done) => (release = done));
    let made = 0;
    const make = () => (made++, making);
    expect((await cache.page("a", make)).text).toBe('{"v":1}'); // not waiting for the database
    expect(cache.current("a")?.text).toBe('{"v":1}'); // being made: the old one may be sent
    expect((await cache.page("a", make)).text).toBe('{"v":1}');
    expect(made).toBe(1);
    release('{"v":2}');
    await new Promise((done) => setTimeout(done, 0));
    expect(cache.get("a")?.text).toBe('{"v":2}');
    // never older than maxStaleMs, and never after a write through this process
    now = 6_000 + 61_000;
    expect(cache.current("a")).toBeNull();
    const waited = cache.page("a", async () => '{"v":3}');
    expect((await waited).text).toBe('{"v":3}');
    now += 6_000;
    cache.invalidate();
    expect((await cache.page("a", async () => '{"v":4}')).text).toBe('{"v":4}');
  });

  it("drops a stale page whose replacement failed, so the next reader gets the error", async () => {
    let now = 0;
    const cache = new PublicPageCache(5_000, 10, () => now);
    await cache.page("a", async () => "{}");
    now = 6_000;
    expect((await cache.page("a", () => Promise.reject(new Error("no such site")))).text).toBe("{}");
    await new Promise((done) => setTimeout(done, 0));
    await expect(cache.page("a", () => Promise.reject(new Error("no such site")))).rejects.toThrow("no such site");
  });
});
