import type { Queryable } from "@minsheng/db";
import { KeyMismatch, TOTP_SEAL_PURPOSE, type SiteSecrets } from "./secrets.js";

/** The app_settings row holding the key check value (an HMAC of a fixed label under the master key). */
export const KEY_CHECK_SETTING = "secrets.key_check";

/** Why the server refuses to start: its key does not open what the database holds. */
export class WrongMasterKey extends Error {
  constructor(detail: string) {
    super(
      `FEEDBACK_KEY does not open what this database holds (${detail}). Start every API instance with the key this database was used with ` +
        "(FEEDBACK_KEY, or the DATA_DIR/feedback.key it was created with); a new key cannot read the sealed phone numbers and two-factor secrets.",
    );
    this.name = "WrongMasterKey";
  }
}

/**
 * At start: the master key must be the one this database has used (rule of scale-out: every instance
 * the same key). The first start with a key stores its check value; a database from before the check
 * is first tried against what it already holds (a sealed phone number, a sealed two-factor secret).
 * Answers "stored" or "matched"; throws WrongMasterKey with a message for the operator otherwise.
 */
export async function verifyMasterKey(db: Queryable, secrets: SiteSecrets): Promise<"stored" | "matched"> {
  const check = secrets.keyCheck();
  const read = async () =>
    (await db.query<{ value: { hmac?: unknown } | null; updated_at: unknown }>("SELECT value, updated_at FROM app_settings WHERE key = $1", [KEY_CHECK_SETTING])).rows[0];
  let row = await read();
  let outcome: "stored" | "matched" = "matched";
  if (!row) {
    await opensWhatIsSealed(db, secrets);
    // Two instances starting together: the first insert wins and the other compares against it.
    await db.query("INSERT INTO app_settings (key, value, updated_by, updated_at) VALUES ($1, $2::jsonb, 'system', now()) ON CONFLICT (key) DO NOTHING", [
      KEY_CHECK_SETTING,
      JSON.stringify({ hmac: check }),
    ]);
    row = await read();
    outcome = "stored";
  }
  if (row?.value?.hmac !== check) throw new WrongMasterKey(`the database's key check value, stored ${String(row?.updated_at ?? "before")}, is another key's`);
  return outcome;
}

async function opensWhatIsSealed(db: Queryable, secrets: SiteSecrets): Promise<void> {
  const phone = (await db.query<{ phone_sealed: string }>("SELECT phone_sealed FROM feedback WHERE phone_sealed IS NOT NULL LIMIT 1")).rows[0];
  const totp = (await db.query<{ s: string }>("SELECT coalesce(totp_secret, totp_pending) AS s FROM users WHERE totp_secret IS NOT NULL OR totp_pending IS NOT NULL LIMIT 1")).rows[0];
  const opens = (what: string, open: () => unknown) => {
    try {
      open();
    } catch (e) {
      if (e instanceof KeyMismatch) throw new WrongMasterKey(`a ${what} does not open with it`);
      throw e;
    }
  };
  if (phone) opens("sealed phone number", () => secrets.openPhone(phone.phone_sealed));
  if (totp) opens("sealed two-factor secret", () => secrets.openSecret(TOTP_SEAL_PURPOSE, totp.s));
}
