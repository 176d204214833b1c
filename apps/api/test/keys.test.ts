/**
 * Keys and files (issue 10 item 10, issue 16): a value sealed under another key is a clear 409, never
 * a 500; the server refuses to start with a key that does not open what its database holds; a key
 * file others can read is refused; DATA_DIR is the service account's alone (folders 0700, files 0600).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totp } from "../src/auth/totp.js";
import { secureDataDir } from "../src/lib/data-dir.js";
import { KEY_CHECK_SETTING, verifyMasterKey, WrongMasterKey } from "../src/lib/key-check.js";
import { KeyMismatch, loadMasterKey, secretsFromKey, TOTP_SEAL_PURPOSE } from "../src/lib/secrets.js";
import { type Harness, makeHarness } from "./harness.js";

const API = "/api/v1";
const here = dirname(fileURLToPath(import.meta.url));
const temp = mkdtempSync(join(tmpdir(), "ms-keys-"));
const keyA = randomBytes(32);
const keyB = randomBytes(32);
let h: Harness;

beforeAll(async () => {
  h = await makeHarness();
  h.deps.rateLimiter = { take: () => ({ allowed: true, retryAfterSeconds: 0 }) };
}, 120_000);
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await h?.dispose();
  rmSync(temp, { recursive: true, force: true });
});

describe("a value sealed under another key", () => {
  it("a phone number sealed by one instance and revealed by another with a different key: 409 KeyMismatch, not 500", async () => {
    h.deps.secrets = secretsFromKey(keyA);
    expect((await h.call(await h.login("admin"), "GET", `${API}/sites?limit=1`)).status).toBe(200); // the sites exist once listed
    const { rows } = await h.deps.db.query<{ code: string }>("SELECT code FROM project_sites WHERE project = 'hn2024-p04' AND region = '430523'");
    const form = new FormData();
    form.append("kind", "suggestion");
    form.append("text", "另一台服务器的密钥不同，号码应当打不开");
    form.append("phone", "13912345678");
    const sent = await h.call(null, "POST", `${API}/public/sites/${rows[0]!.code}/feedback`, form);
    expect(sent.status).toBe(201);
    const { ticket } = await sent.json();
    const id = (await h.deps.db.query<{ id: string }>("SELECT id FROM feedback WHERE ticket = $1", [ticket])).rows[0]!.id;
    const county = await h.login("county");
    expect((await (await h.call(county, "POST", `${API}/feedback/${id}/phone`)).json()).phone).toBe("13912345678");

    h.deps.secrets = secretsFromKey(keyB); // the other instance
    const res = await h.call(county, "POST", `${API}/feedback/${id}/phone`);
    expect(res.status).toBe(409);
    const { error } = await res.json();
    expect(error.code).toBe("KEY_MISMATCH");
    expect(error.message).toMatch(/sealed with another key.*FEEDBACK_KEY/);
    h.deps.secrets = secretsFromKey(keyA);
  });

  it("a two-factor secret sealed under another key: the sign-in's second step is a 409, not a 500", async () => {
    const secret = randomBytes(20);
    await h.deps.db.query("UPDATE users SET totp_secret = $2, totp_enabled_at = now() WHERE username = $1", ["observer", secretsFromKey(keyA).sealSecret(TOTP_SEAL_PURPOSE, secret)]);
    h.deps.secrets = secretsFromKey(keyB);
    try {
      const step = await (await h.call(null, "POST", `${API}/auth/login`, { username: "observer", password: (await import("../src/seed.js")).DEMO_PASSWORD })).json();
      expect(step.next).toBe("totp");
      const res = await h.call(null, "POST", `${API}/auth/login/totp`, { challenge: step.challenge, code: totp(secret, h.clock.now) });
      expect(res.status).toBe(409);
      expect((await res.json()).error.code).toBe("KEY_MISMATCH");
    } finally {
      await h.deps.db.query("UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL WHERE username = 'observer'");
      h.deps.secrets = secretsFromKey(keyA);
    }
  });

  it("openPhone and openSecret throw KeyMismatch (a tag that does not verify), not a bare crypto error", () => {
    const sealed = secretsFromKey(keyA).sealPhone("13800000000");
    expect(() => secretsFromKey(keyB).openPhone(sealed)).toThrow(KeyMismatch);
    expect(() => secretsFromKey(keyB).openSecret(TOTP_SEAL_PURPOSE, secretsFromKey(keyA).sealSecret(TOTP_SEAL_PURPOSE, Buffer.from("x")))).toThrow(KeyMismatch);
  });
});

describe("the key check at start", () => {
  it("the first key is stored as a check value (an HMAC, not the key); the same key matches, another is refused with a clear message", async () => {
    await h.deps.db.query("DELETE FROM app_settings WHERE key = $1", [KEY_CHECK_SETTING]);
    expect(await verifyMasterKey(h.deps.db, secretsFromKey(keyA))).toBe("stored");
    const stored = JSON.stringify((await h.deps.db.query("SELECT value FROM app_settings WHERE key = $1", [KEY_CHECK_SETTING])).rows[0]);
    expect(stored).not.toContain(keyA.toString("hex"));
    expect(await verifyMasterKey(h.deps.db, secretsFromKey(keyA))).toBe("matched");
    await expect(verifyMasterKey(h.deps.db, secretsFromKey(keyB))).rejects.toThrow(WrongMasterKey);
    await expect(verifyMasterKey(h.deps.db, secretsFromKey(keyB))).rejects.toThrow(/FEEDBACK_KEY does not open what this database holds/);
  });

  it("a database from before the check: a key that does not open its sealed phone numbers is refused, and nothing is stored", async () => {
    await h.deps.db.query("DELETE FROM app_settings WHERE key = $1", [KEY_CHECK_SETTING]);
    // the feedback of the first test holds a number sealed under key A
    await expect(verifyMasterKey(h.deps.db, secretsFromKey(keyB))).rejects.toThrow(/sealed phone number does not open/);
    expect((await h.deps.db.query("SELECT 1 FROM app_settings WHERE key = $1", [KEY_CHECK_SETTING])).rows).toHaveLength(0);
    expect(await verifyMasterKey(h.deps.db, secretsFromKey(keyA))).toBe("stored");
  });
});

describe("the key file and DATA_DIR", () => {
  it("a key file the group or others can read is refused with a clear message; 0600 is accepted", () => {
    const file = join(temp, "k1", "feedback.key");
    const key = loadMasterKey(undefined, file); // created 0600
    expect(statSync(file).mode & 0o777).toBe(0o600);
    for (const mode of [0o644, 0o640, 0o604]) {
      chmodSync(file, mode);
      expect(() => loadMasterKey(undefined, file)).toThrow(/can be read by others .*chmod 600/);
    }
    chmodSync(file, 0o600);
    expect(loadMasterKey(undefined, file).equals(key)).toBe(true);
  });

  it("secureDataDir: folders 0700, files 0600, and what is created afterwards too", () => {
    const dir = join(temp, "d1");
    mkdirSync(join(dir, "files", "ab"), { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, "files", "ab", "x"), "x", { mode: 0o644 });
    writeFileSync(join(dir, "loose"), "y", { mode: 0o666 });
    chmodSync(join(dir, "files"), 0o775);
    const umask = process.umask();
    try {
      expect(secureDataDir(dir)).toBeGreaterThanOrEqual(4);
      writeFileSync(join(dir, "later"), "z");
      mkdirSync(join(dir, "later-dir"));
    } finally {
      process.umask(umask);
    }
    expect(modesUnder(dir).filter(([, mode, isDir]) => mode !== (isDir ? 0o700 : 0o600))).toEqual([]);
  });
});

function modesUnder(dir: string): Array<[string, number, boolean]> {
  const out: Array<[string, number, boolean]> = [];
  const walk = (p: string) => {
    const st = statSync(p);
    out.push([p, st.mode & 0o777, st.isDirectory()]);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return out;
}

/** Runs the real server until it listens (then stops it) or exits; answers its exit and output. */
function runServer(dataDir: string, env: Record<string, string>): Promise<{ listened: boolean; code: number | null; log: string }> {
  const { DATABASE_URL: _none, FEEDBACK_KEY: _key, ...base } = process.env;
  const proc = spawn(process.execPath, [join(here, "..", "dist", "server.js")], {
    env: { ...base, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", SEED: "none", BACKUP_INTERVAL_HOURS: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  let log = "";
  let listened = false;
  const seen = (d: Buffer) => {
    log += d;
    if (!listened && /API on http/.test(log)) {
      listened = true;
      proc.kill("SIGTERM");
    }
  };
  proc.stdout!.on("data", seen);
  proc.stderr!.on("data", seen);
  return new Promise((resolve) => proc.once("exit", (code) => resolve({ listened, code, log })));
}

describe.skipIf(!!process.env.DATABASE_URL)("the real server", () => {
  it("refuses to start with a FEEDBACK_KEY that does not open its database, or with a key file others can read; its DATA_DIR is 0700/0600", async () => {
    const dataDir = join(temp, "server");
    const first = await runServer(dataDir, { FEEDBACK_KEY: keyA.toString("hex") });
    expect(first.listened, first.log).toBe(true);
    expect(modesUnder(dataDir).filter(([, mode, isDir]) => mode !== (isDir ? 0o700 : 0o600))).toEqual([]);

    const other = await runServer(dataDir, { FEEDBACK_KEY: keyB.toString("hex") });
    expect(other.listened).toBe(false);
    expect(other.code).toBe(1);
    expect(other.log).toMatch(/FEEDBACK_KEY does not open what this database holds/);
    expect(other.log).not.toMatch(/at .*\.js:\d+/); // a message, not a stack trace

    const keyFile = join(dataDir, "feedback.key");
    writeFileSync(keyFile, keyA.toString("hex"), { mode: 0o644 });
    chmodSync(keyFile, 0o644);
    const readable = await runServer(dataDir, {});
    expect(readable.listened).toBe(false);
    expect(readable.log).toMatch(/feedback\.key can be read by others/);
    chmodSync(keyFile, 0o600);
    const again = await runServer(dataDir, {});
    expect(again.listened, again.log).toBe(true);
  }, 120_000);
});
