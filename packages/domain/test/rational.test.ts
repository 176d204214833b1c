// Exact rational arithmetic: conversions from the decimal a user typed, half-up rounding on the
// exact value, and the algebra the rules rely on. Expectations are worked out by hand or with an
// independent integer (BigInt) computation in this file, never copied from the code under test.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rational, ratePercent } from "../src/index.js";

const { fromNumber } = Rational;

/** a and b denote the same number (denominators need not be reduced). */
const same = (a: Rational, b: Rational): boolean => a.n * b.d === b.n * a.d;

/** Exact value n/d as a Rational for comparisons, built without the code under test. */
const exact = (n: bigint, d: bigint): Rational => ({ n, d });

const pow10 = (k: number): bigint => 10n ** BigInt(k);

/** m / 10^k written as a plain decimal string: -12345, 3 → "-12.345". */
function decimalString(m: bigint, k: number): string {
  const negative = m < 0n;
  const digits = (negative ? -m : m).toString().padStart(k + 1, "0");
  const body = k === 0 ? digits : `${digits.slice(0, digits.length - k)}.${digits.slice(digits.length - k)}`;
  return negative ? `-${body}` : body;
}

/**
 * Independent half-away-from-zero rounding of m / 10^k to `digits` decimals, by quotient and
 * remainder (the code under test adds half a unit instead): returns the decimal string.
 */
function roundDecimal(m: bigint, k: number, digits: number): string {
  const negative = m < 0n;
  const abs = negative ? -m : m;
  let q: bigint;
  if (k <= digits) q = abs * pow10(digits - k);
  else {
    const unit = pow10(k - digits);
    q = abs / unit;
    const r = abs % unit;
    if (2n * r >= unit) q += 1n;
  }
  const text = decimalString(q, digits);
  return negative && q !== 0n ? `-${text}` : text;
}

/** Up to 15 significant digits, which a double always prints back unchanged. */
const decimalArb = fc.record({
  m: fc.bigInt({ min: -(10n ** 15n - 1n), max: 10n ** 15n - 1n }),
  k: fc.integer({ min: 0, max: 6 }),
});

const rationalArb = fc
  .record({
    n: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
    d: fc.bigInt({ min: 1n, max: 10n ** 9n }),
  })
  .map(({ n, d }) => Rational.of(n, d));

const nonZeroRationalArb = rationalArb.filter((r) => r.n !== 0n);

describe("Rational: half-up rounding on the exact decimal", () => {
  it("149.01 ÷ 200 is 74.51% (the exact value is 0.74505), where a float prints 74.50", () => {
    // The float route: 149.01 / 200 is held as 0.74504999…, so toFixed rounds it down.
    expect(((149.01 / 200) * 100).toFixed(2)).toBe("74.50");
    expect(Rational.percent(Rational.div(fromNumber(149.01), fromNumber(200)))).toBe(74.51);
    expect(ratePercent(149.01, 200)).toBe(74.51);
  });

  it("rounds exactly-half values up and keeps rates over 100%", () => {
    expect(ratePercent(1, 8)).toBe(12.5); // 12.5 exactly, no rounding
    expect(ratePercent(1, 16)).toBe(6.25);
    expect(ratePercent(1, 32)).toBe(3.13); // 3.125 → 3.13
    expect(ratePercent(1, 3)).toBe(33.33);
    expect(ratePercent(2, 3)).toBe(66.67);
    expect(ratePercent(225, 200)).toBe(112.5);
    expect(ratePercent(2605, 2200)).toBe(118.41); // 118.4090… → 118.41
    expect(ratePercent(0, 5)).toBe(0);
  });

  it("rounds negative values half away from zero", () => {
    expect(Rational.round(Rational.of(-1, 8), 2)).toBe(-0.13); // −0.125 → −0.13
    expect(Rational.round(Rational.of(-124, 1000), 2)).toBe(-0.12);
    expect(Rational.round(Rational.of(-5, 2), 0)).toBe(-3); // −2.5 → −3
    expect(Rational.round(Rational.of(5, 2), 0)).toBe(3);
    expect(Rational.round(fromNumber(-2.675), 2)).toBe(-2.68); // the float −2.675 is −2.67499…
    expect(Rational.percent(Rational.of(-74505, 100000))).toBe(-74.51);
  });

  it("never prints a negative zero", () => {
    expect(Object.is(Rational.round(Rational.of(-1, 1000), 2), 0)).toBe(true);
    expect(Object.is(Rational.round(Rational.zero, 2), 0)).toBe(true);
  });

  it("matches an independent quotient-and-remainder rounding for any short decimal", () => {
    fc.assert(
      fc.property(decimalArb, fc.integer({ min: 0, max: 4 }), ({ m, k }, digits) => {
        const value = fromNumber(Number(decimalString(m, k)));
        expect(Rational.round(value, digits)).toBe(Number(roundDecimal(m, k, digits)));
      }),
      { numRuns: 500 },
    );
  });

  it("percent is round of the value × 100", () => {
    fc.assert(
      fc.property(decimalArb, ({ m, k }) => {
        const value = fromNumber(Number(decimalString(m, k)));
        // ×100 moves the decimal point two places: m / 10^(k−2).
        const expected = k >= 2 ? roundDecimal(m, k - 2, 2) : roundDecimal(m * pow10(2 - k), 0, 2);
        expect(Rational.percent(value)).toBe(Number(expected));
      }),
      { numRuns: 300 },
    );
  });
});

describe("Rational.fromNumber: the decimal a number prints as", () => {
  it("reads plain decimals exactly", () => {
    expect(same(fromNumber(149.01), exact(14901n, 100n))).toBe(true);
    expect(same(fromNumber(0.1), exact(1n, 10n))).toBe(true);
    expect(same(fromNumber(-0.1), exact(-1n, 10n))).toBe(true);
    expect(fromNumber(-0.1).n < 0n).toBe(true);
    expect(fromNumber(-0.1).d > 0n).toBe(true);
    expect(same(fromNumber(42), exact(42n, 1n))).toBe(true);
    expect(same(fromNumber(-0), Rational.zero)).toBe(true);
  });

  it("reads exponent forms", () => {
    expect(String(1e-7)).toBe("1e-7"); // the form under test
    expect(same(fromNumber(1e-7), exact(1n, 10_000_000n))).toBe(true);
    expect(same(fromNumber(1.5e-7), exact(15n, 100_000_000n))).toBe(true);
    expect(same(fromNumber(-2.5e-8), exact(-25n, 1_000_000_000n))).toBe(true);
    expect(String(1.5e21)).toBe("1.5e+21");
    expect(same(fromNumber(1.5e21), exact(15n * 10n ** 20n, 1n))).toBe(true);
    expect(same(fromNumber(1e21), exact(10n ** 21n, 1n))).toBe(true);
    // Beyond 2^53 but printed without an exponent.
    expect(same(fromNumber(1e20), exact(10n ** 20n, 1n))).toBe(true);
  });

  it("keeps the printed decimal, not the binary double: 0.1 + 0.2 is 0.30000000000000004", () => {
    expect(same(fromNumber(0.1 + 0.2), exact(30000000000000004n, 10n ** 17n))).toBe(true);
    expect(same(fromNumber(0.1 + 0.2), fromNumber(0.3))).toBe(false);
  });

  it("rejects non-finite numbers", () => {
    expect(() => fromNumber(Number.NaN)).toThrow(RangeError);
    expect(() => fromNumber(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it("property: any decimal with at most 6 decimals converts to exactly integer / 10^k", () => {
    fc.assert(
      fc.property(decimalArb, ({ m, k }) => {
        const s = decimalString(m, k);
        const r = fromNumber(Number(s));
        expect(r.d > 0n).toBe(true);
        expect(same(r, exact(m, pow10(k)))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("property: toNumber gives back the number", () => {
    fc.assert(
      fc.property(decimalArb, ({ m, k }) => {
        const x = Number(decimalString(m, k));
        expect(Rational.toNumber(fromNumber(x))).toBeCloseTo(x, 9);
      }),
    );
  });
});

describe("Rational.of", () => {
  it("normalises the sign into the numerator and rejects a zero denominator", () => {
    const r = Rational.of(3, -4);
    expect(r.d > 0n).toBe(true);
    expect(same(r, exact(-3n, 4n))).toBe(true);
    expect(same(Rational.of(-3, -4), exact(3n, 4n))).toBe(true);
    expect(() => Rational.of(1, 0)).toThrow(RangeError);
    expect(() => Rational.div(Rational.one, Rational.zero)).toThrow(RangeError);
  });
});

describe("Rational arithmetic properties", () => {
  it("add and mul are commutative and associative", () => {
    fc.assert(
      fc.property(rationalArb, rationalArb, rationalArb, (a, b, c) => {
        expect(same(Rational.add(a, b), Rational.add(b, a))).toBe(true);
        expect(same(Rational.mul(a, b), Rational.mul(b, a))).toBe(true);
        expect(same(Rational.add(Rational.add(a, b), c), Rational.add(a, Rational.add(b, c)))).toBe(true);
        expect(same(Rational.mul(Rational.mul(a, b), c), Rational.mul(a, Rational.mul(b, c)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("a + b − b = a, and a × b ÷ b = a", () => {
    fc.assert(
      fc.property(rationalArb, nonZeroRationalArb, (a, b) => {
        expect(same(Rational.sub(Rational.add(a, b), b), a)).toBe(true);
        expect(same(Rational.div(Rational.mul(a, b), b), a)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("add agrees with the textbook formula (a.n·b.d + b.n·a.d) / (a.d·b.d)", () => {
    fc.assert(
      fc.property(rationalArb, rationalArb, (a, b) => {
        expect(same(Rational.add(a, b), exact(a.n * b.d + b.n * a.d, a.d * b.d))).toBe(true);
        expect(same(Rational.mul(a, b), exact(a.n * b.n, a.d * b.d))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("add is exact on decimal inputs (power-of-ten denominators), unlike floats", () => {
    fc.assert(
      fc.property(decimalArb, decimalArb, (x, y) => {
        const a = fromNumber(Number(decimalString(x.m, x.k)));
        const b = fromNumber(Number(decimalString(y.m, y.k)));
        const k = Math.max(x.k, y.k);
        const sum = x.m * pow10(k - x.k) + y.m * pow10(k - y.k);
        expect(same(Rational.add(a, b), exact(sum, pow10(k)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("compare is consistent with the sign of the difference, gte and lt", () => {
    fc.assert(
      fc.property(rationalArb, rationalArb, (a, b) => {
        const diff = Rational.sub(a, b);
        const sign = diff.n > 0n ? 1 : diff.n < 0n ? -1 : 0;
        expect(Rational.compare(a, b)).toBe(sign);
        expect(Rational.compare(b, a)).toBe(sign === 0 ? 0 : -sign); // not -0: toBe is Object.is
        expect(Rational.gte(a, b)).toBe(sign >= 0);
        expect(Rational.lt(a, b)).toBe(sign < 0);
        expect(same(Rational.min(a, b), sign <= 0 ? a : b)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("compare of equal values is 0 both ways", () => {
    const a = Rational.of(7, 3);
    expect(Rational.compare(a, Rational.of(7, 3))).toBe(0);
    expect(Rational.compare(Rational.of(7, 3), a)).toBe(0);
    expect(Rational.gte(a, a) && !Rational.lt(a, a)).toBe(true);
  });

  it("compare(a, a) is 0 whatever the representation", () => {
    fc.assert(
      fc.property(rationalArb, fc.bigInt({ min: 1n, max: 10n ** 6n }), (a, f) => {
        expect(Rational.compare(a, exact(a.n * f, a.d * f))).toBe(0);
      }),
    );
  });

  it("sum and mean", () => {
    expect(same(Rational.sum([]), Rational.zero)).toBe(true);
    expect(same(Rational.mean([]), Rational.zero)).toBe(true);
    expect(same(Rational.sum([fromNumber(0.1), fromNumber(0.2)]), exact(3n, 10n))).toBe(true);
    expect(same(Rational.mean([fromNumber(1), fromNumber(2), fromNumber(4)]), exact(7n, 3n))).toBe(true);
    fc.assert(
      fc.property(fc.array(rationalArb, { minLength: 1, maxLength: 8 }), (xs) => {
        const mean = Rational.mean(xs);
        expect(same(Rational.mul(mean, Rational.of(xs.length)), Rational.sum(xs))).toBe(true);
      }),
    );
  });

  it("keeps denominators bounded through long chains of decimal arithmetic", () => {
    // 1/3 added 3000 times is exactly 1000: the value must stay exact even after reductions.
    let acc = Rational.zero;
    for (let i = 0; i < 3000; i++) acc = Rational.add(acc, Rational.of(1, 3));
    expect(same(acc, exact(1000n, 1n))).toBe(true);
    let product = Rational.one;
    for (let i = 0; i < 40; i++) product = Rational.mul(product, Rational.of(10, 7));
    for (let i = 0; i < 40; i++) product = Rational.div(product, Rational.of(10, 7));
    expect(same(product, Rational.one)).toBe(true);
  });
});
