import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, hotp, otpauthUri, totp, totpStep, verifyTotp } from "./totp.js";

// RFC 6238 appendix B (SHA-1 seed "12345678901234567890"), 8 digits; authenticator apps show the last 6.
const seed = Buffer.from("12345678901234567890", "ascii");
const vectors: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("TOTP (RFC 6238 / RFC 4226)", () => {
  it("reproduces the RFC 6238 test vectors, 8 and 6 digits", () => {
    for (const [seconds, code] of vectors) {
      expect(totp(seed, seconds * 1000, 8), String(seconds)).toBe(code);
      expect(totp(seed, seconds * 1000), String(seconds)).toBe(code.slice(2));
    }
  });

  it("reproduces the RFC 4226 HOTP values", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((c) => hotp(seed, c))).toEqual(["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]);
  });

  it("accepts ±1 step, refuses 2 steps off, malformed codes and replays", () => {
    const at = 1_700_000_000_000;
    const step = totpStep(at);
    expect(verifyTotp(seed, totp(seed, at), at)).toBe(step);
    expect(verifyTotp(seed, totp(seed, at - 30_000), at)).toBe(step - 1);
    expect(verifyTotp(seed, totp(seed, at + 30_000), at)).toBe(step + 1);
    expect(verifyTotp(seed, totp(seed, at + 60_000), at)).toBeNull();
    expect(verifyTotp(seed, totp(seed, at - 60_000), at)).toBeNull();
    expect(verifyTotp(seed, "12345", at)).toBeNull();
    expect(verifyTotp(seed, "abcdef", at)).toBeNull();
    expect(verifyTotp(seed, totp(seed, at), at, step)).toBeNull();
    expect(verifyTotp(seed, totp(seed, at + 30_000), at, step)).toBe(step + 1);
  });

  it("encodes base32 as RFC 4648 (test vectors) and back", () => {
    const pairs: [string, string][] = [["", ""], ["f", "MY"], ["fo", "MZXQ"], ["foo", "MZXW6"], ["foob", "MZXW6YQ"], ["fooba", "MZXW6YTB"], ["foobar", "MZXW6YTBOI"]];
    for (const [plain, encoded] of pairs) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    }
    expect(base32Decode("mzxw 6ytb-oi====").toString()).toBe("foobar");
    expect(() => base32Decode("MZ1")).toThrow(/base32/);
  });

  it("builds the otpauth:// URI authenticator apps read", () => {
    const u = new URL(otpauthUri(seed, "city", "民生实事平台"));
    expect(u.protocol).toBe("otpauth:");
    expect(u.host).toBe("totp");
    expect(decodeURIComponent(u.pathname)).toBe("/民生实事平台:city");
    expect(Object.fromEntries(u.searchParams)).toEqual({ secret: base32Encode(seed), issuer: "民生实事平台", algorithm: "SHA1", digits: "6", period: "30" });
  });
});
