/**
 * Rounding of a figure for display (四舍五入), on the decimal a number prints as (149.005 is
 * 149.005, not the binary double below it), without BigInt: the 码上通 site's script targets
 * ES2019 phones. The same answer as `Rational.round(Rational.fromNumber(x), digits)`;
 * test/round.test.ts checks that with random figures.
 */

/** round(x × 10^shift) half away from zero to `digits` decimals, on x's shortest decimal form. */
function roundShifted(x: number, digits: number, shift: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  if (!Number.isInteger(digits) || digits < 0) throw new RangeError(`digits must be a whole number ≥ 0, got ${digits}`);
  const [mantissa = "0", expText] = String(Math.abs(x)).split("e");
  const dot = mantissa.indexOf(".");
  const all = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  // the value is 0.<all> × 10^intLength, times 10^shift
  const intLength = (dot < 0 ? mantissa.length : dot) + (expText === undefined ? 0 : Number(expText)) + shift;
  const keep = intLength + digits;
  if (keep < 0) return 0;
  let kept = keep >= all.length ? all + "0".repeat(keep - all.length) : all.slice(0, keep);
  if (keep < all.length && all.charCodeAt(keep) >= 53 /* "5" */) kept = increment(kept);
  const padded = kept.padStart(digits + 1, "0");
  const text = digits > 0 ? `${padded.slice(0, padded.length - digits)}.${padded.slice(padded.length - digits)}` : padded;
  const value = Number(text);
  return x < 0 && value !== 0 ? -value : value;
}

/** A string of decimal digits plus one ("199" → "200", "99" → "100", "" → "1"). */
function increment(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === "9") i--;
  if (i < 0) return `1${"0".repeat(digits.length)}`;
  return digits.slice(0, i) + String(Number(digits[i]) + 1) + "0".repeat(digits.length - i - 1);
}

/** A figure rounded half away from zero to `digits` decimals: 45.555 → 45.56, −2.345 → −2.35. */
export const roundHalfUp = (x: number, digits: number): number => roundShifted(x, digits, 0);

/** A fraction as a percent, rounded half away from zero (0.74505 → 74.51), exactly: no ×100 in floats. */
export const fractionPercent = (fraction: number, digits = 2): number => roundShifted(fraction, digits, 2);

/**
 * A percent as a fraction (a milestone typed as 14.5% → 0.145), exactly: the decimal's point is
 * moved two places, no ÷100 in floats (0.28 / 100 is 0.0028000000000000004; this gives 0.0028).
 */
export function percentFraction(percent: number): number {
  if (!Number.isFinite(percent)) throw new RangeError(`not a finite number: ${percent}`);
  const [mantissa = "0", expText] = String(percent).split("e");
  return Number(`${mantissa}e${(expText === undefined ? 0 : Number(expText)) - 2}`);
}
