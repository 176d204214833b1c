import { useQuery } from "@tanstack/react-query";
import { type ContentKind, contentKindLabel, type DisclosureObligation, disclosureObligationName, type FeedbackState, type PlanLevel } from "@minsheng/domain/labels";
import { ApiProblem, api, isStaff, type Me, read } from "./api";
import { useBundle, usePlans } from "./data";

/**
 * 码上通 in the console: the shapes the pages read (as apps/api answers them: lib/content.ts,
 * lib/feedback.ts, routes/sites.ts, lib/compliance.ts) and the queries they share.
 */

export { type ContentKind, contentKindLabel, type FeedbackState };

export interface SiteCounts {
  policies: number;
  localised: number;
  updates: number;
  pending: number;
  open: number;
  answered: number;
}
export interface SiteSummary {
  code: string;
  url: string;
  project: { id: string; no: number; title: string };
  item: { id: string; no: number; title: string };
  plan: { id: string; title: string; year: number; level: PlanLevel };
  region: { code: string; name: string; path: string[] };
  unit: { id: string; name: string };
  contact: string;
  location: string;
  version: number;
  counts?: SiteCounts;
}
export interface FileView {
  id: string;
  filename: string;
  mediaType: string;
  size: number;
  url: string;
}
export interface ContentView {
  id: number;
  site: string;
  kind: ContentKind;
  kindLabel: string;
  title: string;
  issuer: string;
  date: string | null;
  url: string | null;
  text: string;
  published: boolean;
  publishedAt: string | null;
  version: number;
  createdBy: string;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
  files: FileView[];
}

export const feedbackStateColor: Record<FeedbackState, string> = { pending: "orange", open: "red", answered: "green", rejected: "default" };
export interface FeedbackView {
  id: number;
  ticket: string;
  site: { code: string; project: { id: string; title: string }; region: { code: string; name: string }; unit: { id: string; name: string } };
  kind: string;
  kindLabel: string;
  text: string;
  phone: string | null;
  hasPhone: boolean;
  photo: string | null;
  state: FeedbackState;
  stateLabel: string;
  receivedAt: string;
  receivedOn: string;
  dueOn: string;
  overdue: boolean;
  answeredLate: boolean;
  moderatedBy: string | null;
  moderatedAt: string | null;
  rejectReason: string | null;
  answer: string | null;
  internalNote: string | null;
  answeredBy: string | null;
  answeredAt: string | null;
  answeredOn: string | null;
  version: number;
}
export interface Inbox {
  total: number;
  limit: number;
  offset: number;
  today: string;
  counts: Record<FeedbackState | "overdue", number>;
  feedback: FeedbackView[];
}

export interface SiteStats {
  region: string | null;
  unit: string | null;
  policyDocuments: number;
  localisedUpdates: number;
  workUpdates: number;
  suggestionsReceived: number;
  suggestionsAnswered: number;
  awaitingModeration: number;
  rejected: number;
  processingRate: number;
  processingRatePercent: number;
}

export interface Checklist {
  policyDocument: boolean;
  localisedContent: boolean;
  monthlyWorkUpdate: boolean;
  answeredInTime: boolean;
  replyWorkingDays: number;
  holidays: string[];
  workdays: string[];
}
export type Obligation = DisclosureObligation;
/** The checklist's names of the obligations (the domain's labels.ts). */
export const obligationLabel: Readonly<Record<Obligation, string>> = disclosureObligationName;

export interface ComplianceReport {
  period: string;
  region: string;
  plan?: string;
  asOf: string;
  checklist: Checklist;
  sources: { content: number; record: number };
  scores: { region: string; name: string; compliant: number; total: number; score: number; band: "good" | "fair" | "poor"; bandLabel: string; sources: { content: number; record: number } }[];
  nonCompliant: {
    code: string | null;
    project: string;
    projectTitle: string;
    region: string;
    regionName: string;
    source: "content" | "record";
    compliant: boolean;
    missed: { obligation: Obligation; label: string }[] | null;
  }[];
}

/** Query strings without the keys left empty. */
export const cleanQuery = <T extends Record<string, string | number | undefined>>(q: T): { [K in keyof T]: T[K] extends number ? string : T[K] } =>
  Object.fromEntries(Object.entries(q).flatMap(([k, v]) => (v === undefined || v === "" ? [] : [[k, String(v)]]))) as { [K in keyof T]: T[K] extends number ? string : T[K] };

/** A call with the session cookie, for what the typed client cannot shape (multipart uploads). */
export async function send<T>(method: string, path: string, body?: FormData | object): Promise<T> {
  const init: RequestInit = { method, credentials: "include", headers: {} };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  return read<T>(fetch(`/api/v1${path}`, init) as Promise<{ ok: boolean; status: number; json(): Promise<T> }>);
}

export const useSiteStats = (region: string | undefined, unit: string | undefined) =>
  useQuery({
    queryKey: ["site-stats", region ?? "", unit ?? ""],
    queryFn: async () => (await read(api.sites.stats.$get({ query: cleanQuery({ region, unit }) }))) as unknown as SiteStats,
  });

export const useChecklist = () =>
  useQuery({ queryKey: ["disclosure-checklist"], queryFn: async () => (await read(api.disclosure.checklist.$get())) as unknown as Checklist, staleTime: 5 * 60_000 });

/**
 * Regions and units a staff member may filter by, from the plan bundle (staff and admins may read
 * it); others work in their own area and unit only, so they get none.
 */
export function useScopeChoices(me: Me) {
  const staff = isStaff(me.role);
  const plans = usePlans();
  const planId = plans.data?.find((p) => p.level === "province")?.id ?? plans.data?.[0]?.id;
  const bundle = useBundle(staff ? planId : undefined);
  const b = bundle.data;
  // Names and the tree for everyone: the plan bundle for staff, else the public site list's region facets.
  const facets = useQuery({
    queryKey: ["public-region-facets"],
    enabled: !staff,
    staleTime: 30 * 60_000,
    queryFn: async () => {
      const res = await fetch("/api/v1/public/sites?limit=1");
      if (!res.ok) return [];
      const body = (await res.json()) as { facets?: { regions?: { code: string; name: string; path: string[] }[] } };
      const list = body.facets?.regions ?? [];
      const byPath = new Map(list.map((r) => [r.path.join("/"), r.code]));
      return list.map((r) => ({ code: r.code, name: r.name, parent: byPath.get(r.path.slice(0, -1).join("/")) ?? null }));
    },
  });
  const tree = b?.regions ?? facets.data ?? [];
  const parent = new Map(tree.map((x) => [x.code, x.parent]));
  /** Whether `code` is `ancestor` or lies below it (without the tree: only the same code). */
  const within = (code: string, ancestor: string) => {
    for (let c: string | null | undefined = code; c; c = parent.get(c)) if (c === ancestor) return true;
    return false;
  };
  // the own region and everything below it
  const regions = (b?.regions ?? []).filter((r) => !me.region || within(r.code, me.region));
  return {
    staff,
    within,
    regions: regions.map((r) => ({ value: r.code, label: r.name })),
    units: (b?.units ?? []).map((u) => ({ value: u.id, label: u.name })),
    names: new Map(tree.map((r) => [r.code, r.name])),
  };
}

/** A 4xx that means "not yours" rather than "broken". */
export const isForbidden = (e: unknown) => e instanceof ApiProblem && (e.status === 403 || e.status === 404);

/** Download link of a QR code or sign of a site. */
export const siteFileUrl = (s: Pick<SiteSummary, "project" | "region">, file: "qr.svg" | "qr.png" | "sign.pdf") =>
  `/api/v1/projects/${encodeURIComponent(s.project.id)}/${file}?region=${s.region.code}`;
