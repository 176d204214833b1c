import { useQuery } from "@tanstack/react-query";
import { type ContentKind, contentKindLabel, type DisclosureObligation, disclosureObligationName, type FeedbackState } from "@minsheng/domain/labels";
import type { InferResponseType } from "hono/client";
import { ApiProblem, api, isStaff, type Me, read } from "./api";
import { useBundle, usePlans } from "./data";

/**
 * 码上通 in the console: the shapes the pages read, typed from the API's own operations (sites,
 * content, feedback, disclosure), and the queries they share.
 */

export { type ContentKind, contentKindLabel, type FeedbackState };

/** A site with its content (GET /sites/:code/content). */
export type SiteContent = InferResponseType<(typeof api.sites)[":code"]["content"]["$get"], 200>;
/** A site (as PATCH /sites/:code answers it too); GET /sites lists each with its counts. */
export type SiteSummary = SiteContent["site"];
export type ListedSite = InferResponseType<typeof api.sites.$get, 200>["sites"][number];
export type ContentView = SiteContent["content"][number];

export const feedbackStateColor: Record<FeedbackState, string> = { pending: "orange", open: "red", answered: "green", rejected: "default" };
/** A page of the feedback inbox (GET /feedback). */
export type Inbox = InferResponseType<typeof api.feedback.$get, 200>;
export type FeedbackView = Inbox["feedback"][number];

export type SiteStats = InferResponseType<typeof api.sites.stats.$get, 200>;
export type Checklist = InferResponseType<typeof api.disclosure.checklist.$get, 200>;
export type Obligation = DisclosureObligation;
/** The checklist's names of the obligations (the domain's labels.ts). */
export const obligationLabel: Readonly<Record<Obligation, string>> = disclosureObligationName;

/** 信息公开考核 (GET /disclosure/compliance). */
export type ComplianceReport = InferResponseType<typeof api.disclosure.compliance.$get, 200>;

/** Query strings without the keys left empty. */
export const cleanQuery = <T extends Record<string, string | number | undefined>>(q: T): { [K in keyof T]: T[K] extends number ? string : T[K] } =>
  Object.fromEntries(Object.entries(q).flatMap(([k, v]) => (v === undefined || v === "" ? [] : [[k, String(v)]]))) as { [K in keyof T]: T[K] extends number ? string : T[K] };

export const useSiteStats = (region: string | undefined, unit: string | undefined) =>
  useQuery({
    queryKey: ["site-stats", region ?? "", unit ?? ""],
    queryFn: async () => read(api.sites.stats.$get({ query: cleanQuery({ region, unit }) })),
  });

export const useChecklist = () =>
  useQuery({ queryKey: ["disclosure-checklist"], queryFn: async () => read(api.disclosure.checklist.$get()), staleTime: 5 * 60_000 });

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
      const res = await api.public.sites.$get({ query: { limit: "1" } });
      if (!res.ok) return [];
      const list = (await res.json()).facets.regions;
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
