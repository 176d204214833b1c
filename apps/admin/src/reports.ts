import { useQuery } from "@tanstack/react-query";
import { chinaDate, makePeriod, periodsOfYear, periodYear } from "@minsheng/domain/calendar";
import type { InferResponseType } from "hono/client";
import { ApiProblem, api, currentPeriod, read } from "./api";
import { postForm } from "./files";

/** A report as the API answers it (GET /reports/:id), typed from the route itself. */
export type ReportDetail = InferResponseType<(typeof api.reports)[":id"]["$get"], 200>;
export type ReportRow = InferResponseType<typeof api.reports.$get, 200>["reports"][number];
export type Evidence = ReportDetail["evidence"][number];
export type Task = InferResponseType<typeof api.reports.tasks.$get, 200>["tasks"][number];
export type ReportState = ReportRow["state"];

export const stateColor: Record<string, string> = { draft: "default", submitted: "processing", verified: "success", reduced: "warning", returned: "error" };

/** Values as the bulletins print them: thousands grouped, decimals kept as entered. */
export const fmt = (v: number | null | undefined) => (v === null || v === undefined ? "—" : v.toLocaleString("zh-CN", { maximumFractionDigits: 4 }));

/**
 * The month a reporter works on when the page opens: this month when some plan is of this year,
 * else December of the latest plan's year (the demo plan is 2024's).
 */
export function defaultPeriod(years: number[], now = new Date()): string {
  const current = currentPeriod(now);
  if (years.length === 0 || years.includes(periodYear(current))) return current;
  return makePeriod(Math.max(...years), 12);
}

/** Today in China (YYYY-MM-DD), to compare with deadlines. */
export const chinaToday = (now = new Date()): string => chinaDate(now.getTime());

/** The months of a year, for selects: "2024-01" … "2024-12". */
export const monthsOf = (year: number): string[] => periodsOfYear(year);

export const useReport = (id: number | null) =>
  useQuery({
    queryKey: ["report", id],
    enabled: id !== null,
    staleTime: 0,
    queryFn: async () => read(api.reports[":id"].$get({ param: { id: String(id) } })),
  });

/**
 * Uploads one evidence file (multipart, field `file`). The route reads the multipart body
 * itself, so the typed client gives the URL and fetch sends the form.
 */
export async function uploadEvidence(reportId: number, file: File): Promise<Evidence> {
  const form = new FormData();
  form.append("file", file, file.name);
  const op = api.reports[":id"].evidence;
  return postForm<typeof op.$post>(op.$url({ param: { id: String(reportId) } }), form);
}

/** The bytes of an evidence file (the download is an attachment; previews render it here). */
export async function fetchEvidence(id: Evidence["id"]): Promise<Blob> {
  const res = await api.evidence[":id"].$get({ param: { id } });
  if (!res.ok) throw new ApiProblem(res.status, "Error", `下载失败（HTTP ${res.status}）`);
  return res.blob();
}
