import { z } from "zod";
import { Id } from "./plan.js";

/** 候选项目: next year's projects, collected from the public and voted by people's-congress deputies (票决). */
export const Candidate = z.object({
  id: Id,
  year: z.number().int().min(2000).max(2100),
  region: z.string(),
  title: z.string().trim().min(2).max(200),
  description: z.string().trim().max(5000).default(""),
  /** where it came from: 群众征集 / 部门申报 / 代表建议 */
  source: z.enum(["public", "department", "deputy"]),
});
export type Candidate = z.infer<typeof Candidate>;

export const Vote = z.object({
  candidate: Id,
  deputy: Id,
  choice: z.enum(["for", "against", "abstain"]),
});
export type Vote = z.infer<typeof Vote>;

export interface VoteTally {
  candidate: string;
  for: number;
  against: number;
  abstain: number;
  /** carried when votes for exceed half of the deputies voting (过半数) */
  carried: boolean;
}

/** Tallies a vote; each deputy's last ballot per candidate counts once. */
export function tallyVotes(candidates: readonly string[], votes: readonly Vote[]): VoteTally[] {
  const last = new Map<string, Vote>();
  for (const v of votes) last.set(`${v.candidate}\u0000${v.deputy}`, v);
  return candidates.map((candidate) => {
    const mine = [...last.values()].filter((v) => v.candidate === candidate);
    const count = (c: Vote["choice"]) => mine.filter((v) => v.choice === c).length;
    const t = { candidate, for: count("for"), against: count("against"), abstain: count("abstain") };
    return { ...t, carried: t.for * 2 > mine.length };
  });
}
