import { ROLES, roleLabel } from "@minsheng/domain";
import { z } from "zod";

/**
 * Roles. Staff are the task force (工作专班) at a level; a reporter reports for a unit or county
 * (责任单位填报员); a reviewer verifies evidence (核验员); an observer inspects (观察员).
 * Administration is split three ways (三员分立, 等保 2.0 level 3): the system administrator runs
 * plans and configuration, the security administrator accounts, roles and tokens, the audit
 * administrator reads the audit log — none holds another's permissions.
 */
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
/** The roles' Chinese names are the domain's (labels.ts), shared with the console. */
export { roleLabel };

/** What a role may do; the region check comes on top (own region's subtree only, admin excepted). */
export type Permission =
  | "plans.read"
  | "plans.import"
  | "plans.export"
  /** 计划管理: edit the plans one's region issued and split targets down inside one's area */
  | "plans.edit"
  | "reports.read"
  | "reports.write"
  | "reports.review"
  | "evidence.read"
  /** the whole audit log: search it, verify its chain (audit administrator) */
  | "audit.read"
  /** the change history of one record of one's area (staff, reviewers) */
  | "audit.history"
  | "users.manage"
  | "tokens.manage"
  // 码上通: project sites, their published content and citizens' feedback
  | "sites.read"
  | "content.write"
  | "feedback.read"
  | "feedback.moderate"
  | "feedback.answer"
  | "settings.manage"
  // 通报: preview and download bulletins, keep narrative drafts; issue them (第 N 期)
  | "bulletins.read"
  | "bulletins.issue"
  // 督办 (rules 11-12): observers file; the task force keeps the registry, sorts filings and issues letters; addressees answer
  | "observations.file"
  | "observations.read"
  | "supervision.manage"
  | "letters.read"
  | "letters.answer"
  // 考评: read the monthly unit scorecards (a unit's reporter: its own card); set the scheme, adjust, issue, record interviews
  | "scorecards.read"
  | "scorecards.manage"
  // 票决制 and the year around the plan (rules 13-15): read; propose; run (screen, sessions, tallies, plan); ask; answer; vote as a deputy
  | "congress.read"
  | "congress.propose"
  | "congress.manage"
  | "congress.ask"
  | "congress.answer"
  | "congress.vote";

const grants: Record<Role, Permission[]> = {
  admin: ["plans.read", "plans.import", "plans.export", "reports.read", "reports.write", "reports.review", "evidence.read"],
  security_admin: ["users.manage", "tokens.manage"],
  audit_admin: ["audit.read", "audit.history"],
  staff_province: ["plans.read", "plans.export", "reports.read", "evidence.read", "audit.history"],
  staff_city: ["plans.read", "plans.export", "reports.read", "evidence.read", "audit.history"],
  staff_county: ["plans.read", "plans.export", "reports.read", "evidence.read"],
  reporter: ["plans.read", "reports.read", "reports.write", "evidence.read"],
  reviewer: ["plans.read", "reports.read", "reports.review", "evidence.read", "audit.history"],
  observer: ["plans.read"],
};

// 码上通: staff and units (reporters) work on their area's project sites; staff moderate; admins set the checklist.
for (const role of ["admin", "staff_province", "staff_city", "staff_county", "reporter"] as const)
  grants[role].push("sites.read", "content.write", "feedback.read", "feedback.answer");
for (const role of ["admin", "staff_province", "staff_city", "staff_county"] as const) grants[role].push("feedback.moderate");
grants.admin.push("settings.manage");
// 通报: the task force of a region (and those above it) writes and issues its bulletins; the system admin everywhere.
for (const role of ["admin", "staff_province", "staff_city", "staff_county"] as const) grants[role].push("bulletins.read", "bulletins.issue");

// 计划管理: the province and city task forces keep their own plans and split targets down in their area (the system admin: every plan).
for (const role of ["admin", "staff_province", "staff_city"] as const) grants[role].push("plans.edit");

// 督办: observers file and follow their filings; task forces run supervision; units (reporters) and task forces answer letters.
grants.observer.push("observations.file", "observations.read");
for (const role of ["staff_province", "staff_city", "staff_county"] as const) grants[role].push("observations.read", "supervision.manage", "letters.read", "letters.answer");
grants.reporter.push("letters.read", "letters.answer");
// 考评 (rule 8): the task forces score and warn their units; units and reviewers read the cards.
for (const role of ["admin", "staff_province", "staff_city", "staff_county", "reporter", "reviewer"] as const) grants[role].push("scorecards.read");
for (const role of ["admin", "staff_province", "staff_city", "staff_county"] as const) grants[role].push("scorecards.manage");
// 票决制: the task force runs the year (screening, sessions, tallies, the plan, the look-back); units
// (reporters) propose as departments and answer for their projects; observers who are deputies
// (人大代表观察员) propose, vote on a tablet, rate and ask. No deputy role: a deputy is an observer.
for (const role of ["admin", "staff_province", "staff_city", "staff_county", "reporter", "reviewer", "observer"] as const) grants[role].push("congress.read");
for (const role of ["admin", "staff_province", "staff_city", "staff_county", "reporter", "observer"] as const) grants[role].push("congress.propose");
for (const role of ["admin", "staff_province", "staff_city", "staff_county"] as const) grants[role].push("congress.manage", "congress.ask", "congress.answer");
grants.reporter.push("congress.answer");
grants.observer.push("congress.ask", "congress.vote");

export const can = (role: Role, permission: Permission): boolean => grants[role].includes(permission);

/** The three administrators (三员): no region, act everywhere within their own permissions. */
export const ADMIN_ROLES: readonly Role[] = ["admin", "security_admin", "audit_admin"];
export const isAdminRole = (role: Role): boolean => ADMIN_ROLES.includes(role);

/** Who must sign in with a second factor under each REQUIRE_2FA policy. */
export type TwoFactorPolicy = "off" | "admins" | "staff" | "all";
export const STAFF_ROLES: readonly Role[] = [...ADMIN_ROLES, "staff_province", "staff_city", "staff_county"];
export function twoFactorRequired(role: Role, policy: TwoFactorPolicy): boolean {
  if (policy === "all") return true;
  if (policy === "staff") return STAFF_ROLES.includes(role);
  if (policy === "admins") return isAdminRole(role);
  return false;
}
