import { useQueries, useQuery } from "@tanstack/react-query";
import { api, read } from "./api";

export interface IndicatorResult {
  indicator: string;
  project: string;
  region: string;
  target: number;
  actual: number;
  rate: number;
  due: number;
  status: string;
  linked: boolean;
}
export interface ProjectResult {
  project: string;
  progress: number;
  due: number;
  status: string;
  indicators: string[];
}
export interface Evaluation {
  period: string;
  region: string;
  indicators: IndicatorResult[];
  projects: ProjectResult[];
  counts: { completed: number; on_schedule: number; behind: number };
  /** rule 5: every region below under the schedule line, also of indicators behind as a whole */
  lagging: { indicator: string; project: string; region: string; rate: number; due: number }[];
  /** rule 6, the figures of 信息公开考核 and the bulletin, with where each region's records came from */
  disclosure: { region: string; compliant: number; total: number; score: number; band: string; sources: { content: number; record: number } }[];
  falls: { indicator: string; region: string; period: string; previousPeriod: string; previous: number; value: number }[];
  /** the bulletin's summary sentence of the plan at the region and month (the same function) */
  summary: { text: string; countBy: "project" | "indicator"; total: number; completed: number; onSchedule: number; behind: number };
}
export interface BundleLite {
  regions: { code: string; name: string; level: string; parent: string | null }[];
  units: { id: string; name: string }[];
  plans: { id: string; year: number; title: string; region: string }[];
  items: { id: string; plan: string; no: number; title: string }[];
  projects: { id: string; item: string; no: number; title: string; leadUnit: string }[];
  indicators: { id: string; project: string; name: string; unit: string; kind: string; linkedTo?: string }[];
  targets: { indicator: string; region: string; value: number }[];
  progress: { indicator: string; region: string; period: string; value: number }[];
}

export const usePlans = () =>
  useQuery({ queryKey: ["plans"], queryFn: async () => (await read(api.plans.$get())).plans as unknown as { id: string; year: number; title: string; level: string; region: string }[] });

/** The plan as a bundle (names of items, projects, indicators, regions); staff and admins only. */
export const useBundle = (planId: string | undefined) =>
  useQuery({
    queryKey: ["bundle", planId],
    enabled: !!planId,
    staleTime: 5 * 60_000,
    queryFn: async () => (await read(api.bundles[":planId"].$get({ param: { planId: planId! } }))) as unknown as BundleLite,
  });

const progressQuery = (planId: string, period: string, region: string) => ({
  queryKey: ["progress", planId, period, region],
  queryFn: async () => (await read(api.plans[":planId"].progress.$get({ param: { planId }, query: { period, region } }))) as unknown as Evaluation,
});

export const useProgress = (planId: string | undefined, period: string, region: string | undefined) =>
  useQuery({ ...progressQuery(planId ?? "", period, region ?? ""), enabled: !!planId && !!region });

/** One evaluation per child region (region=county), for the chart and the drill-down. */
export const useChildProgress = (planId: string | undefined, period: string, regions: string[]) =>
  useQueries({ queries: regions.map((r) => ({ ...progressQuery(planId ?? "", period, r), enabled: !!planId })) });
