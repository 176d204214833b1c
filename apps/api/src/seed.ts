import { readFileSync } from "node:fs";
import { parseBundle } from "@minsheng/domain";
import { appendAudit, type Database, importBundle } from "@minsheng/db";
import * as Either from "effect/Either";
import { type Role, roleLabel } from "./auth/roles.js";
import { createUser } from "./routes/users.js";

/** Demo accounts for every role (listed in the README); all share one demo password. */
export const DEMO_PASSWORD = "minsheng2024";
export const demoAccounts: { username: string; displayName: string; role: Role; region: string | null; unit: string | null }[] = [
  { username: "admin", displayName: "系统管理员", role: "admin", region: null, unit: null },
  // 三员分立: accounts, roles and tokens; the audit log
  { username: "security", displayName: "安全管理员", role: "security_admin", region: null, unit: null },
  { username: "auditor", displayName: "审计管理员", role: "audit_admin", region: null, unit: null },
  { username: "province", displayName: "省专班", role: "staff_province", region: "430000", unit: null },
  { username: "city", displayName: "邵阳市专班", role: "staff_city", region: "430500", unit: null },
  { username: "county", displayName: "邵阳县专班", role: "staff_county", region: "430523", unit: null },
  { username: "reporter", displayName: "邵阳县填报员", role: "reporter", region: "430523", unit: null },
  { username: "reporter-edu", displayName: "市教育局填报员", role: "reporter", region: "430500", unit: "edu" },
  { username: "reviewer", displayName: "邵阳市核验员", role: "reviewer", region: "430500", unit: null },
  { username: "observer", displayName: "民生实事观察员", role: "observer", region: "430500", unit: null },
];

export async function isEmpty(db: Database): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>("SELECT (SELECT count(*) FROM plans)::int + (SELECT count(*) FROM users)::int AS n");
  return rows[0]!.n === 0;
}

/** Loads the fixture plan and the demo accounts, in one transaction. */
export async function seedDemo(db: Database, bundlePath: string): Promise<void> {
  const bundle = Either.getOrThrowWith(parseBundle(JSON.parse(readFileSync(bundlePath, "utf8"))), (e) => e);
  await db.transaction(async (tx) => {
    const counts = await importBundle(tx, bundle);
    await appendAudit(tx, { actor: "system", action: "bundle.import", entity: "plan", entityId: bundle.plans.map((p) => p.id).join(","), after: counts });
    for (const a of demoAccounts) await createUser(tx, { ...a, password: DEMO_PASSWORD }, "system");
  });
}

/**
 * ADMIN_USERNAME / ADMIN_PASSWORD, SECURITY_ADMIN_… and AUDIT_ADMIN_…: the first account of each of
 * the three administrator roles (三员), created when nobody holds that role yet.
 */
export async function ensureAdmin(db: Database, username: string, password: string, role: Role = "admin"): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = $1", [role]);
  if (rows[0]!.n > 0) return false;
  await db.transaction((tx) => createUser(tx, { username, displayName: roleLabel[role], password, role, region: null, unit: null }, "system"));
  return true;
}
