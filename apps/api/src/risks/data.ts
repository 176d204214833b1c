import type { Queryable } from "@minsheng/db";

/** Data access of the early warning: whether the plan exists (its figures come through the plan cache). */
export async function planExists(db: Queryable, planId: string): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM plans WHERE id = $1", [planId]);
  return rows.length > 0;
}
