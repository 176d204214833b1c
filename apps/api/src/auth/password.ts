import { randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { z } from "zod";

// Node's async scrypt runs on libuv's thread pool: a hash (~100-300 ms at N = 2^17) never blocks the event loop.
const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

// scrypt (Node's built-in, maintained with OpenSSL): memory-hard, parameters stored with each hash
// so they can be raised later; a hash made with weaker ones is replaced at the next sign-in.
/** The cost of new hashes: N = 2^17, r = 8, p = 1 (OWASP's minimum for scrypt; 128 MiB each). */
export const PRODUCTION_SCRYPT_N = 2 ** 17;
const r = 8;
const p = 1;
const KEYLEN = 32;

/**
 * N for new hashes. Test runs (vitest sets VITEST) may lower it with SCRYPT_TEST_LOG_N (10-16) so
 * suites that create and sign in many users stay fast; a server never runs under vitest, and with
 * NODE_ENV=production the setting is ignored too, so production always hashes at 2^17.
 */
export function scryptCost(env: Record<string, string | undefined>): number {
  const log = Number(env.SCRYPT_TEST_LOG_N);
  if (env.VITEST && env.NODE_ENV !== "production" && Number.isInteger(log) && log >= 10 && log <= 16) return 2 ** log;
  return PRODUCTION_SCRYPT_N;
}
export const SCRYPT_N = scryptCost(process.env);

/** scrypt needs 128·N·r bytes; Node refuses more than maxmem (32 MiB by default). */
const maxmem = (n: number, rr: number) => 128 * n * rr * 2;

/** A new hash at today's cost (`n`: another cost, for tests of the upgrade). */
export async function hashPassword(password: string, n = SCRYPT_N): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize("NFKC"), salt, KEYLEN, { N: n, r, p, maxmem: maxmem(n, r) });
  return `scrypt$${n}$${r}$${p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, n, rr, pp, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyB64, "base64");
  const key = await scrypt(password.normalize("NFKC"), Buffer.from(saltB64, "base64"), expected.length, {
    N: Number(n),
    r: Number(rr),
    p: Number(pp),
    maxmem: maxmem(Number(n), Number(rr)),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Whether a stored hash was made with weaker parameters than new ones: it is replaced at the next sign-in. */
export function needsRehash(stored: string): boolean {
  const [kind, n, rr, pp] = stored.split("$");
  return kind !== "scrypt" || Number(n) < SCRYPT_N || Number(rr) < r || Number(pp) < p;
}

/** A hash to compare against when the user does not exist, so timing does not reveal usernames. */
let dummy: Promise<string> | undefined;
export const dummyHash = (): Promise<string> => (dummy ??= hashPassword("not-a-real-password-0"));

/**
 * The password policy (等保-style: at least 10 characters with letters and digits), the one place it
 * lives: the API's bodies check it through `Password`, other callers (bootstrap accounts) call it.
 */
export function passwordProblems(password: string): string | null {
  if (password.length < 10) return "must be at least 10 characters";
  if (password.length > 200) return "must be at most 200 characters";
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) return "must contain letters and digits";
  return null;
}

/** A new password in a request body: the policy above as a zod schema. */
export const Password = z.string().superRefine((v, ctx) => {
  const problem = passwordProblems(v);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
