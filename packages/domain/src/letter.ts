import { z } from "zod";
import { Id } from "./plan.js";

/** 温馨提示函 / 工作提示函 / 交办函 / 预警通知: a notice with a deadline for rectification. */
export const LetterKind = z.enum(["reminder", "work_notice", "assignment", "warning"]);
export type LetterKind = z.infer<typeof LetterKind>;

const DateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");

export const Letter = z
  .object({
    id: Id,
    kind: LetterKind,
    /** the unit or region it is addressed to */
    toUnit: Id.optional(),
    toRegion: z.string().optional(),
    project: Id.optional(),
    subject: z.string().trim().min(2).max(200),
    body: z.string().trim().min(2).max(20_000),
    issuedOn: DateText,
    dueOn: DateText,
    rectifiedOn: DateText.nullable().default(null),
  })
  .refine((l) => l.toUnit !== undefined || l.toRegion !== undefined, { message: "must name a unit or a region", path: ["toUnit"] })
  .refine((l) => l.dueOn >= l.issuedOn, { message: "must not be before the issue date", path: ["dueOn"] });
export type Letter = z.infer<typeof Letter>;

/** A letter is overdue when not rectified by its deadline (counts against the unit's score). */
export const isLetterOverdue = (letter: Pick<Letter, "dueOn" | "rectifiedOn">, today: string): boolean =>
  letter.rectifiedOn === null ? today > letter.dueOn : letter.rectifiedOn > letter.dueOn;
