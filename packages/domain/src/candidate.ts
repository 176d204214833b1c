import { z } from "zod";
import { PlanYear } from "./period.js";
import { Id } from "./plan.js";

/** 候选项目: next year's projects, collected from the public and voted by people's-congress deputies (票决). */
export const CANDIDATE_SOURCES = ["public", "department", "deputy"] as const;
export const Candidate = z.object({
  id: Id,
  year: PlanYear,
  region: z.string(),
  title: z.string().trim().min(2).max(200),
  description: z.string().trim().max(5000).default(""),
  /** where it came from: 群众征集 / 部门申报 / 代表建议 */
  source: z.enum(CANDIDATE_SOURCES),
});
export type Candidate = z.infer<typeof Candidate>;
export type CandidateSource = Candidate["source"];

/**
 * A candidate's life (rule 13): a citizen's proposal waits in moderation (pending) like a
 * suggestion; proposed → adopted (采纳为候选项目) or declined (不予采纳, with a reason the proposer
 * reads); a duplicate is merged into another; spam is rejected in moderation.
 */
export const CANDIDATE_STATES = ["pending", "proposed", "adopted", "declined", "merged", "rejected"] as const;
export type CandidateState = (typeof CANDIDATE_STATES)[number];

/** The levels of people's congress that vote (乡镇人大 too: 河伯乡, seed 000). */
export const CONGRESS_LEVELS = ["province", "city", "county", "township"] as const;
export type CongressLevel = (typeof CONGRESS_LEVELS)[number];

export const VoteChoice = z.enum(["for", "against", "abstain"]);
export type VoteChoice = z.infer<typeof VoteChoice>;

export const Vote = z.object({
  candidate: Id,
  deputy: Id,
  choice: VoteChoice,
});
export type Vote = z.infer<typeof Vote>;

export interface VoteCount {
  candidate: string;
  for: number;
  against: number;
  abstain: number;
}

export interface VoteTally extends VoteCount {
  /** carried when votes for exceed half of the deputies entitled (rule 13: 全体代表的过半数) */
  carried: boolean;
}

/** Whether votes for carry a candidate: more than half of those entitled, not of those voting (rule 13). */
export const carries = (votesFor: number, entitled: number): boolean => votesFor * 2 > entitled;

/** A session is valid (有效) when the deputies present are at least two thirds of those entitled. */
export const quorate = (present: number, entitled: number): boolean => present * 3 >= entitled * 2;

/** Counts a deputy-by-deputy vote; each deputy's last ballot per candidate counts once. */
export function countVotes(candidates: readonly string[], votes: readonly Vote[]): VoteCount[] {
  const last = new Map<string, Vote>();
  for (const v of votes) last.set(`${v.candidate}\u0000${v.deputy}`, v);
  return candidates.map((candidate) => {
    const mine = [...last.values()].filter((v) => v.candidate === candidate);
    const count = (c: VoteChoice) => mine.filter((v) => v.choice === c).length;
    return { candidate, for: count("for"), against: count("against"), abstain: count("abstain") };
  });
}

/**
 * Tallies a vote against the deputies entitled to vote (应到代表). Until this issue the bar was half
 * of the deputies voting; rule 13 says half of those entitled, so a candidate few voted on no
 * longer carries on a handful of votes.
 */
export function tallyVotes(candidates: readonly string[], votes: readonly Vote[], entitled: number): VoteTally[] {
  return countVotes(candidates, votes).map((t) => ({ ...t, carried: carries(t.for, entitled) }));
}

export interface VoteSession {
  entitled: number;
  present: number;
  seats: number;
}

export type VoteSessionProblem =
  | { kind: "present_over_entitled"; path: "$.present" }
  | { kind: "too_few_candidates"; path: "$.candidates" };

/** What makes a session impossible before anyone votes: more present than entitled; no more candidates than seats (差额). */
export function voteSessionProblems(s: VoteSession, candidates: number): VoteSessionProblem[] {
  const out: VoteSessionProblem[] = [];
  if (s.present > s.entitled) out.push({ kind: "present_over_entitled", path: "$.present" });
  if (candidates <= s.seats) out.push({ kind: "too_few_candidates", path: "$.candidates" });
  return out;
}

/** The counts of a candidate cannot add up to more than the deputies present (one choice each). */
export const countOverPresent = (c: Omit<VoteCount, "candidate">, present: number): boolean => c.for + c.against + c.abstain > present;

export interface VoteResult {
  /** at least two thirds of those entitled were present */
  valid: boolean;
  /** who takes a seat, most votes for first */
  elected: string[];
  /** tied at the last seat: the system does not decide, the congress votes again between them */
  runoff: string[];
  candidates: { id: string; for: number; against: number; abstain: number; carried: boolean }[];
}

/**
 * Rule 13 on a session's counts: validity, who carries, who takes the seats, a tie at the last
 * seat. An invalid session decides nothing (nobody carries). When more carry than there are seats,
 * those with most votes for take them; when the last seat falls among candidates with equal votes
 * for, those above the tie are elected and the tied go to a runoff for the seats left.
 */
export function decideVote(s: VoteSession, counts: readonly VoteCount[]): VoteResult {
  const valid = quorate(s.present, s.entitled);
  const candidates = counts.map((c) => ({ id: c.candidate, for: c.for, against: c.against, abstain: c.abstain, carried: valid && carries(c.for, s.entitled) }));
  const carried = candidates.filter((c) => c.carried).sort((a, b) => b.for - a.for);
  if (carried.length <= s.seats) return { valid, elected: carried.map((c) => c.id), runoff: [], candidates };
  const last = carried[s.seats - 1]!.for;
  const firstOut = carried[s.seats]!.for;
  if (last !== firstOut) return { valid, elected: carried.slice(0, s.seats).map((c) => c.id), runoff: [], candidates };
  return {
    valid,
    elected: carried.filter((c) => c.for > last).map((c) => c.id),
    runoff: carried.filter((c) => c.for === last).map((c) => c.id),
    candidates,
  };
}
