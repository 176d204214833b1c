import type { Queryable } from "@minsheng/db";
import { DISCLOSURE_SETTINGS_KEY, type DisclosureSettings } from "../lib/settings.js";

/** Data access of disclosure (rule 6): the checklist stored in app_settings (read by lib/settings.ts's loadDisclosureSettings). */

export async function saveChecklist(db: Queryable, checklist: DisclosureSettings, actor: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO app_settings (key, value, updated_by, updated_at) VALUES ($1, $2::jsonb, $3, $4)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    [DISCLOSURE_SETTINGS_KEY, JSON.stringify(checklist), actor, at.toISOString()],
  );
}
