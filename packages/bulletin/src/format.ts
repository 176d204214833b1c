/** Number, date and label formatting as the bulletins print them. Pure helpers. */
import { roundHalfUp } from "@minsheng/domain";

/** A figure as printed: its shortest decimal form, no thousands separators (25719, 467.036). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  // Figures come rounded to at most 6 decimals; toFixed avoids exponent notation for tiny values.
  const s = Math.abs(value) < 1e-6 && value !== 0 ? value.toFixed(6) : String(value);
  return s.includes("e") ? value.toFixed(6).replace(/\.?0+$/, "") : s;
}

/** A percent already rounded to 2 decimals, printed without trailing zeros: 112.5, 100, 88.46. */
export const formatPercent = (percent: number): string => `${formatNumber(Number.isFinite(percent) ? roundHalfUp(percent, 2) : percent)}%`;

/** A disclosure score, printed without trailing zeros (5.4783, 3). */
export const formatScore = (score: number): string => formatNumber(score);

const CIRCLED_1_20 = 0x2460; // ①
const CIRCLED_21_35 = 0x3251; // ㉑
const CIRCLED_36_50 = 0x32b1; // ㊱

/** ① … ㊿ for 1-50 (the project marks of a plan), "(n)" beyond. */
export function circled(n: number): string {
  if (n >= 1 && n <= 20) return String.fromCodePoint(CIRCLED_1_20 + n - 1);
  if (n >= 21 && n <= 35) return String.fromCodePoint(CIRCLED_21_35 + n - 21);
  if (n >= 36 && n <= 50) return String.fromCodePoint(CIRCLED_36_50 + n - 36);
  return `(${n})`;
}

const DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/** Chinese numeral for 0-99: 十, 十二, 二十, 二十四. */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 99) return String(n);
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? "" : DIGITS[tens]}十${ones === 0 ? "" : DIGITS[ones]}`;
}

/** "2024-10-09" → "2024年10月9日". */
export function chineseDate(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number);
  return `${y}年${m}月${d}日`;
}

/** Inner quotes become single quotes so a title can sit inside “…”: 普惠性托育‘护蕾’行动. */
export const innerQuotes = (s: string): string => s.replace(/“/g, "‘").replace(/”/g, "’");

/** “title”, with the title's own quotes turned into single quotes. */
export const quoted = (s: string): string => `“${innerQuotes(s)}”`;

/** Joins names with the enumeration comma 、. */
export const enumerate = (names: readonly string[]): string => names.join("、");
