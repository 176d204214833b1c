import { z } from "zod";
import { requirePermission } from "../auth/middleware.js";
import { Password } from "../auth/password.js";
import { Role } from "../auth/roles.js";
import { defineOperation, router } from "../lib/operation.js";
import { listUsers } from "./data.js";
import { addUser, changeUser, issueUserEnrolmentCode, NewUser, resetUserTwoFactor } from "./service.js";

/** 用户管理: the security administrator's accounts, roles, areas and second-factor resets. */

export const UserPatch = z
  .object({
    displayName: z.string().trim().min(1).max(50),
    password: Password,
    role: Role,
    region: z.string().regex(/^\d{6,12}$/, "must be a region code").nullable(),
    unit: z.string().min(1).max(64).nullable(),
    disabled: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "must change at least one field");

export const IdParam = z.object({ id: z.coerce.number().int().positive("must be a user id") });

// Answers.
const Ok = z.object({ ok: z.literal(true) });

const PublicUser = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: Role,
  region: z.string().nullable(),
  unit: z.string().nullable(),
  disabled: z.boolean(),
  locked: z.boolean(),
  twoFactor: z.boolean().describe("two-factor sign-in is on"),
});

const users = { tag: "users", access: "users.manage" } as const;

export const listUsersOp = defineOperation({
  ...users, method: "get", path: "/", operationId: "listUsers",
  summary: ["用户列表", "List users"],
  success: { status: 200, description: "every account", schema: z.object({ users: z.array(PublicUser) }) },
});

export const createUserOp = defineOperation({
  ...users, method: "post", path: "/", operationId: "createUser",
  summary: ["新建用户", "Create a user"],
  body: NewUser,
  bodyExample: { username: "county2", displayName: "隆回县专班", password: "", role: "staff_county", region: "430524", unit: null },
  success: { status: 201, description: "created", schema: z.object({ id: z.number().int() }) },
  errors: [409],
});

export const updateUserOp = defineOperation({
  ...users, method: "patch", path: "/{id}", operationId: "updateUser",
  summary: ["修改用户", "Change a user (role, area, status or password ends their sessions)"],
  params: IdParam, body: UserPatch, bodyExample: { disabled: false },
  description: "Not your own role, area or status (separation of duties). Permission changes are audited as user.permissions.",
  success: { status: 200, description: "changed", schema: Ok },
});

export const resetUserTotpOp = defineOperation({
  ...users, method: "post", path: "/{id}/totp/reset", operationId: "resetUserTotp",
  summary: ["重置两步验证", "Reset a user's two-factor sign-in (lost phone): they enrol again; their sessions end"],
  params: IdParam,
  success: { status: 200, description: "reset", schema: Ok },
});

export const issueEnrolmentCodeOp = defineOperation({
  ...users, method: "post", path: "/{id}/totp/enrolment-code", operationId: "issueEnrolmentCode",
  summary: ["生成绑定码", "Issue an administrator's one-time enrolment code (绑定码) for binding an authenticator"],
  description: "Administrators only, not enrolled yet (or reset), not yourself. Shown once, valid 7 days; an older code stops working. Hand it over in person.",
  params: IdParam,
  success: { status: 201, description: "the code, never cached", schema: z.object({ code: z.string(), expiresAt: z.string() }) },
  errors: [409],
});

export const userRoutes = router()
  .openapi(listUsersOp, async (c) => {
    requirePermission(c.get("principal"), "users.manage");
    return c.json({ users: await listUsers(c.get("deps").db) }, 200);
  })
  .openapi(createUserOp, async (c) => {
    const p = requirePermission(c.get("principal"), "users.manage");
    const id = await addUser(c.get("deps"), p, c.req.valid("json"));
    return c.json({ id }, 201);
  })
  .openapi(updateUserOp, async (c) => {
    const p = requirePermission(c.get("principal"), "users.manage");
    await changeUser(c.get("deps"), p, c.req.valid("param").id, c.req.valid("json"));
    return c.json({ ok: true as const }, 200);
  })
  /** Turns a user's two-factor sign-in off (lost phone): they enrol again at the next sign-in; their sessions end. */
  .openapi(resetUserTotpOp, async (c) => {
    const p = requirePermission(c.get("principal"), "users.manage");
    await resetUserTwoFactor(c.get("deps"), p, c.req.valid("param").id);
    return c.json({ ok: true as const }, 200);
  })
  .openapi(issueEnrolmentCodeOp, async (c) => {
    const p = requirePermission(c.get("principal"), "users.manage");
    const issued = await issueUserEnrolmentCode(c.get("deps"), p, c.req.valid("param").id);
    c.header("Cache-Control", "no-store");
    return c.json(issued, 201);
  });
