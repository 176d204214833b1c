import { useQueries, useQuery } from "@tanstack/react-query";
import type { InferResponseType } from "hono/client";
import { api, read } from "./api";

/** A plan's evaluation at a region and month (GET /plans/:planId/progress), typed from the route. */
export type Evaluation = InferResponseType<(typeof api.plans)[":planId"]["progress"]["$get"], 200>;
export type IndicatorResult = Evaluation["indicators"][number];
export type ProjectResult = Evaluation["projects"][number];
/** The plan as a bundle (GET /bundles/:planId). */
export type Bundle = InferResponseType<(typeof api.bundles)[":planId"]["$get"], 200>;
export type PlanSummary = InferResponseType<typeof api.plans.$get, 200>["plans"][number];

export const usePlans = () =>
  useQuery({ queryKey: ["plans"], queryFn: async () => (await read(api.plans.$get())).plans });

/** The plan as a bundle (names of items, projects, indicators, regions); staff and admins only. */
export const useBundle = (planId: string | undefined) =>
  useQuery({
    queryKey: ["bundle", planId],
    enabled: !!planId,
    staleTime: 5 * 60_000,
    queryFn: async () => read(api.bundles[":planId"].$get({ param: { planId: planId! } })),
  });

const progressQuery = (planId: string, period: string, region: string) => ({
  queryKey: ["progress", planId, period, region],
  queryFn: async () => read(api.plans[":planId"].progress.$get({ param: { planId }, query: { period, region } })),
});

export const useProgress = (planId: string | undefined, period: string, region: string | undefined) =>
  useQuery({ ...progressQuery(planId ?? "", period, region ?? ""), enabled: !!planId && !!region });

/** One evaluation per child region (region=county), for the chart and the drill-down. */
export const useChildProgress = (planId: string | undefined, period: string, regions: string[]) =>
  useQueries({ queries: regions.map((r) => ({ ...progressQuery(planId ?? "", period, r), enabled: !!planId })) });
