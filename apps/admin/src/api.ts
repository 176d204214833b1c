import { createClient } from "@minsheng/api/client";
import type { InferResponseType } from "hono/client";
import { periodAt } from "@minsheng/domain/calendar";
import { disclosureBandLabel, type Role, statusLabel as domainStatusLabel } from "@minsheng/domain/labels";
import { fieldLabel, messageText, problemText } from "./api-messages";

/** The typed client (hono/client) against the server that serves this console. */
export const api = createClient(typeof location === "undefined" ? "http://localhost" : location.origin);

export interface Problem {
  path: string;
  message: string;
  /** what kind of problem: an error code of the table, or zod's issue code (`too_small` …) */
  code?: string;
  /** the figures the problem names (`minimum`, `region` …) */
  params?: Record<string, unknown>;
  /** the API's own wording (English), when `message` is its Chinese */
  apiMessage?: string;
}

/** An error answer's body as the API sends it. */
export interface ErrorBody {
  error?: { code?: string; message?: string; params?: Record<string, unknown>; problems?: Problem[] };
}

/**
 * An error answer of the API: `{ error: { code, message, params, problems } }` with its status. The
 * message is its code's Chinese text (`errorText(code, params)`, api-messages.ts), each problem's
 * too, so whatever shows them speaks Chinese; the API's English stays beside them (`apiMessage`).
 */
export class ApiProblem extends Error {
  readonly problems: Problem[];
  /** the API's message as sent */
  readonly apiMessage: string;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    problems: Problem[] = [],
    readonly params: Record<string, unknown> = {},
  ) {
    super(messageText(code, status, message, params));
    this.apiMessage = message;
    // a problem with its apiMessage was put in Chinese already (an ApiProblem made again from another)
    this.problems = problems.map((p) => (p.apiMessage !== undefined ? { ...p } : { ...p, message: problemText(p), apiMessage: p.message }));
  }

  /** The error of an answer's status and body (`read`, and the uploads that use XMLHttpRequest). */
  static of(status: number, body: ErrorBody | null | undefined): ApiProblem {
    const e = body?.error;
    return new ApiProblem(status, e?.code ?? "Error", e?.message ?? `HTTP ${status}`, e?.problems ?? [], e?.params ?? {});
  }
}

/** Reads a typed response: its JSON on success, an ApiProblem otherwise. */
export async function read<T>(p: Promise<{ ok: boolean; status: number; json(): Promise<T> }> | { ok: boolean; status: number; json(): Promise<T> }): Promise<T> {
  const res = await p;
  if (res.ok) return (await res.json()) as T;
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    /* not JSON */
  }
  throw ApiProblem.of(res.status, body);
}

/** `$.value` → `value`; `$.items[0].id` → `items[0].id` (a form field name). */
export const fieldOf = (path: string) => path.replace(/^\$\.?/, "");

/** Problems to antd `form.setFields` entries (only those naming one of `fields`); the rest are returned apart. */
export function problemsToFields(e: unknown, fields: string[]): { fields: { name: string; errors: string[] }[]; rest: string[] } {
  if (!(e instanceof ApiProblem)) return { fields: [], rest: [errorText(e)] };
  const byField = new Map<string, string[]>();
  const rest: string[] = [];
  for (const p of e.problems) {
    const f = fieldOf(p.path);
    if (fields.includes(f)) byField.set(f, [...(byField.get(f) ?? []), p.message]);
    else rest.push(problemLine(p));
  }
  if (byField.size === 0 && rest.length === 0) rest.push(e.message);
  return { fields: [...byField].map(([name, errors]) => ({ name, errors })), rest };
}

/** A problem not shown at its field: "序号：已被本计划的实事 sy2025-i01 使用". */
export const problemLine = (p: Problem): string => {
  const label = fieldLabel(p.path);
  return label ? `${label}：${p.message}` : p.message;
};

/** What to tell the user about a failed call: an answer's message is in Chinese already (ApiProblem); fetch's own failure is not. */
export const errorText = (e: unknown): string =>
  e instanceof TypeError && /fetch|network|load failed/i.test(e.message) ? "网络连接失败，请检查网络后重试" : e instanceof Error ? e.message : String(e);

export type { Role };
/** The signed-in user (GET /auth/me), typed from the route. */
export type Me = InferResponseType<typeof api.auth.me.$get, 200>;

export const isStaff = (r: Role) => r === "admin" || r.startsWith("staff_");

/** The menu: what each role may open. */
export const sections = [
  { key: "dashboard", label: "总览", allow: (r: Role) => isStaff(r) },
  { key: "report", label: "填报", allow: (r: Role) => r === "reporter" || r === "admin" },
  { key: "review", label: "核验", allow: (r: Role) => r === "reviewer" || r === "admin" },
  // 三员分立: the audit administrator reads the whole log; staff and reviewers the history of their area's records
  { key: "audit", label: "审计", allow: (r: Role) => r === "audit_admin" || r === "staff_province" || r === "staff_city" || r === "reviewer" },
  { key: "plans", label: "计划管理", allow: (r: Role) => isStaff(r) },
  // 通报: the task force of a region and above (bulletins.*); Excel 导入: whoever reports (reports.write)
  { key: "bulletins", label: "通报", allow: (r: Role) => isStaff(r) },
  { key: "imports", label: "Excel 导入", allow: (r: Role) => r === "reporter" || r === "admin" },
  // 码上通: sites.read / content.write / feedback.* are staff's and units' (reporters'); the disclosure scores need plans.read
  { key: "sites", label: "项目点位", allow: (r: Role) => isStaff(r) || r === "reporter" },
  { key: "feedback", label: "意见建议", allow: (r: Role) => isStaff(r) || r === "reporter" },
  // 考评: the task forces rank and warn their units (scorecards.manage); units and reviewers read the cards
  { key: "scorecards", label: "考评", allow: (r: Role) => isStaff(r) || r === "reporter" || r === "reviewer" },
  { key: "disclosure", label: "信息公开考核", allow: (r: Role) => (["admin", "staff_province", "staff_city", "staff_county", "reporter", "reviewer", "observer"] as string[]).includes(r) },
  { key: "users", label: "用户管理", allow: (r: Role) => r === "security_admin" },
  // 督办 (rules 11-12): the task force sorts filings and runs letters; units and task forces answer letters; observers file
  { key: "supervision", label: "督办", allow: (r: Role) => r === "staff_province" || r === "staff_city" || r === "staff_county" },
  { key: "letters", label: "待办函件", allow: (r: Role) => r === "staff_province" || r === "staff_city" || r === "staff_county" || r === "reporter" },
  { key: "observe", label: "观察员报送", allow: (r: Role) => r === "observer" },
  // 票决与测评 (rules 13-15): congress.read — staff, units (reporters), reviewers and observers (deputies)
  { key: "congress", label: "票决与测评", allow: (r: Role) => (["admin", "staff_province", "staff_city", "staff_county", "reporter", "reviewer", "observer"] as string[]).includes(r) },
] as const;

// The domain's names, looked up by the plain strings the pages hold (a band already in Chinese,
// as some imported records carry it, is shown as it is: the pages fall back to the value).
export const statusLabel: Readonly<Record<string, string>> = domainStatusLabel;
export const statusColor: Record<string, string> = { completed: "green", on_schedule: "blue", behind: "red" };
export const bandLabel: Readonly<Record<string, string>> = disclosureBandLabel;
export const bandColor: Record<string, string> = { good: "green", fair: "gold", poor: "red" };

/** The month now in China (YYYY-MM). */
export const currentPeriod = (now = new Date()): string => periodAt(now.getTime());

/** Sections whose page exists; the others stay out of the menu and the router until built. */
export const builtSections = new Set<string>(["dashboard", "report", "review", "audit", "users", "sites", "feedback", "disclosure", "plans", "bulletins", "imports", "supervision", "letters", "observe", "scorecards", "congress"]);
