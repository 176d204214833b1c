/** The web apps served beside the API: precompressed assets, preload hints, server-rendered pages. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { Hono } from "hono";
import { afterAll, describe, expect, it, vi } from "vitest";
import { currentFile, injectRendered, mountStaticApps, publicSitePreload, type RenderedPage } from "../src/lib/static-apps.js";

const SHELL = '<!doctype html><html><head><title>码上通</title></head><body><div id="root"></div></body></html>';
const dir = mkdtempSync(join(tmpdir(), "ms-static-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function site(render?: (path: string, origin: string) => Promise<RenderedPage | null>) {
  mkdirSync(join(dir, "assets"), { recursive: true });
  writeFileSync(join(dir, "index.html"), SHELL);
  const js = Buffer.from(`console.log(${JSON.stringify("码上通".repeat(500))});`);
  writeFileSync(join(dir, "assets", "app.js"), js);
  writeFileSync(join(dir, "assets", "app.js.gz"), gzipSync(js));
  writeFileSync(join(dir, "assets", "app.js.br"), brotliCompressSync(js));
  const app = new Hono();
  mountStaticApps(app, [{ prefix: "", dir, preload: publicSitePreload, render }]);
  return { app, js };
}

describe("static apps", () => {
  it("sends the precompressed asset the browser accepts, and the plain one otherwise", async () => {
    const { app, js } = site();
    const br = await app.request("/assets/app.js", { headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(br.headers.get("content-type")).toMatch(/javascript/);
    expect(br.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(Number(br.headers.get("content-length"))).toBeLessThan(js.length / 4);
    const gz = await app.request("/assets/app.js", { headers: { "accept-encoding": "gzip" } });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    const plain = await app.request("/assets/app.js");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(Buffer.from(await plain.arrayBuffer()).equals(js)).toBe(true);
  });

  it("hints a project page's JSON with the shell (Link: rel=preload) and nothing elsewhere", async () => {
    const { app } = site();
    const page = await app.request("/p/bhmsxdk5");
    expect(await page.text()).toBe(SHELL);
    expect(page.headers.get("link")).toBe("</api/v1/public/sites/BHMSXDK5>; rel=preload; as=fetch; crossorigin=anonymous");
    expect((await app.request("/s/0A1B2C3D4E5F")).headers.get("link")).toBeNull();
    expect(publicSitePreload("/p/not-a-code")).toEqual([]);
    expect(publicSitePreload("/p/BHMSXDK5/")).toEqual(["/api/v1/public/sites/BHMSXDK5"]);
  });

  it("sends a server-rendered page when the renderer has one, the plain shell when it fails or has none", async () => {
    const render = vi.fn<(path: string) => Promise<{ title: string; root: string; data: { code: string } } | null>>(async (path: string) => {
      if (path === "/p/BROKEN00") throw new Error("renderer broke");
      return path === "/p/BHMSXDK5" ? { title: "托育 · 码上通", root: "<h1>托育</h1>", data: { code: "BHMSXDK5" } } : null;
    });
    const { app } = site(render);
    const page = await app.request("http://127.0.0.1:8787/p/BHMSXDK5");
    const html = await page.text();
    expect(html).toContain('<div id="root"><h1>托育</h1></div><script type="application/json" id="ms-data">{"code":"BHMSXDK5"}</script>');
    expect(html).toContain("<title>托育 · 码上通</title>");
    expect(render).toHaveBeenCalledWith("/p/BHMSXDK5", "http://127.0.0.1:8787");
    expect(page.headers.get("link")).toBeNull(); // the data is in the page already
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await (await app.request("/p/BROKEN00")).text()).toBe(SHELL);
    expect(errors).toHaveBeenCalledOnce();
    errors.mockRestore();
    expect(await (await app.request("/")).text()).toBe(SHELL);
  });
});

describe("an app rebuilt under a running server", () => {
  const build = (d: string, name: string) => {
    mkdirSync(join(d, "assets"), { recursive: true });
    writeFileSync(join(d, "assets", `${name}.js`), `console.log("${name}")`);
    writeFileSync(join(d, "index.html"), `<!doctype html><html><head><title>控制台</title><script type="module" src="/admin/assets/${name}.js"></script></head><body><div id="root"></div></body></html>`);
  };
  const page = async (app: Hono, path = "/admin/plans") => {
    const res = await app.request(path);
    return { status: res.status, cache: res.headers.get("cache-control"), retry: res.headers.get("retry-after"), text: await res.text() };
  };

  it("serves the new build's page at the next load, without a restart, always revalidated", async () => {
    const d = mkdtempSync(join(tmpdir(), "ms-rebuild-"));
    try {
      build(d, "index-AAAA1111");
      const app = new Hono();
      expect(mountStaticApps(app, [{ prefix: "/admin", dir: d }])).toEqual(["/admin"]);
      const first = await page(app);
      expect(first).toMatchObject({ status: 200, cache: "no-cache" });
      expect(first.text).toContain("index-AAAA1111.js");

      // Vite empties the folder first: no page for a moment, and nothing anyone may keep
      rmSync(d, { recursive: true, force: true });
      expect(await page(app)).toEqual({ status: 503, cache: "no-store", retry: "5", text: "正在更新，请稍后刷新 · updating, reload in a moment" });

      build(d, "index-BBBB2222");
      const second = await page(app);
      expect(second).toMatchObject({ status: 200, cache: "no-cache" });
      expect(second.text).toContain("index-BBBB2222.js");
      const asset = await app.request("/admin/assets/index-BBBB2222.js");
      expect(asset.status).toBe(200);
      expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      // the old build's file is gone: a 404, not the page kept a year under its URL
      const old = await app.request("/admin/assets/index-AAAA1111.js");
      expect(old.status).toBe(404);
      expect(old.headers.get("cache-control")).toBeNull();
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it("reads the file again when its time or size changes, not otherwise", () => {
    const d = mkdtempSync(join(tmpdir(), "ms-current-"));
    try {
      const path = join(d, "index.html");
      writeFileSync(path, "one");
      utimesSync(path, 1_000, 1_000);
      const shell = currentFile(path);
      expect(shell()).toBe("one");
      // the same size and time: the copy read before (so an edit that keeps both goes unseen, as make does)
      writeFileSync(path, "two");
      utimesSync(path, 1_000, 1_000);
      expect(shell()).toBe("one");
      utimesSync(path, 2_000, 2_000);
      expect(shell()).toBe("two");
      writeFileSync(path, "three!");
      utimesSync(path, 2_000, 2_000);
      expect(shell()).toBe("three!");
      rmSync(path);
      expect(shell()).toBeNull();
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe("a rendered page's embedded data", () => {
  it("cannot close its script block or inject markup, and reads back as the same data", () => {
    const data = { text: '</script><script>alert(1)</script><!-- \u2028', n: 1 };
    const html = injectRendered(SHELL, { title: '</title><script>alert(2)</script>', root: "<p>x</p>", data });
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("<title>&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;</title>");
    const block = /<script type="application\/json" id="ms-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(block).not.toContain("<");
    expect(JSON.parse(block)).toEqual(data);
  });

  it("keeps $ patterns in the page as they are", () => {
    const html = injectRendered(SHELL, { title: "$& $1", root: "<p>$'</p>", data: { s: "$`" } });
    expect(html).toContain("<title>$&amp; $1</title>");
    expect(html).toContain("<p>$'</p>");
    expect(html).toContain('{"s":"$`"}');
  });
});
