import type { ApiClient } from "@minsheng/api/client";
import type { InferResponseType } from "hono/client";
import { call } from "./api";

/**
 * 票决制 on 码上通: a citizen's proposal for next year's plan (with a ticket to follow it) and the
 * year's voted projects. Answer types come from apps/api's routes (types only: nothing of the
 * server reaches the bundle).
 */

export type ProposalCreated = InferResponseType<ApiClient["public"]["proposals"]["$post"], 201>;
export type ProposalView = InferResponseType<ApiClient["public"]["proposals"]["tickets"][":ticket"]["$get"], 200>;
export type CongressYear = InferResponseType<ApiClient["public"]["congress"]["$get"], 200>;

export interface ProposalInput {
  region: string;
  title: string;
  description: string;
}

export const sendProposal = (input: ProposalInput) =>
  call<ProposalCreated>("/proposals", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(input) });

export const getProposal = (ticket: string) => call<ProposalView>(`/proposals/tickets/${encodeURIComponent(ticket)}`);

export const getCongressYear = (region: string, year: number) => call<CongressYear>(`/congress?region=${encodeURIComponent(region)}&year=${year}`);
