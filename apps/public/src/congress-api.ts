import type { ApiClient } from "@minsheng/api/client";
import type { InferRequestType, InferResponseType } from "hono/client";
import { call, url } from "./api";

/**
 * 票决制 on 码上通: a citizen's proposal for next year's plan (with a ticket to follow it) and the
 * year's voted projects. Routes, bodies and answers are the typed client's (types only: nothing of
 * the server reaches the bundle).
 */

type ProposalsRoute = ApiClient["public"]["proposals"];
type ProposalTicketRoute = ProposalsRoute["tickets"][":ticket"];
type CongressRoute = ApiClient["public"]["congress"];

export type ProposalCreated = InferResponseType<ProposalsRoute["$post"], 201>;
export type ProposalView = InferResponseType<ProposalTicketRoute["$get"], 200>;
export type CongressYear = InferResponseType<CongressRoute["$get"], 200>;
export type ProposalInput = InferRequestType<ProposalsRoute["$post"]>["json"];

export const sendProposal = (input: ProposalInput) =>
  call<ProposalsRoute["$post"]>(url<ProposalsRoute>("/api/v1/public/proposals", {}), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(input) });

export const getProposal = (ticket: string) => call<ProposalTicketRoute["$get"]>(url<ProposalTicketRoute>("/api/v1/public/proposals/tickets/:ticket", { ticket }));

export const getCongressYear = (region: string, year: number) =>
  call<CongressRoute["$get"]>(url<CongressRoute>("/api/v1/public/congress", {}, `?region=${encodeURIComponent(region)}&year=${year}`));
