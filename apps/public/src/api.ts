import type { SiteIndicator, SiteProgress } from "@minsheng/api/client";
import type { FeedbackKind, FeedbackState, SatisfactionRating as Rating } from "@minsheng/domain/labels";

/**
 * The public API of 码上通 (GET/POST under /api/v1/public), typed by hand to what apps/api answers
 * except the site's progress, whose types come from apps/api (lib/sites.ts) as types only: nothing
 * of the server reaches the bundle.
 * No sign-in; every call is same-origin when the site is served by the API server.
 */

export type { FeedbackKind, FeedbackState, Rating, SiteIndicator, SiteProgress };
/** 已完成 / 按序时推进 / 未达序时 (the domain's Status) */
export type Status = NonNullable<SiteProgress["status"]>;

export interface FileRef {
  id: string;
  filename: string;
  mediaType: string;
  size: number;
  url: string;
}

export interface Satisfaction {
  satisfied: number;
  basically_satisfied: number;
  dissatisfied: number;
  total: number;
  satisfactionRate: number | null;
}

export interface SiteView {
  code: string;
  url: string;
  project: { id: string; no: number; title: string };
  item: { id: string; no: number; title: string };
  plan: { id: string; title: string; year: number };
  unit: { name: string };
  region: { code: string; name: string; path: string[] };
  location: string;
  contact: string;
  targets: { indicator: string; name: string; unit: string; target: number }[];
  progress: SiteProgress;
  timeline: { id: number; date: string | null; text: string; publishedAt: string | null; photos: { id: string; url: string }[] }[];
  policies: { id: number; title: string; issuer: string; date: string | null; url: string | null; text: string; files: FileRef[] }[];
  localised: { id: number; title: string; text: string; publishedAt: string | null; files: FileRef[] }[];
  suggestions: { kind: FeedbackKind; kindLabel: string; text: string; receivedOn: string; answer: string; answeredOn: string }[];
  counts: { suggestionsReceived: number; suggestionsAnswered: number; processingRate: number };
  satisfaction: Satisfaction;
}

export interface SiteSummary {
  code: string;
  url: string;
  project: { no: number; title: string };
  item: { id: string; no: number; title: string };
  plan: { title: string; year: number };
  region: { code: string; name: string; path: string[] };
  unit: { name: string };
}

export interface SiteFacets {
  regions: { code: string; name: string; path: string[] }[];
  items: { id: string; no: number; title: string; plan: { title: string; year: number } }[];
}

export interface SiteList {
  total: number;
  limit: number;
  offset: number;
  sites: SiteSummary[];
  /** every region and item that has a site, whatever the query */
  facets: SiteFacets;
}

export interface TicketView {
  ticket: string;
  site: { code: string; project: string; region: string };
  kind: FeedbackKind;
  kindLabel: string;
  text: string;
  state: FeedbackState;
  stateLabel: string;
  receivedOn: string;
  dueOn: string;
  answer: string | null;
  answeredOn: string | null;
}

export interface Created {
  ticket: string;
  state: FeedbackState;
  stateLabel: string;
  receivedOn: string;
  dueOn: string;
}

export interface Problem {
  path: string;
  message: string;
}

/** An error answer: `{ error: { code, message, problems, ...extra } }` with its HTTP status. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
    readonly extra: Record<string, unknown> = {},
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

const BASE = (import.meta.env?.VITE_API_BASE as string | undefined) ?? "";

export async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    // GETs carry no extra headers so they match the page's `Link: rel=preload` of the same URL.
    res = await fetch(`${BASE}/api/v1/public${path}`, init);
  } catch {
    throw new ApiProblem(0, "Network", "网络连接失败，请检查网络后重试");
  }
  const body = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string; problems?: Problem[] } } | null)?.error;
    const { code, message, problems, ...extra } = (err ?? {}) as { code?: string; message?: string; problems?: Problem[] } & Record<string, unknown>;
    const ra = Number(res.headers.get("Retry-After"));
    throw new ApiProblem(res.status, code ?? "Http", message ?? `HTTP ${res.status}`, problems ?? [], extra, Number.isFinite(ra) && ra > 0 ? ra : null);
  }
  return body as T;
}

export const getSite = (code: string) => call<SiteView>(`/sites/${encodeURIComponent(code)}`);

export function listSites(q: { region?: string; item?: string; q?: string; limit?: number; offset?: number }) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return call<SiteList>(`/sites${s ? `?${s}` : ""}`);
}

export const getTicket = (ticket: string) => call<TicketView>(`/tickets/${encodeURIComponent(ticket)}`);

export interface FeedbackInput {
  kind: FeedbackKind;
  text: string;
  phone?: string;
  photo?: File | null;
}

/** JSON, or multipart/form-data when a photo is attached. */
export function sendFeedback(code: string, input: FeedbackInput) {
  const path = `/sites/${encodeURIComponent(code)}/feedback`;
  if (input.photo) {
    const form = new FormData();
    form.set("kind", input.kind);
    form.set("text", input.text);
    if (input.phone) form.set("phone", input.phone);
    form.set("photo", input.photo);
    return call<Created>(path, { method: "POST", body: form });
  }
  const body: Record<string, string> = { kind: input.kind, text: input.text };
  if (input.phone) body.phone = input.phone;
  return call<Created>(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

export const sendRating = (code: string, rating: Rating) =>
  call<{ rating: Rating; satisfaction: Satisfaction }>(`/sites/${encodeURIComponent(code)}/rating`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ rating }),
  });
