/**
 * Server rendering of a project page (/p/:code), the page a QR code opens: the API server sends
 * it as HTML with its data, so a phone paints the project before any script has run, then the
 * script takes over the same markup. Built by `vite build --ssr` into dist-ssr/ (self-contained).
 */
import { renderToString } from "preact-render-to-string";
import type { SiteView } from "./api";
import { App } from "./App";
import { SITE_CODE } from "./format";
import { match, setServerLocation } from "./router";

export interface RenderedPage {
  title: string;
  /** the markup of #root */
  root: string;
  /** what the page renders from, for the script to take over without fetching */
  data: SiteView;
}

/** The page for `path`, or null when it is not a project page the server renders (or the site is unknown). */
export async function renderPage(path: string, getSite: (code: string) => Promise<SiteView | null>): Promise<RenderedPage | null> {
  const route = match(path);
  if (route.name !== "project" || !SITE_CODE.test(route.code)) return null;
  const site = await getSite(route.code);
  if (!site) return null;
  setServerLocation(path);
  return { title: `${site.project.title} · ${site.region.name} · 码上通`, root: renderToString(<App site={site} />), data: site };
}
