import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { InferResponseType } from "hono/client";
import { api, read } from "./api";

/**
 * 督办 (rules 11-12) for the console: observers' filings, letters and the registry, read through the
 * typed client; the answers' types are the API's own (success schemas of the operations).
 */

export type LetterList = InferResponseType<typeof api.letters.$get, 200>["letters"];
export type LetterRow = LetterList[number];
export type LetterDetail = InferResponseType<(typeof api.letters)[":id"]["$get"], 200>;
export type ObservationRow = InferResponseType<typeof api.observations.$get, 200>["observations"][number];
export type DutyRow = InferResponseType<typeof api.observers.duties.$get, 200>["observers"][number];

/** The board's columns: 草稿 / 待办 (issued, not closed) / 逾期 / 已销号. */
export type Board = "draft" | "waiting" | "overdue" | "closed";

export const useLetters = (query: { state?: Board | "issued"; region?: string; to?: "me" }, options: { enabled?: boolean; refetchInterval?: number } = {}) =>
  useQuery({
    queryKey: ["letters", query.state ?? "", query.region ?? "", query.to ?? ""],
    placeholderData: keepPreviousData,
    ...options,
    queryFn: async () => (await read(api.letters.$get({ query }))).letters,
  });

export const useLetter = (id: number | null) =>
  useQuery({
    queryKey: ["letter", id],
    enabled: id !== null,
    queryFn: async () => read(api.letters[":id"].$get({ param: { id: String(id) }, query: {} })),
  });

export const useObservations = (query: { state?: "submitted" | "no_action" | "forwarded" | "letter"; region?: string }) =>
  useQuery({
    queryKey: ["observations", query.state ?? "", query.region ?? ""],
    placeholderData: keepPreviousData,
    queryFn: async () => (await read(api.observations.$get({ query }))).observations,
  });

/** Days left until a deadline (negative: past), by China dates. */
export function daysLeft(dueOn: string, today: string): number {
  return Math.round((Date.parse(`${dueOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

/** An upload to a route that reads its multipart body itself: the typed client gives the URL, fetch sends the form. */
export async function uploadPhoto(observationId: number, file: File) {
  const form = new FormData();
  form.append("photo", file, file.name);
  const url = api.observations[":id"].photos.$url({ param: { id: String(observationId) } });
  return read<InferResponseType<(typeof api.observations)[":id"]["photos"]["$post"], 201>>(fetch(url, { method: "POST", body: form, credentials: "include" }));
}

export async function uploadReplyFile(letterId: number, replyId: number, file: File) {
  const form = new FormData();
  form.append("file", file, file.name);
  const url = api.letters[":id"].replies[":replyId"].files.$url({ param: { id: String(letterId), replyId: String(replyId) } });
  return read<InferResponseType<(typeof api.letters)[":id"]["replies"][":replyId"]["files"]["$post"], 201>>(fetch(url, { method: "POST", body: form, credentials: "include" }));
}
