import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";

export interface StaticApp {
  /** URL prefix: "/admin" for the console, "" for the 码上通 site at the root */
  prefix: string;
  /** the app's built folder (its Vite dist/) */
  dir: string;
  /**
   * URLs the page at this path will fetch first, sent as `Link: rel=preload` with its HTML so the
   * browser fetches them beside the scripts instead of after them (one round trip less on a phone).
   */
  preload?: (path: string) => string[];
  /**
   * Server rendering: the markup of #root, the page title and the data the page was rendered
   * from (embedded for the script to take over), or null to send the plain shell.
   */
  render?: (path: string, origin: string) => Promise<RenderedPage | null>;
}

export interface RenderedPage {
  title: string;
  root: string;
  data: unknown;
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * The shell with a rendered page in it. The data goes in a JSON script block (not run, so the
 * script-src policy holds) with every "<" escaped, so no text in it can close the block.
 */
export function injectRendered(shell: string, page: RenderedPage): string {
  const json = JSON.stringify(page.data).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  return shell
    .replace(/<title>[^<]*<\/title>/, () => `<title>${escapeHtml(page.title)}</title>`)
    .replace('<div id="root"></div>', () => `<div id="root">${page.root}</div><script type="application/json" id="ms-data">${json}</script>`);
}

/**
 * A built app's index.html as it is now: one stat per call, a read only when the file changed
 * (its modification time or size), so rebuilding an app under a running server shows the new
 * build at the next page load. Null while the file is missing (a build is rewriting its folder).
 */
export function currentFile(path: string): () => string | null {
  let cached: { stamp: string; text: string } | null = null;
  return () => {
    try {
      const st = statSync(path);
      const stamp = `${st.mtimeMs}:${st.size}`;
      if (cached?.stamp !== stamp) cached = { stamp, text: readFileSync(path, "utf8") };
      return cached.text;
    } catch {
      return null;
    }
  };
}

/**
 * Serves built single-page apps beside the API: files as they are (hashed assets cached for a
 * year), any other path under the prefix answers the app's index.html so client routes work.
 * An app that has not been built is skipped (the API still runs). A build's precompressed
 * `.br` / `.gz` siblings are sent to browsers that accept them. The page is `no-cache` (browsers
 * ask again each time) and read again after a rebuild, so a new build shows without a restart;
 * while a build has emptied the folder the page answers 503 with Retry-After, never cached.
 */
// oxlint-disable-next-line typescript/no-explicit-any -- any app, whatever its routes: Hono's schema parameter admits no narrower common type
export function mountStaticApps<E extends object>(app: Hono<E & { Variables: never } & any>, apps: StaticApp[]): string[] {
  const mounted: string[] = [];
  // Longest prefix first so "/admin" wins over the root app.
  for (const { prefix, dir, preload, render } of [...apps].sort((a, b) => b.prefix.length - a.prefix.length)) {
    const index = join(dir, "index.html");
    if (!existsSync(index)) continue;
    const shell = currentFile(index);
    const base = prefix === "" ? "" : prefix;
    app.use(`${base}/assets/*`, async (c, next) => {
      await next();
      if (c.res.status === 200) c.res.headers.set("Cache-Control", "public, max-age=31536000, immutable");
    });
    app.use(`${base}/*`, serveStatic({ root: dir, precompressed: true, rewriteRequestPath: (p) => (base ? p.slice(base.length) || "/" : p) }));
    app.get(base === "" ? "*" : `${base}/*`, async (c) => {
      if (c.req.path.startsWith("/api/")) return c.notFound();
      // A missing hashed file (an old build's, asked by a page loaded before a rebuild) is a 404, not
      // the page: the page under an asset's URL would be kept a year (immutable, above).
      if (c.req.path.startsWith(`${base}/assets/`)) return c.notFound();
      const html = shell();
      if (html === null) {
        c.header("Cache-Control", "no-store");
        c.header("Retry-After", "5");
        return c.text("正在更新，请稍后刷新 · updating, reload in a moment", 503);
      }
      c.header("Cache-Control", "no-cache");
      if (render) {
        const page = await render(c.req.path, new URL(c.req.url).origin).catch((e: unknown) => {
          console.error(`rendering ${c.req.path} failed; sending the plain page:`, e);
          return null;
        });
        if (page) return c.html(injectRendered(html, page));
      }
      const links = preload?.(c.req.path) ?? [];
      if (links.length > 0) c.header("Link", links.map((u) => `<${u}>; rel=preload; as=fetch; crossorigin=anonymous`).join(", "));
      return c.html(html);
    });
    if (base) app.get(base, (c) => c.redirect(`${base}/`));
    mounted.push(prefix || "/");
  }
  return mounted;
}

/** A 码上通 project page (/p/:code) fetches its site's JSON first: preload it with the HTML. */
export function publicSitePreload(path: string): string[] {
  const m = /^\/p\/([0-9A-HJKMNP-TV-Z]{8})\/?$/i.exec(path);
  return m ? [`/api/v1/public/sites/${m[1]!.toUpperCase()}`] : [];
}

/**
 * 码上通 project pages rendered by the site's own server build (apps/public/dist-ssr), from the
 * same public JSON a browser would fetch, asked of the app itself so its page cache serves it.
 * Undefined when that build is missing (the plain page is sent and renders in the browser).
 */
export async function publicSiteRenderer(
  app: { request: (input: string) => Response | Promise<Response> },
  entry: string,
): Promise<StaticApp["render"]> {
  if (!existsSync(entry)) return undefined;
  type Render = (path: string, getSite: (code: string) => Promise<unknown>) => Promise<RenderedPage | null>;
  const { renderPage } = (await import(pathToFileURL(entry).href)) as { renderPage: Render };
  return (path, origin) =>
    renderPage(path, async (code) => {
      const res = await app.request(`${origin}/api/v1/public/sites/${encodeURIComponent(code)}`);
      return res.ok ? await res.json() : null;
    });
}
