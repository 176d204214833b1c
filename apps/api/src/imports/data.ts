import type { Queryable } from "@minsheng/db";

/** Data access of the Excel import beyond the reports' own (reports/data.ts): the names a template shows. */

/** A unit's name, or null when there is no such unit. */
export async function unitName(db: Queryable, unit: string): Promise<string | null> {
  const { rows } = await db.query<{ name: string }>("SELECT name FROM units WHERE id = $1", [unit]);
  return rows[0]?.name ?? null;
}
