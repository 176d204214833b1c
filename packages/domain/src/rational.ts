/**
 * Exact rational arithmetic for published figures.
 *
 * Why: 149.01 ÷ 200 is 0.74505, which a float holds as 0.7450499…, so naive rounding prints
 * 74.50% where the bulletin prints 74.51%. Likewise 9 ÷ 12 compared with a float rate can put an
 * indicator exactly on the schedule line on the wrong side. Every value entered by a user is a
 * finite decimal, so we convert it once, exactly, and keep rationals until the figure is printed.
 */
export interface Rational {
  /** numerator (sign carried here) */
  readonly n: bigint;
  /** denominator, always > 0 */
  readonly d: bigint;
}

const ZERO: Rational = { n: 0n, d: 1n };
const ONE: Rational = { n: 1n, d: 1n };

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

const sameDenominator = (a: Rational, b: Rational): boolean => a.d === b.d && a.d > 0n;

/** 10^k as doubles, exact for these k. */
const FAST_DECIMALS: number[] = Array.from({ length: 16 }, (_, k) => 10 ** k);

const POW10: bigint[] = [1n];
function pow10(k: number): bigint {
  while (POW10.length <= k) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[k]!;
}

/** Keeps denominators small: reduce only when they have grown (cheap for decimal inputs). */
function normalise(n: bigint, d: bigint): Rational {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  if (d > 1_000_000_000_000n) {
    const g = gcd(n, d);
    if (g > 1n) return { n: n / g, d: d / g };
  }
  return { n, d };
}

export const Rational = {
  zero: ZERO,
  one: ONE,

  /**
   * The exact decimal that a JavaScript number prints as (its shortest round-trip form),
   * so 149.01 is 14901/100, not the binary double nearest to it.
   */
  fromNumber(x: number): Rational {
    if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
    if (Number.isSafeInteger(x)) return { n: BigInt(x), d: 1n };
    // Fast path without printing: the fewest decimals k such that m = round(x·10^k) gives
    // m ÷ 10^k back as x. Division is correctly rounded, so the decimal m·10^-k rounds to x. While
    // |m| < 2^40 the spacing 10^-k is far above x's ulp, so at most one k-decimal rounds to x and
    // x·10^k lands within 2^-12 of it (round finds it); the fewest decimals is then the shortest
    // form, i.e. the decimal String(x) prints, with the same numerator and denominator.
    for (let k = 1; k < FAST_DECIMALS.length; k++) {
      const m = Math.round(x * FAST_DECIMALS[k]!);
      if (Math.abs(m) >= 2 ** 40) break;
      if (m / FAST_DECIMALS[k]! === x) return { n: BigInt(m), d: pow10(k) };
    }
    const text = String(x);
    const [mantissa = "0", expText] = text.split("e");
    const exp = expText === undefined ? 0 : Number(expText);
    const negative = mantissa.startsWith("-");
    const digits = negative ? mantissa.slice(1) : mantissa;
    const dot = digits.indexOf(".");
    const whole = dot < 0 ? digits : digits.slice(0, dot) + digits.slice(dot + 1);
    const scale = (dot < 0 ? 0 : digits.length - dot - 1) - exp;
    let n = BigInt(whole);
    let d = 1n;
    if (scale > 0) d = pow10(scale);
    else if (scale < 0) n *= pow10(-scale);
    return { n: negative ? -n : n, d };
  },

  of(n: number | bigint, d: number | bigint = 1n): Rational {
    const nn = typeof n === "bigint" ? n : BigInt(n);
    const dd = typeof d === "bigint" ? d : BigInt(d);
    if (dd === 0n) throw new RangeError("division by zero");
    return normalise(nn, dd);
  },

  add(a: Rational, b: Rational): Rational {
    if (a.d === b.d) return { n: a.n + b.n, d: a.d };
    // Decimal inputs have power-of-ten denominators: one divides the other.
    if (a.d > b.d && a.d % b.d === 0n) return { n: a.n + b.n * (a.d / b.d), d: a.d };
    if (b.d > a.d && b.d % a.d === 0n) return { n: a.n * (b.d / a.d) + b.n, d: b.d };
    return normalise(a.n * b.d + b.n * a.d, a.d * b.d);
  },

  sub(a: Rational, b: Rational): Rational {
    return Rational.add(a, { n: -b.n, d: b.d });
  },

  mul(a: Rational, b: Rational): Rational {
    return normalise(a.n * b.n, a.d * b.d);
  },

  div(a: Rational, b: Rational): Rational {
    if (b.n === 0n) throw new RangeError("division by zero");
    return normalise(a.n * b.d, a.d * b.n);
  },

  sum(values: Iterable<Rational>): Rational {
    let acc = ZERO;
    for (const v of values) acc = Rational.add(acc, v);
    return acc;
  },

  /** Arithmetic mean; the mean of nothing is 0 (nothing reported yet). */
  mean(values: readonly Rational[]): Rational {
    if (values.length === 0) return ZERO;
    return Rational.div(Rational.sum(values), { n: BigInt(values.length), d: 1n });
  },

  // Comparisons cross-multiply; with one (positive) denominator, the usual case for decimal
  // figures and their sums, the numerators decide alone, without the two multiplications.
  compare(a: Rational, b: Rational): -1 | 0 | 1 {
    const same = sameDenominator(a, b);
    const l = same ? a.n : a.n * b.d;
    const r = same ? b.n : b.n * a.d;
    return l < r ? -1 : l > r ? 1 : 0;
  },

  gte(a: Rational, b: Rational): boolean {
    return sameDenominator(a, b) ? a.n >= b.n : a.n * b.d >= b.n * a.d;
  },

  lt(a: Rational, b: Rational): boolean {
    return sameDenominator(a, b) ? a.n < b.n : a.n * b.d < b.n * a.d;
  },

  min(a: Rational, b: Rational): Rational {
    return Rational.lt(a, b) ? a : b;
  },

  isZero(a: Rational): boolean {
    return a.n === 0n;
  },

  /**
   * Rounds half away from zero (四舍五入) to `digits` decimals on the exact value and returns
   * the JavaScript number whose shortest printed form is that decimal.
   */
  round(a: Rational, digits: number): number {
    const negative = a.n < 0n;
    const scale = pow10(digits);
    const scaledNumerator = abs(a.n) * scale * 2n + a.d;
    const q = scaledNumerator / (a.d * 2n);
    const intPart = q / scale;
    const frac = (q % scale).toString().padStart(digits, "0");
    const text = digits > 0 ? `${intPart}.${frac}` : `${intPart}`;
    const value = Number(text);
    return negative && value !== 0 ? -value : value;
  },

  /** Percent (×100) rounded half-up to `digits` decimals: 0.74505 → 74.51. */
  percent(a: Rational, digits = 2): number {
    return Rational.round({ n: a.n * 100n, d: a.d }, digits);
  },

  toNumber(a: Rational): number {
    return Number(a.n) / Number(a.d);
  },
} as const;
