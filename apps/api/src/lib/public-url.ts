/**
 * PUBLIC_BASE_URL: where citizens reach the 码上通 site. Every public URL the platform prints or
 * links (QR codes, site signs, links in pages and exports) is built from it, never from the Host
 * header of a request, which whoever sends the request chooses. Required in production; the demo
 * and development use the address the server listens on.
 */

export class PublicBaseUrlInvalid extends Error {
  override readonly name = "PublicBaseUrlInvalid";
}

/** The base as configured, without a trailing slash: `https://msss.example.gov.cn` (a path prefix is kept). */
export const publicBaseOf = (config: { publicBaseUrl: string }): string => config.publicBaseUrl.replace(/\/+$/, "");

/**
 * PUBLIC_BASE_URL checked at start-up: an absolute http(s) URL without credentials, query or
 * fragment. Missing in production is an error (a QR code printed with the wrong address stays on
 * the street for a year); elsewhere it defaults to `http://<HOST>:<PORT>`.
 */
export function publicBaseUrlFromEnv(env: Record<string, string | undefined>): string {
  const production = env.NODE_ENV === "production";
  const raw = (env.PUBLIC_BASE_URL ?? "").trim();
  if (raw === "") {
    if (production)
      throw new PublicBaseUrlInvalid(
        "PUBLIC_BASE_URL is required in production: the address citizens reach the 码上通 site at, e.g. PUBLIC_BASE_URL=https://msss.example.gov.cn (QR codes, signs and links are built from it)",
      );
    const host = env.HOST ?? "127.0.0.1";
    const shown = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
    return `http://${shown}:${env.PORT ?? "8787"}`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PublicBaseUrlInvalid(`PUBLIC_BASE_URL "${raw}" is not a URL: write it as https://msss.example.gov.cn`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new PublicBaseUrlInvalid(`PUBLIC_BASE_URL "${raw}" must start with https:// (or http://)`);
  if (url.username || url.password || url.search || url.hash) throw new PublicBaseUrlInvalid(`PUBLIC_BASE_URL "${raw}" must not carry a user, a query or a fragment`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}
