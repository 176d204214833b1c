import type { Role } from "./roles.js";

/** Who is calling: a signed-in user (session cookie) or an integrator's token acting as its user. */
export interface Principal {
  userId: number;
  username: string;
  displayName: string;
  role: Role;
  /** the region whose subtree the user may see and act in; null for an admin (everywhere) */
  region: string | null;
  /** a reporter tied to a unit reports only for projects that unit leads */
  unit: string | null;
  via: "session" | "token";
  /** audit actor: "user:alice" or "token:7(alice)" */
  actor: string;
}
