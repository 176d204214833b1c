/** The web apps served beside the API: precompressed assets, preload hints, server-rendered pages. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { Hono } from "hono";
import { afterAll, describe, expect, it, vi } from "vitest";
import { injectRendered, mountStaticApps, publicSitePreload, type RenderedPage } from "../src/lib/static-apps.js";

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
    const render = vi.fn(async (path: string) => {
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
