import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The keyed operations of the public side (码上通): citizens' phone numbers sealed at rest
 * (AES-256-GCM) with a keyed hash (HMAC-SHA256) beside them for de-duplication, pseudonymous client
 * digests for rate limits and "one rating a day", and the stable short codes of project sites.
 * Every key is derived (HKDF-SHA256) from one 32-byte master key: FEEDBACK_KEY, or a key file
 * generated once under DATA_DIR.
 */
export interface SiteSecrets {
  /** "v1.<iv>.<tag>.<ciphertext>" (base64url); only `openPhone` reads it back. */
  sealPhone(phone: string): string;
  openPhone(sealed: string): string;
  /** HMAC of the number: equal numbers give equal digests, the digest gives nothing back. */
  phoneDigest(phone: string): string;
  /** Pseudonymous digest of a client address (never stored in clear). */
  clientDigest(client: string): string;
  /** The short code of a site: 8 characters of Crockford base32 from a keyed hash; `attempt` > 0 after a collision. */
  siteCode(project: string, region: string, attempt?: number): string;
  /** Seals an account secret (a TOTP key) with AES-256-GCM under its own key; `purpose` is bound as AAD. */
  sealSecret(purpose: string, plain: Uint8Array): string;
  openSecret(purpose: string, sealed: string): Buffer;
  /** An HMAC of a fixed label: equal for equal keys, gives nothing of the key (stored to catch a wrong key at start). */
  keyCheck(): string;
}

/** Crockford's base32: no I, L, O or U, so a code read aloud or typed from a sign is unambiguous. */
export const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function base32(bytes: Uint8Array, length: number): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
    if (out.length >= length) break;
  }
  if (out.length < length) throw new RangeError("not enough bytes for the code length");
  return out;
}

/** A fresh unguessable ticket number: 12 characters (60 random bits) of Crockford base32. */
export const newTicket = (): string => base32(randomBytes(8), 12);

/**
 * A sealed value this server's key does not open: it was sealed under another FEEDBACK_KEY (a second
 * instance configured differently, a restored backup, a replaced key file). `_tag` maps it to a 409 in
 * lib/errors.ts, never a 500.
 */
export class KeyMismatch extends Error {
  readonly _tag = "KeyMismatch";
  constructor(what: string) {
    super(`the ${what} was sealed with another key: this server's FEEDBACK_KEY does not open it (every API instance must use the same key)`);
    this.name = "KeyMismatch";
  }
}

/** AES-256-GCM open of "v1.<iv>.<tag>.<ciphertext>"; a failed tag check is a KeyMismatch, not a crash. */
function openSealed(key: Buffer, aad: Buffer, sealed: string, what: string): Buffer {
  const [v, iv, tag, ct] = sealed.split(".");
  if (v !== "v1" || !iv || !tag || ct === undefined) throw new Error(`not a sealed ${what}`);
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAAD(aad);
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]);
  } catch {
    throw new KeyMismatch(what);
  }
}

const derive = (master: Uint8Array, info: string): Buffer => Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), info, 32));

/** The `purpose` under which two-factor (TOTP) secrets are sealed (auth/mfa.ts; checked at start by key-check.ts). */
export const TOTP_SEAL_PURPOSE = "totp";

const PHONE_AAD = Buffer.from("minsheng/feedback-phone/v1");

export function secretsFromKey(master: Uint8Array): SiteSecrets {
  if (master.byteLength !== 32) throw new RangeError("the master key must be 32 bytes");
  const sealKey = derive(master, "feedback-phone-seal");
  const phoneMac = derive(master, "feedback-phone-hmac");
  const clientMac = derive(master, "public-client");
  const codeMac = derive(master, "site-code");
  const accountKey = derive(master, "account-secret-seal");
  const checkMac = derive(master, "key-check");
  return {
    sealPhone(phone) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", sealKey, iv);
      cipher.setAAD(PHONE_AAD);
      const ct = Buffer.concat([cipher.update(phone, "utf8"), cipher.final()]);
      return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
    },
    openPhone: (sealed) => openSealed(sealKey, PHONE_AAD, sealed, "phone number").toString("utf8"),
    phoneDigest: (phone) => createHmac("sha256", phoneMac).update(phone).digest("hex"),
    clientDigest: (client) => createHmac("sha256", clientMac).update(client).digest("hex").slice(0, 32),
    siteCode: (project, region, attempt = 0) =>
      base32(createHmac("sha256", codeMac).update(`${project}\u0000${region}\u0000${attempt}`).digest(), 8),
    sealSecret(purpose, plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", accountKey, iv);
      cipher.setAAD(Buffer.from(`minsheng/${purpose}/v1`));
      const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
      return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
    },
    openSecret: (purpose, sealed) => openSealed(accountKey, Buffer.from(`minsheng/${purpose}/v1`), sealed, "secret"),
    keyCheck: () => createHmac("sha256", checkMac).update("minsheng/key-check/v1").digest("hex"),
  };
}

/** For tests and embedding only: a key that lives as long as the process (sealed numbers die with it). */
export const ephemeralSecrets = (): SiteSecrets => secretsFromKey(randomBytes(32));

/**
 * The master key: FEEDBACK_KEY (64 hex digits or base64 of 32 bytes) when set, else the key file
 * (created once with 32 random bytes, mode 0600, never overwritten). A key file that the group or
 * others may read is refused: whoever reads it reads every sealed phone number.
 */
export function loadMasterKey(envKey: string | undefined, keyFile: string): Buffer {
  if (envKey !== undefined && envKey.trim() !== "") {
    const k = envKey.trim();
    const key = /^[0-9a-fA-F]{64}$/.test(k) ? Buffer.from(k, "hex") : Buffer.from(k, "base64");
    if (key.byteLength !== 32) throw new Error("FEEDBACK_KEY must be 32 bytes: 64 hex digits or base64");
    return key;
  }
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true });
    try {
      const fd = openSync(keyFile, "wx", 0o600);
      try {
        writeSync(fd, randomBytes(32).toString("hex"));
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  const mode = statSync(keyFile).mode & 0o777;
  if (process.platform !== "win32" && (mode & 0o077) !== 0)
    throw new Error(`the key file ${keyFile} can be read by others (mode ${mode.toString(8).padStart(4, "0")}): make it readable by the service account only (chmod 600 ${keyFile})`);
  const key = Buffer.from(readFileSync(keyFile, "utf8").trim(), "hex");
  if (key.byteLength !== 32) throw new Error(`the key file ${keyFile} does not hold 64 hex digits`);
  return key;
}

/** Same text, same digest: NFKC, lower case, no spaces, punctuation or symbols (duplicate detection). */
export function normalisedTextDigest(text: string): string {
  const normal = text.normalize("NFKC").toLowerCase().replace(/[\p{P}\p{S}\p{Z}\s]+/gu, "");
  return createHash("sha256").update(normal).digest("hex");
}
