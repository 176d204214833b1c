import { DisclosureChecklist, type WorkCalendar } from "@minsheng/domain";
import type { Queryable } from "@minsheng/db";
import { z } from "zod";
import { IsoDate } from "../sites/content-schemas.js";

/**
 * The disclosure checklist of rule 6 is configuration: which obligations count, the reply
 * deadline in working days, and the calendar's holidays and make-up working days (调休). Stored in
 * app_settings under one key; the domain's defaults until someone sets it.
 */
export const DisclosureSettings = DisclosureChecklist.extend({
  holidays: z.array(IsoDate).max(400).default([]).describe("public holidays that fall on weekdays, YYYY-MM-DD"),
  workdays: z.array(IsoDate).max(100).default([]).describe("make-up working days (调休) on weekends, YYYY-MM-DD"),
});
export type DisclosureSettings = z.infer<typeof DisclosureSettings>;

export const DISCLOSURE_SETTINGS_KEY = "disclosure.checklist";

export async function loadDisclosureSettings(db: Queryable): Promise<DisclosureSettings> {
  const { rows } = await db.query<{ value: unknown }>("SELECT value FROM app_settings WHERE key = $1", [DISCLOSURE_SETTINGS_KEY]);
  const parsed = DisclosureSettings.safeParse(rows[0]?.value ?? {});
  return parsed.success ? parsed.data : DisclosureSettings.parse({});
}

export const calendarOf = (s: DisclosureSettings): WorkCalendar => ({ holidays: new Set(s.holidays), workdays: new Set(s.workdays) });
