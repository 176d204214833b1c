/**
 * A WHERE clause built filter by filter, with numbered parameters ($1, $2 …): each `add` names
 * its condition with the placeholder it is given, so values never enter the SQL text.
 */
export function conditions() {
  const params: unknown[] = [];
  const where: string[] = [];
  return {
    params,
    add(condition: (placeholder: string) => string, value: unknown): void {
      params.push(value);
      where.push(condition(`$${params.length}`));
    },
    /** `WHERE a AND b`, or nothing when no filter was added */
    clause: (): string => (where.length ? `WHERE ${where.join(" AND ")}` : ""),
  };
}
