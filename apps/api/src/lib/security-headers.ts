import type { MiddlewareHandler } from "hono";

/**
 * Security headers on every response: the API's JSON and files, its docs page, the console and
 * the 码上通 site served beside it, and error answers (ASVS 14.4, 等保 2.0 application security).
 * Three Content-Security-Policies, by what the response is:
 *  - API answers and files (/api/v1/…): nothing may load or run in them (default-src 'none'), so an
 *    uploaded SVG or HTML opened directly cannot run a script;
 *  - the docs page (/api/v1/docs…): Swagger UI's script and style sheet and our start script, all
 *    from this origin, fetch to this origin; images also from data: (Swagger UI's icons) and blob:
 *    (an image answer shown by "Try it out");
 *  - the web apps (everything else): scripts from this origin only; inline styles allowed because
 *    antd's CSS-in-JS inserts <style> elements at run time; images also from data:/blob: (previews).
 * Every policy forbids framing (frame-ancestors 'none': no click-jacking) and <base> rewriting.
 */

const join = (directives: Record<string, string>) =>
  Object.entries(directives)
    .map(([k, v]) => `${k} ${v}`)
    .join("; ");

export const apiPolicy = join({
  "default-src": "'none'",
  "frame-ancestors": "'none'",
  "base-uri": "'none'",
  "form-action": "'none'",
});

export const docsPolicy = join({
  "default-src": "'none'",
  "script-src": "'self'",
  "style-src": "'self'",
  "img-src": "'self' data: blob:",
  "connect-src": "'self'",
  "form-action": "'self'",
  "frame-ancestors": "'none'",
  "base-uri": "'none'",
});

export const appPolicy = join({
  "default-src": "'self'",
  "script-src": "'self'",
  "style-src": "'self' 'unsafe-inline'",
  "img-src": "'self' data: blob:",
  "font-src": "'self' data:",
  "connect-src": "'self'",
  "worker-src": "'self' blob:",
  "object-src": "'none'",
  "form-action": "'self'",
  "frame-ancestors": "'none'",
  "base-uri": "'self'",
});

/**
 * A PDF opened in a tab (a published policy document, a site sign): Chrome renders it through an
 * internal <embed> governed by object-src and a synthetic page with inline styles (crbug 271452),
 * so those two are allowed for this one document type; still no script, no framing.
 */
export const pdfPolicy = join({
  "default-src": "'none'",
  "object-src": "'self'",
  "style-src": "'unsafe-inline'",
  "img-src": "'self' data:",
  "frame-ancestors": "'none'",
  "base-uri": "'none'",
  "form-action": "'none'",
});

export const HSTS = "max-age=31536000; includeSubDomains";

/** The policy for a response: the docs page, a PDF, the rest of the API, or a web app. */
export function policyFor(path: string, contentType = ""): string {
  if (path === "/api/v1/docs" || path.startsWith("/api/v1/docs/")) return docsPolicy;
  if (path === "/api" || path.startsWith("/api/")) return /^application\/pdf\b/i.test(contentType) ? pdfPolicy : apiPolicy;
  return appPolicy;
}

const common: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Origin-Agent-Cluster": "?1",
  "X-Permitted-Cross-Domain-Policies": "none",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};

/**
 * Every security header of a response at `path` with this Content-Type, as one record: what the
 * middleware below sets, and what a precomputed answer (public/public-cache.ts) carries itself.
 */
export function securityHeaderRecord(path: string, contentType: string, production: boolean): Record<string, string> {
  const record: Record<string, string> = { ...common, "Content-Security-Policy": policyFor(path, contentType) };
  // HSTS only in production: on plain-http development it would pin localhost to https.
  if (production) record["Strict-Transport-Security"] = HSTS;
  return record;
}

/** Sets the headers after the handler ran (so static files, 404s and errors get them too). */
export function securityHeaders(options: { production: boolean }): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    for (const [k, v] of Object.entries(securityHeaderRecord(c.req.path, h.get("content-type") ?? "", options.production))) h.set(k, v);
    if (!options.production) h.delete("Strict-Transport-Security");
  };
}
