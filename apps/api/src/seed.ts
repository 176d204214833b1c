import { readFileSync } from "node:fs";
import { parseBundle } from "@minsheng/domain";
import { appendAudit, type Database, importBundle, type Queryable } from "@minsheng/db";
import { Either } from "@minsheng/domain";
import { hasLiveEnrolmentCode, issueEnrolmentCode } from "./auth/mfa.js";
import { verifyPassword } from "./auth/password.js";
import { isAdminRole, type Role, roleLabel } from "./auth/roles.js";
import { createUser, NewUser } from "./users/service.js";

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

/** A setting the server cannot start with; its message names the setting and what to do. */
export class StartupError extends Error {}

const production = (env: Record<string, string | undefined>) => env.NODE_ENV === "production";

/**
 * SEED: `demo` loads the demo (seed 003's plan and the accounts above); unset, empty or `none`
 * loads nothing. `npm start` asks for the demo; NODE_ENV=production never gets it.
 */
export function seedFromEnv(env: Record<string, string | undefined>): "demo" | "none" {
  const seed = (env.SEED ?? "").trim() || "none";
  if (seed !== "demo" && seed !== "none") throw new StartupError(`SEED must be demo or none (got "${seed}")`);
  if (seed === "demo" && production(env))
    throw new StartupError(
      "SEED=demo is refused with NODE_ENV=production: the demo accounts share the password published in the README. " +
        "Start without SEED and name your own administrators with ADMIN_USERNAME / ADMIN_PASSWORD (and SECURITY_ADMIN_…, AUDIT_ADMIN_…).",
    );
  return seed;
}

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

/** The demo accounts this database holds that still sign in with the demo password (disabled ones too: they can be enabled again). */
export async function demoAccountsIn(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ username: string; password_hash: string }>("SELECT username, password_hash FROM users WHERE username = ANY($1::text[]) ORDER BY id", [
    demoAccounts.map((a) => a.username),
  ]);
  const found: string[] = [];
  for (const r of rows) if (await verifyPassword(DEMO_PASSWORD, r.password_hash)) found.push(r.username);
  return found;
}

/** NODE_ENV=production on a database holding a demo account (the README's password opens it): refused. */
export async function refuseDemoAccounts(db: Queryable, env: Record<string, string | undefined>): Promise<void> {
  if (!production(env)) return;
  const found = await demoAccountsIn(db);
  if (found.length > 0)
    throw new StartupError(
      `NODE_ENV=production refuses this database: it holds demo accounts with the demo password published in the README (${found.join(", ")}). ` +
        "Start on an empty database (a new DATA_DIR or DATABASE_URL) with ADMIN_USERNAME / ADMIN_PASSWORD, or first give these accounts passwords of their own (用户管理, as a security administrator, without NODE_ENV=production).",
    );
}

/** The three administrators (三员) the operator names in the environment: ADMIN_…, SECURITY_ADMIN_…, AUDIT_ADMIN_…. */
export const bootstrapSettings = [
  ["ADMIN", "admin"],
  ["SECURITY_ADMIN", "security_admin"],
  ["AUDIT_ADMIN", "audit_admin"],
] as const satisfies readonly (readonly [string, Role])[];

export interface BootstrapAccount {
  prefix: (typeof bootstrapSettings)[number][0];
  role: Role;
  username: string;
  password: string;
}

/**
 * The administrators named in the environment, checked before anything is written: both halves of
 * each pair, the username and password rules of any account (NewUser), not the demo password, and
 * three different people (三员分立).
 */
export function bootstrapAccountsFromEnv(env: Record<string, string | undefined>): BootstrapAccount[] {
  const accounts: BootstrapAccount[] = [];
  for (const [prefix, role] of bootstrapSettings) {
    const username = env[`${prefix}_USERNAME`]?.trim() || undefined;
    const password = env[`${prefix}_PASSWORD`] || undefined;
    if (username === undefined && password === undefined) continue;
    if (username === undefined || password === undefined) throw new StartupError(`${prefix}_USERNAME and ${prefix}_PASSWORD go together: set both or neither`);
    const parsed = NewUser.safeParse({ username, password, displayName: roleLabel[role], role });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const setting = issue.path[0] === "password" ? `${prefix}_PASSWORD` : `${prefix}_USERNAME`;
      throw new StartupError(`${setting} ${issue.message}`);
    }
    if (password === DEMO_PASSWORD) throw new StartupError(`${prefix}_PASSWORD must not be the demo password published in the README`);
    const twin = accounts.find((a) => a.username === username);
    if (twin) throw new StartupError(`${twin.prefix}_USERNAME and ${prefix}_USERNAME name the same account ${username}: the three administrators are three different accounts`);
    accounts.push({ prefix, role, username, password });
  }
  return accounts;
}

export interface Bootstrapped {
  account: BootstrapAccount;
  created: boolean;
  /** printed once: the administrator binds an authenticator with it (none when enrolled or one is still live) */
  enrolmentCode: { code: string; expiresAt: string } | null;
}

/**
 * Creates each administrator the environment names unless that account exists (whoever else holds
 * the role: the operator's own account is always there after the start), and gives one not yet
 * enrolled in two-factor sign-in an enrolment code when it has no live one. An existing account
 * of another role is a start-up error (nothing of the three is written); an existing one keeps its password.
 */
export async function bootstrapAdmins(db: Database, accounts: BootstrapAccount[], now: Date): Promise<Bootstrapped[]> {
  return db.transaction(async (tx) => {
    const done: Bootstrapped[] = [];
    for (const account of accounts) done.push(await bootstrapAdmin(tx, account, now));
    return done;
  });
}

async function bootstrapAdmin(tx: Queryable, account: BootstrapAccount, now: Date): Promise<Bootstrapped> {
  const { rows } = await tx.query<{ id: string; role: Role; totp_enabled_at: Date | string | null }>("SELECT id, role, totp_enabled_at FROM users WHERE username = $1 FOR UPDATE", [
    account.username,
  ]);
  let user = rows[0];
  if (user && user.role !== account.role)
    throw new StartupError(
      `${account.prefix}_USERNAME names the existing account ${account.username}, whose role is ${user.role} (${roleLabel[user.role]}), not ${account.role} (${roleLabel[account.role]}): name another account`,
    );
  const created = !user;
  if (!user) {
    const { username, password, role } = account;
    const id = await createUser(tx, { username, password, role, displayName: roleLabel[role], region: null, unit: null }, "system");
    user = { id: String(id), role, totp_enabled_at: null };
  }
  let enrolmentCode: Bootstrapped["enrolmentCode"] = null;
  if (user.totp_enabled_at === null && !(await hasLiveEnrolmentCode(tx, user.id, now))) {
    enrolmentCode = await issueEnrolmentCode(tx, user.id, "system", now);
    await appendAudit(tx, { actor: "system", action: "user.enrolment_code", entity: "user", entityId: user.id, after: { username: account.username, expiresAt: enrolmentCode.expiresAt }, at: now });
  }
  return { account, created, enrolmentCode };
}

/** Enrolment codes for the demo's three administrators, so the demo can show their two-factor sign-in too. */
export async function demoEnrolmentCodes(db: Database, now: Date): Promise<{ username: string; code: string }[]> {
  return db.transaction(async (tx) => {
    const codes: { username: string; code: string }[] = [];
    for (const a of demoAccounts.filter((x) => isAdminRole(x.role))) {
      const { rows } = await tx.query<{ id: string }>("SELECT id FROM users WHERE username = $1", [a.username]);
      if (rows[0]) codes.push({ username: a.username, code: (await issueEnrolmentCode(tx, rows[0].id, "system", now)).code });
    }
    return codes;
  });
}
