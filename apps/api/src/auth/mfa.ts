import { createHash, randomBytes } from "node:crypto";
import type { Queryable } from "@minsheng/db";
import { fail } from "../lib/errors.js";
import type { SiteSecrets } from "../lib/secrets.js";
import { base32, TOTP_SEAL_PURPOSE as PURPOSE } from "../lib/secrets.js";
import { qrSvg } from "../lib/sign.js";
import { hashSecret, newSecret } from "./sessions.js";
import { base32Encode, newTotpSecret, otpauthUri, verifyTotp } from "./totp.js";

/**
 * Two-factor sign-in (等保 2.0 level 3: two factors for administrators and staff). After a correct
 * password the caller gets a short-lived challenge instead of a session; the session comes with a
 * TOTP code (or a one-time recovery code). A user who must use 2FA and has not enrolled yet enrols
 * with the challenge: a new secret (sealed at rest), its otpauth:// URI and QR code, confirmed by a
 * first code, which also hands out ten recovery codes (stored hashed, shown once).
 */

export const CHALLENGE_MINUTES = 5;
export const CHALLENGE_ATTEMPTS = 5;
export const RECOVERY_CODES = 10;
export const TOTP_ISSUER = "民生实事平台";

export type ChallengePurpose = "totp" | "enrol";

export interface TwoFactorUser {
  id: string;
  username: string;
  totp_secret: string | null;
  totp_pending: string | null;
  totp_enabled_at: Date | string | null;
  totp_last_step: string | number | null;
}

export const TWO_FACTOR_COLUMNS = "u.id, u.username, u.totp_secret, u.totp_pending, u.totp_enabled_at, u.totp_last_step";

/** A challenge for the step after the password: its secret goes to the caller, its hash stays here. */
export async function createChallenge(tx: Queryable, userId: string | number, purpose: ChallengePurpose, now: Date): Promise<{ challenge: string; expiresAt: string }> {
  const challenge = newSecret();
  const expiresAt = new Date(now.getTime() + CHALLENGE_MINUTES * 60_000).toISOString();
  // One live challenge per user: a new password step replaces an older one.
  await tx.query("DELETE FROM login_challenges WHERE user_id = $1", [userId]);
  await tx.query("INSERT INTO login_challenges (id_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)", [
    hashSecret(challenge),
    userId,
    purpose,
    now.toISOString(),
    expiresAt,
  ]);
  return { challenge, expiresAt };
}

export interface Challenge {
  idHash: string;
  userId: string;
  purpose: ChallengePurpose;
  attempts: number;
}

/** The live challenge, or 401 (unknown, expired, used up). */
export async function loadChallenge(tx: Queryable, challenge: string, now: Date): Promise<Challenge> {
  const idHash = hashSecret(challenge);
  const { rows } = await tx.query<{ user_id: string; purpose: ChallengePurpose; attempts: number; expires_at: Date | string }>(
    "SELECT user_id, purpose, attempts, expires_at FROM login_challenges WHERE id_hash = $1 FOR UPDATE",
    [idHash],
  );
  const row = rows[0];
  if (!row || new Date(row.expires_at).getTime() <= now.getTime() || row.attempts >= CHALLENGE_ATTEMPTS) {
    if (row) await tx.query("DELETE FROM login_challenges WHERE id_hash = $1", [idHash]);
    throw fail("AUTH_CHALLENGE_EXPIRED").at("$.challenge");
  }
  return { idHash, userId: String(row.user_id), purpose: row.purpose, attempts: Number(row.attempts) };
}

export async function loadTwoFactorUser(tx: Queryable, userId: string | number): Promise<TwoFactorUser & { disabled: boolean; role: string }> {
  const { rows } = await tx.query<TwoFactorUser & { disabled: boolean; role: string }>(
    `SELECT ${TWO_FACTOR_COLUMNS}, u.disabled, u.role FROM users u WHERE u.id = $1 FOR UPDATE`,
    [userId],
  );
  if (!rows[0]) throw fail("AUTH_SIGN_IN_AGAIN");
  return rows[0];
}

/** Starts (or restarts) enrolment: a new secret, sealed as pending until a first code confirms it. */
export async function startEnrolment(tx: Queryable, secrets: SiteSecrets, user: TwoFactorUser) {
  if (user.totp_enabled_at !== null) throw fail("AUTH_TOTP_ALREADY_ON");
  const secret = newTotpSecret();
  await tx.query("UPDATE users SET totp_pending = $2 WHERE id = $1", [user.id, secrets.sealSecret(PURPOSE, secret)]);
  const uri = otpauthUri(secret, user.username, TOTP_ISSUER);
  return { secret: base32Encode(secret), otpauthUri: uri, qrSvg: await qrSvg(uri) };
}

/** Confirms enrolment with a first code: the pending secret becomes the secret; new recovery codes. */
export async function confirmEnrolment(tx: Queryable, secrets: SiteSecrets, user: TwoFactorUser, code: string, now: Date): Promise<string[] | null> {
  if (user.totp_enabled_at !== null) throw fail("AUTH_TOTP_ALREADY_ON");
  if (user.totp_pending === null) throw fail("AUTH_ENROLMENT_NOT_STARTED");
  const secret = secrets.openSecret(PURPOSE, user.totp_pending);
  const step = verifyTotp(secret, code, now);
  if (step === null) return null;
  await tx.query("UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_enabled_at = $2, totp_last_step = $3 WHERE id = $1", [
    user.id,
    now.toISOString(),
    step,
  ]);
  return newRecoveryCodes(tx, user.id, now);
}

const normaliseRecovery = (code: string) => code.toUpperCase().replace(/[\s-]/g, "");
/** Recovery and enrolment codes carry 50 random bits each and are single-use: a keyed-by-user SHA-256 is enough to store them. */
const oneTimeHash = (kind: "recovery" | "enrolment", userId: string | number, code: string) =>
  createHash("sha256").update(`${kind}\u0000${userId}\u0000${normaliseRecovery(code)}`).digest("hex");
const recoveryHash = (userId: string | number, code: string) => oneTimeHash("recovery", userId, code);
/** A one-time code written XXXXX-XXXXX (base32, 50 bits). */
const oneTimeCode = () => {
  const raw = base32(randomBytes(8), 10);
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
};

/** Ten new recovery codes (XXXXX-XXXXX); the old ones stop working. Only their hashes are kept. */
export async function newRecoveryCodes(tx: Queryable, userId: string | number, now: Date): Promise<string[]> {
  await tx.query("DELETE FROM recovery_codes WHERE user_id = $1", [userId]);
  const codes: string[] = [];
  for (let i = 0; i < RECOVERY_CODES; i++) codes.push(oneTimeCode());
  for (const code of codes)
    await tx.query("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)", [userId, recoveryHash(userId, code), now.toISOString()]);
  return codes;
}

/** Checks the second factor: a TOTP code (not replayed) or an unused recovery code (then used up). */
export async function checkSecondFactor(
  tx: Queryable,
  secrets: SiteSecrets,
  user: TwoFactorUser,
  answer: { code?: string | undefined; recoveryCode?: string | undefined },
  now: Date,
): Promise<"totp" | "recovery" | null> {
  if (user.totp_secret === null) return null;
  if (answer.code !== undefined) {
    const last = user.totp_last_step === null ? null : Number(user.totp_last_step);
    const step = verifyTotp(secrets.openSecret(PURPOSE, user.totp_secret), answer.code, now, last);
    if (step === null) return null;
    await tx.query("UPDATE users SET totp_last_step = $2 WHERE id = $1", [user.id, step]);
    return "totp";
  }
  if (answer.recoveryCode !== undefined) {
    const { rowCount } = await tx.query("UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL", [
      user.id,
      recoveryHash(user.id, answer.recoveryCode),
      now.toISOString(),
    ]);
    return rowCount > 0 ? "recovery" : null;
  }
  return null;
}

/** Turns two-factor sign-in off for a user (a security administrator's reset): secret, codes, challenges, sessions. */
export async function resetTwoFactor(tx: Queryable, userId: number): Promise<void> {
  await tx.query("UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1", [userId]);
  await tx.query("DELETE FROM recovery_codes WHERE user_id = $1", [userId]);
  await tx.query("DELETE FROM login_challenges WHERE user_id = $1", [userId]);
  await tx.query("DELETE FROM sessions WHERE user_id = $1", [userId]);
}

/**
 * 绑定码: an administrator's authenticator is bound only with a one-time code from a security
 * administrator (or printed once when the server bootstraps the account), so whoever learns an
 * administrator's password cannot enrol a phone of their own. One live code per user, hashed,
 * valid for ENROLMENT_CODE_DAYS, used up when the enrolment is confirmed.
 */
export const ENROLMENT_CODE_DAYS = 7;

/** A new enrolment code for the user (an older one stops working); the code goes to the caller once. */
export async function issueEnrolmentCode(tx: Queryable, userId: string | number, issuedBy: string, now: Date): Promise<{ code: string; expiresAt: string }> {
  const code = oneTimeCode();
  const expiresAt = new Date(now.getTime() + ENROLMENT_CODE_DAYS * 86_400_000).toISOString();
  await tx.query("DELETE FROM enrolment_codes WHERE user_id = $1", [userId]);
  await tx.query("INSERT INTO enrolment_codes (user_id, code_hash, issued_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)", [
    userId,
    oneTimeHash("enrolment", userId, code),
    issuedBy,
    now.toISOString(),
    expiresAt,
  ]);
  return { code, expiresAt };
}

/** Whether the user holds a live enrolment code (bootstrap issues one only when not). */
export async function hasLiveEnrolmentCode(tx: Queryable, userId: string | number, now: Date): Promise<boolean> {
  const { rows } = await tx.query("SELECT 1 FROM enrolment_codes WHERE user_id = $1 AND expires_at > $2", [userId, now.toISOString()]);
  return rows.length > 0;
}

/** Whether `code` is the user's live enrolment code; `consume` uses it up (at confirmation). */
export async function checkEnrolmentCode(tx: Queryable, userId: string | number, code: string, now: Date, consume: boolean): Promise<boolean> {
  const { rows } = await tx.query<{ user_id: string }>(
    `${consume ? "DELETE FROM" : "SELECT user_id FROM"} enrolment_codes WHERE user_id = $1 AND code_hash = $2 AND expires_at > $3${consume ? " RETURNING user_id" : ""}`,
    [userId, oneTimeHash("enrolment", userId, code), now.toISOString()],
  );
  return rows.length > 0;
}
