import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { defineConfig, type Plugin, type Rollup } from "vite";

/**
 * Writes `.br` and `.gz` beside every text asset so the API server can send them precompressed
 * (it serves apps/public/dist with `precompressed: true`): a phone on a slow network downloads
 * the gzipped size, and no CPU is spent compressing per request.
 */
function precompress(): Plugin {
  return {
    name: "minsheng:precompress",
    apply: (_config, env) => env.command === "build" && !env.isSsrBuild,
    enforce: "post",
    // after every other plugin's generateBundle: Vite fills in its dynamic-import preload list
    // (__VITE_PRELOAD__) there, and a copy compressed before that breaks any lazy-loaded page
    generateBundle: { order: "post", handler(_options, bundle) {
      inlineCss(bundle);
      for (const file of Object.values(bundle)) {
        if (!/\.(js|css|svg|json)$/.test(file.fileName)) continue;
        const source = file.type === "chunk" ? file.code : file.source;
        const bytes = typeof source === "string" ? Buffer.from(source) : Buffer.from(source);
        if (bytes.length < 1024) continue;
        this.emitFile({ type: "asset", fileName: `${file.fileName}.gz`, source: gzipSync(bytes, { level: 9 }) });
        this.emitFile({
          type: "asset",
          fileName: `${file.fileName}.br`,
          source: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
        });
      }
    } },
  };
}

/**
 * The style sheet (about 5 KB) goes inside index.html: on a slow phone network a separate,
 * render-blocking style sheet costs a whole round trip (over half a second) before the first
 * paint. The web apps' Content-Security-Policy allows inline styles (style-src 'unsafe-inline').
 */
function inlineCss(bundle: Rollup.OutputBundle): void {
  const html = bundle["index.html"];
  if (!html || html.type !== "asset") return;
  let text = String(html.source);
  for (const [name, file] of Object.entries(bundle)) {
    if (file.type !== "asset" || !name.endsWith(".css")) continue;
    const link = new RegExp(`<link rel="stylesheet"[^>]*href="/${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"[^>]*>`);
    if (!link.test(text)) continue;
    text = text.replace(link, () => `<style>${String(file.source).replace(/<\/style/gi, "<\\/style")}</style>`);
    delete bundle[name];
  }
  html.source = text;
}

// The 码上通 site is served by the API server at "/", with /api/v1 on the same origin. Preact
// instead of React keeps the page's script far under its 60 KB (gzipped) budget.
export default defineConfig({
  plugins: [precompress()],
  // The server-rendering build (dist-ssr/) carries Preact inside it, so the API server can load it alone.
  ssr: { noExternal: true, target: "node" },
  base: "/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { target: "es2019", cssCodeSplit: false, sourcemap: false, modulePreload: { polyfill: false } },
  server: { proxy: { "/api": process.env.API_URL ?? "http://127.0.0.1:8787" } },
});
