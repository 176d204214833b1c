import type { ComponentChildren, TargetedMouseEvent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { normaliseCode } from "./format";

/**
 * A router of three routes is a few lines of History API; it keeps the page light (no router
 * package) and works in WeChat's browser.
 */
export type Route =
  | { name: "home" }
  | { name: "project"; code: string }
  | { name: "ticket"; ticket: string }
  // 票决制: 提建议 (/jy), a proposal's ticket (/jy/:ticket), the voted projects (/pj)
  | { name: "propose" }
  | { name: "proposal"; ticket: string }
  | { name: "voted" }
  | { name: "missing" };

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a malformed %-escape: the page answers "not found" for it
  }
}

export function match(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/" || path === "/index.html") return { name: "home" };
  let m = /^\/p\/([^/]+)$/.exec(path);
  if (m) return { name: "project", code: normaliseCode(decode(m[1]!)) };
  m = /^\/s\/([^/]+)$/.exec(path);
  if (m) return { name: "ticket", ticket: normaliseCode(decode(m[1]!)) };
  if (path === "/jy") return { name: "propose" };
  m = /^\/jy\/([^/]+)$/.exec(path);
  if (m) return { name: "proposal", ticket: normaliseCode(decode(m[1]!)) };
  if (path === "/pj") return { name: "voted" };
  return { name: "missing" };
}

/** The browse page's state lives in its query string, so a search can be shared and "back" works. */
export interface Browse {
  region: string;
  item: string;
  q: string;
  page: number;
}

export const PAGE_SIZE = 20;

export function parseBrowse(search: string): Browse {
  const p = new URLSearchParams(search);
  const region = p.get("region") ?? "";
  const item = p.get("item") ?? "";
  const q = (p.get("q") ?? "").trim().slice(0, 50);
  const page = Number(p.get("page") ?? "1");
  return {
    // Anything the server would refuse is dropped here rather than shown as an error page.
    region: /^\d{6}$/.test(region) ? region : "",
    item: /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(item) ? item : "",
    q,
    page: Number.isInteger(page) && page >= 1 && page <= 10_000 ? page : 1,
  };
}

export function browseHref(b: Partial<Browse>): string {
  const p = new URLSearchParams();
  if (b.region) p.set("region", b.region);
  if (b.item) p.set("item", b.item);
  if (b.q?.trim()) p.set("q", b.q.trim());
  if (b.page && b.page > 1) p.set("page", String(b.page));
  const s = p.toString();
  return s ? `/?${s}` : "/";
}

const EVENT = "ms:navigate";

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.dispatchEvent(new Event(EVENT));
  if (!replace) window.scrollTo(0, 0);
}

/** Where the server renders a page (there is no `location` there). */
let serverLocation = { pathname: "/", search: "" };
export const setServerLocation = (pathname: string, search = "") => void (serverLocation = { pathname, search });

export function useLocation(): { pathname: string; search: string } {
  const read = () => (typeof location === "undefined" ? serverLocation : { pathname: location.pathname, search: location.search });
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const on = () => setLoc(read());
    window.addEventListener("popstate", on);
    window.addEventListener(EVENT, on);
    return () => {
      window.removeEventListener("popstate", on);
      window.removeEventListener(EVENT, on);
    };
  }, []);
  return loc;
}

export interface LinkProps {
  to: string;
  class?: string;
  children?: ComponentChildren;
  onClick?: (e: TargetedMouseEvent<HTMLAnchorElement>) => void;
}

/** An in-app link: a real <a href> (long-press, new tab and no-JS work) that navigates without a reload. */
export function Link({ to, onClick, class: cls, children }: LinkProps) {
  const click = (e: TargetedMouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} class={cls} onClick={click}>
      {children}
    </a>
  );
}
