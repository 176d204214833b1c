import { createInflateRaw, inflateRawSync } from "node:zlib";
import { coded } from "../lib/errors.js";

/**
 * A fast reader of the cell values of a plain .xlsx (the filled template), for the Excel import:
 * exceljs builds a full object model with styles and takes about 1 s for a 5,000-row upload; this
 * reads only the sheets' values, in a few tens of milliseconds. It gives each cell the value exceljs
 * would give it (string, number, boolean, { formula, result }, { error }), so the import reads both
 * the same way, and answers null for anything it does not model exactly — ZIP64 or encrypted
 * entries, dates (exceljs turns date-formatted numbers into Dates), merged cells below the title,
 * hyperlinks, phonetic runs, CDATA, escaped characters (_xHHHH_), cells or rows without an address —
 * and the caller then reads the workbook with exceljs. imports/report-import.test.ts compares both.
 */

/** A cell value as exceljs gives it, for the kinds this reader produces. */
export type FastValue = string | number | boolean | null | { formula: string; result: string | number | boolean | { error: string } | null } | { error: string };

export interface FastRow {
  readonly hasValues: boolean;
  getCell(column: number): { value: FastValue };
  eachCell(fn: (cell: { value: FastValue }, column: number) => void): void;
}

export interface FastSheet {
  readonly rowCount: number;
  readonly actualRowCount: number;
  getRow(row: number): FastRow;
  getCell(ref: string): { value: FastValue };
}

export interface FastBook {
  getWorksheet(name: string): FastSheet | undefined;
}

/** Thrown inside the reader for what it does not model; readFast answers null then. */
class Unsupported extends Error {}
/** Thrown for what no honest workbook holds and exceljs must not be given either: readFast lets it through (with the problem's code). */
export class Refused extends Error {
  constructor(
    message: string,
    readonly problem: ReturnType<typeof coded>,
  ) {
    super(message);
  }
}
const unsupported = (why: string): never => {
  throw new Unsupported(why);
};

// --- ZIP ----------------------------------------------------------------------------------------

/**
 * Where a ZIP's end-of-central-directory record starts (searched back from the end, over at most
 * the longest comment), or -1. Shared with report-import's unpacked-size check.
 */
export function endOfCentralDirectory(bytes: Uint8Array, dv: DataView): number {
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) if (dv.getUint32(i, true) === 0x06054b50) return i;
  return -1;
}

/** Sum of a workbook's unpacked parts at most (a ZIP bomb is refused: counted as it inflates, see unpackedSize). */
export const MAX_UNPACKED_BYTES = 100 * 1024 * 1024;

/** A part of the archive as its central directory lists it. */
interface ZipEntry {
  name: string;
  method: number;
  compressed: number;
  local: number;
}

/** The central directory's entries; Unsupported for what this reader does not model (ZIP64, encryption, other methods). */
function zipEntries(bytes: Uint8Array, dv: DataView): ZipEntry[] {
  const eocd = endOfCentralDirectory(bytes, dv);
  if (eocd < 0) unsupported("no end of central directory");
  const count = dv.getUint16(eocd + 10, true);
  let at = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || at === 0xffffffff) unsupported("ZIP64");
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || dv.getUint32(at, true) !== 0x02014b50) unsupported("bad central directory");
    const flags = dv.getUint16(at + 8, true);
    const method = dv.getUint16(at + 10, true);
    const compressed = dv.getUint32(at + 20, true);
    const nameLength = dv.getUint16(at + 28, true);
    const local = dv.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + dv.getUint16(at + 30, true) + dv.getUint16(at + 32, true);
    if (flags & 1) unsupported("encrypted entry");
    if (method !== 0 && method !== 8) unsupported(`compression method ${method}`);
    if (compressed === 0xffffffff || local === 0xffffffff) unsupported("ZIP64");
    entries.push({ name, method, compressed, local });
  }
  return entries;
}

/** The stored (possibly deflated) bytes of an entry, found through its local header. */
function entryData(bytes: Uint8Array, dv: DataView, e: ZipEntry): Uint8Array {
  if (e.local + 30 > bytes.length || dv.getUint32(e.local, true) !== 0x04034b50) unsupported("bad local header");
  const start = e.local + 30 + dv.getUint16(e.local + 26, true) + dv.getUint16(e.local + 28, true);
  return bytes.subarray(start, start + e.compressed);
}

/** More unpacked bytes than allowed: refused, never handed to exceljs (which would unpack them all). */
export class UnpackedTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the workbook unpacks to more than ${limit / 1024 / 1024} MB`);
  }
}

/**
 * What the workbook's parts really unpack to, counted as they inflate and stopped as soon as the
 * count passes `limit` (a ZIP bomb whose headers declare small sizes is caught all the same, and
 * never held in memory): the total, `limit + 1` or more when over it, or null when the archive cannot
 * be read (no or a bad central directory, ZIP64, encryption, a corrupt deflate stream). Every listed
 * entry is counted, so entries sharing one compressed stream count once each, as exceljs unpacks them.
 */
export async function unpackedSize(bytes: Uint8Array, limit: number): Promise<number | null> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let entries: ZipEntry[];
  try {
    entries = zipEntries(bytes, dv);
  } catch (e) {
    if (e instanceof Unsupported || e instanceof RangeError) return null;
    throw e;
  }
  let total = 0;
  for (const e of entries) {
    let data: Uint8Array;
    try {
      data = entryData(bytes, dv, e);
    } catch (err) {
      if (err instanceof Unsupported || err instanceof RangeError) return null;
      throw err;
    }
    const size = e.method === 0 ? data.byteLength : await inflatedLength(data, limit - total);
    if (size === null) return null;
    total += size;
    if (total > limit) return total;
  }
  return total;
}

/** The length a raw deflate stream inflates to, stopping (and answering) once it passes `limit`; null when corrupt. */
function inflatedLength(data: Uint8Array, limit: number): Promise<number | null> {
  return new Promise((resolve) => {
    const z = createInflateRaw();
    let n = 0;
    z.on("data", (chunk: Buffer) => {
      n += chunk.byteLength;
      if (n > limit) {
        z.destroy();
        resolve(n);
      }
    });
    z.on("end", () => resolve(n));
    z.on("error", () => resolve(null));
    z.end(data);
  });
}

function unzip(bytes: Uint8Array, maxUnpacked: number): Map<string, () => string> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const files = new Map<string, () => string>();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let budget = maxUnpacked;
  for (const e of zipEntries(bytes, dv)) {
    let text: string | undefined; // read once: a part screened first and read again costs nothing more
    files.set(e.name, () => (text ??= inflate(e)));
  }
  function inflate(e: ZipEntry): string {
    const data = entryData(bytes, dv, e);
    let out: Uint8Array;
    try {
      // Capped by real output, not the declared size: zlib stops past the budget.
      out = e.method === 0 ? data : inflateRawSync(data, { maxOutputLength: Math.max(1, budget) });
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw new UnpackedTooLarge(maxUnpacked);
      throw err;
    }
    budget -= out.byteLength;
    if (budget < 0) throw new UnpackedTooLarge(maxUnpacked);
    return decoder.decode(out);
  }
  return files;
}

// --- XML ----------------------------------------------------------------------------------------

/**
 * The <name> elements of a piece of XML, not nested in each other: attributes and body (null when
 * self-closing). Found with indexOf, each search starting where the last ended, so a hostile file
 * (tags never closed) costs linear time, not the quadratic backtracking of a lazy regex.
 */
function* elements(xml: string, name: string): Generator<{ attrs: string; body: string | null }> {
  const open = `<${name}`;
  const close = `</${name}>`;
  let at = 0;
  for (;;) {
    const start = xml.indexOf(open, at);
    if (start < 0) return;
    const next = xml[start + open.length];
    if (next !== " " && next !== ">" && next !== "/" && next !== "\t" && next !== "\n" && next !== "\r") {
      at = start + open.length;
      continue;
    }
    const end = xml.indexOf(">", start);
    if (end < 0) unsupported(`unclosed <${name}`);
    if (xml[end - 1] === "/") {
      yield { attrs: xml.slice(start + open.length, end - 1), body: null };
      at = end + 1;
      continue;
    }
    const stop = xml.indexOf(close, end);
    if (stop < 0) unsupported(`unclosed <${name}>`);
    yield { attrs: xml.slice(start + open.length, end), body: xml.slice(end + 1, stop) };
    at = stop + close.length;
  }
}

/** The attributes of each start tag <name …> or <name …/>, found like elements(): linear on any input. */
function* startTags(xml: string, name: string): Generator<string> {
  const open = `<${name}`;
  let at = 0;
  for (;;) {
    const start = xml.indexOf(open, at);
    if (start < 0) return;
    const next = xml[start + open.length];
    at = start + open.length;
    if (next !== " " && next !== ">" && next !== "/" && next !== "\t" && next !== "\n" && next !== "\r") continue;
    const end = xml.indexOf(">", at);
    if (end < 0) unsupported(`unclosed <${name}`);
    yield xml.slice(at, xml[end - 1] === "/" ? end - 1 : end);
    at = end + 1;
  }
}

/** The text of the first <name> element (null when none or self-closing); markup inside it is not modelled. */
function firstText(xml: string, name: string): string | null {
  for (const m of elements(xml, name)) {
    if (m.body !== null && m.body.includes("<")) unsupported(`markup inside <${name}>`);
    return m.body;
  }
  return null;
}

const ENTITY: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
function decode(s: string): string {
  if (s.indexOf("&") < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) =>
    e[0] === "#" ? String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITY[e]!,
  );
}
const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? decode(m[1]!) : undefined;
};
/** The text of <t> elements in an <si> or <is> (runs concatenated, as exceljs's cellText joins rich text). */
function texts(xml: string): string {
  if (xml.includes("<rPh")) unsupported("phonetic runs");
  let out = "";
  for (const m of elements(xml, "t")) {
    if (m.body !== null && m.body.includes("<")) unsupported("markup inside <t>");
    out += decode(m.body ?? "");
  }
  return out;
}
const guard = (xml: string) => {
  if (xml.includes("<![CDATA[")) unsupported("CDATA");
  if (/_x[0-9A-Fa-f]{4}_/.test(xml)) unsupported("escaped characters");
};

/** Built-in number formats that are plain numbers or text (ECMA-376 18.8.30); any other built-in is taken for a date. */
const NUMBER_FORMAT_IDS = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 37, 38, 39, 40, 41, 42, 43, 44, 48, 49]);
/** A format code that may show a date or a time: exceljs's own test (y m d h M s b outside quotes and brackets), or any such letter. */
const isDateCode = (code: string) => /[ymdhMsb]/.test(withoutSpans(withoutSpans(code, "[", "]"), '"', '"')) || /[dmyhse]/i.test(withoutQuotedBracketedEscaped(code));

/**
 * `s.replace(/\[[^\]]*]/g, "")` (for open "[" and close "]"; or quotes) in one pass: with indexOf
 * instead of a regex that rescans to the end from every unclosed "[" (quadratic on "[[[[…").
 */
function withoutSpans(s: string, open: string, close: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const start = s.indexOf(open, at);
    const end = start < 0 ? -1 : s.indexOf(close, start + 1);
    // No close after this open: none after any later open either, so the rest stays as it is.
    if (end < 0) return out + s.slice(at);
    out += s.slice(at, start);
    at = end + 1;
  }
}

/** `s.replace(/"[^"]*"|\[[^\]]*\]|\\./g, "")` in one pass (same left-to-right choice, linear). */
function withoutQuotedBracketedEscaped(s: string): string {
  let out = "";
  let noQuote = false;
  let noBracket = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '"' && !noQuote) {
      const end = s.indexOf('"', i + 1);
      if (end >= 0) {
        i = end;
        continue;
      }
      noQuote = true;
    } else if (ch === "[" && !noBracket) {
      const end = s.indexOf("]", i + 1);
      if (end >= 0) {
        i = end;
        continue;
      }
      noBracket = true;
    } else if (ch === "\\" && i + 1 < s.length && !"\n\r\u2028\u2029".includes(s[i + 1]!)) {
      i++;
      continue;
    }
    out += ch;
  }
  return out;
}

/** Excel keeps a number format code to 255 characters; a longer one is no honest workbook (and exceljs's date test is quadratic in it). */
const MAX_FORMAT_CODE = 255;

/** Styles (by index) whose number format is a date: numbers in them are Dates in exceljs. */
function dateStyles(xml: string | undefined): Set<number> {
  const out = new Set<number>();
  if (!xml) return out;
  const custom = new Map<number, string>();
  for (const tag of startTags(xml, "numFmt")) {
    const code = attr(tag, "formatCode") ?? "";
    if (code.length > MAX_FORMAT_CODE) throw new Refused(`a number format code is longer than Excel's ${MAX_FORMAT_CODE} characters`, coded("IMPORT_WORKBOOK_FORMAT_TOO_LONG", { max: MAX_FORMAT_CODE }));
    custom.set(Number(attr(tag, "numFmtId")), code);
  }
  let xfs = "";
  for (const m of elements(xml, "cellXfs")) {
    xfs = m.body ?? "";
    break;
  }
  let i = 0;
  for (const tag of startTags(xfs, "xf")) {
    const id = Number(attr(tag, "numFmtId") ?? 0);
    const code = custom.get(id);
    if (code !== undefined ? isDateCode(code) : !NUMBER_FORMAT_IDS.has(id)) out.add(i);
    i++;
  }
  return out;
}

/** "AB12" → [12, 28] */
function address(ref: string): [number, number] {
  const m = /^([A-Z]{1,3})(\d+)$/.exec(ref);
  if (!m) return unsupported(`cell address ${ref}`);
  let col = 0;
  for (const ch of m[1]!) col = col * 26 + (ch.charCodeAt(0) - 64);
  return [Number(m[2]), col];
}

const EMPTY = { value: null } as const;

const columnName = (n: number): string => (n > 26 ? columnName(Math.floor((n - 1) / 26)) : "") + String.fromCharCode(65 + ((n - 1) % 26));

function sheetOf(xml: string, shared: readonly string[], dates: Set<number>): FastSheet {
  guard(xml);
  if (/<hyperlinks[\s>]/.test(xml)) unsupported("hyperlinks");
  const rows = new Map<number, Map<number, FastValue>>();
  const bare: Array<[number, number]> = [];
  let rowCount = 0;
  for (const rm of elements(xml, "row")) {
    const r = Number(attr(rm.attrs, "r") ?? unsupported("row without an address"));
    rowCount = Math.max(rowCount, r);
    const cells = new Map<number, FastValue>();
    for (const cm of elements(rm.body ?? "", "c")) {
      const tag = cm.attrs;
      const ref = attr(tag, "r") ?? unsupported("cell without an address");
      const [cr, cc] = address(ref);
      if (cr !== r) unsupported("cell outside its row");
      const body = cm.body ?? "";
      const t = attr(tag, "t") ?? "n";
      const raw = firstText(body, "v");
      const v = raw === null ? undefined : decode(raw);
      const formula = /<f[\s>/]/.test(body);
      // exceljs: an empty <v> is no value; a cell with neither value nor style is a merged cell (checked below).
      if (v === "") unsupported(`an empty value (${ref})`);
      if (v === undefined && !formula && attr(tag, "s") === undefined && t !== "inlineStr") bare.push([cr, cc]);
      if (v !== undefined && t === "n" && dates.has(Number(attr(tag, "s") ?? 0))) unsupported("a date");
      let value: FastValue;
      if (t === "s") value = v === undefined ? null : (shared[parseInt(v, 10)] ?? unsupported("shared string out of range"));
      else if (t === "inlineStr") value = texts([...elements(body, "is")][0]?.body ?? unsupported("inline string without text"));
      else if (t === "str") value = v === undefined ? null : v.includes("&") ? unsupported("escaped text in a formula result") : v;
      else if (t === "b") value = v === undefined ? null : parseInt(v, 10) !== 0;
      else if (t === "e") value = v === undefined ? null : { error: v };
      else if (t === "n") value = v === undefined ? null : parseFloat(v);
      else return unsupported(`cell type ${t}`);
      if (formula) {
        if (t === "s" || t === "inlineStr") unsupported("formula with a string cell");
        value = { formula: "", result: value as string | number | boolean | { error: string } | null };
      }
      if (value !== null) cells.set(cc, value);
    }
    rows.set(r, cells);
  }
  // Merged cells read their first cell's value in exceljs: modelled for the title row only.
  const merged = new Set<number>();
  for (const tag of startTags(xml, "mergeCell")) {
    const m = /^([A-Z]{1,3}\d+):([A-Z]{1,3}\d+)$/.exec(attr(tag, "ref") ?? "") ?? unsupported("a merged range without a ref");
    const [r1, c1] = address(m[1]!);
    const [r2, c2] = address(m[2]!);
    if (r1 !== 1 || r2 !== 1) unsupported("merged cells below the first row");
    const row = rows.get(1) ?? rows.set(1, new Map()).get(1)!;
    const master = row.get(c1) ?? null;
    for (let c = c1 + 1; c <= c2; c++) {
      row.set(c, master);
      merged.add(c);
    }
  }
  for (const [r, c] of bare) if (r !== 1 || !merged.has(c)) unsupported(`a cell with neither value nor style (${columnName(c)}${r})`);
  const rowOf = (r: number): FastRow => {
    const cells = rows.get(r);
    return {
      hasValues: cells !== undefined && [...cells.values()].some((v) => v !== null),
      getCell: (column) => (cells?.has(column) ? { value: cells.get(column)! } : EMPTY),
      eachCell: (fn) => {
        if (!cells) return;
        for (const [column, value] of [...cells.entries()].sort((a, b) => a[0] - b[0])) if (value !== null) fn({ value }, column);
      },
    };
  };
  let actual = 0;
  for (const cells of rows.values()) if ([...cells.values()].some((v) => v !== null)) actual++;
  return {
    rowCount,
    actualRowCount: actual,
    getRow: rowOf,
    getCell: (ref) => {
      const [r, c] = address(ref);
      return rowOf(r).getCell(c);
    },
  };
}

/** Cells under merged ranges at most: exceljs makes an object of each (A1:XFD1048576 would be 17 billion). */
export const MAX_MERGED_CELLS = 100_000;

/** Refuses a part whose merged ranges cover more than MAX_MERGED_CELLS cells (a filled template merges a few). */
function screenMergedCells(xml: string): void {
  if (!xml.includes("<mergeCell")) return;
  let cells = 0;
  try {
    for (const tag of startTags(xml, "mergeCell")) {
      const m = /^([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})$/.exec(attr(tag, "ref") ?? "");
      if (!m) continue;
      const [r1, c1] = address(`${m[1]}${m[2]}`);
      const [r2, c2] = address(`${m[3]}${m[4]}`);
      cells += (Math.abs(r2 - r1) + 1) * (Math.abs(c2 - c1) + 1);
      if (cells > MAX_MERGED_CELLS) throw new Refused(`merged cells cover more than ${MAX_MERGED_CELLS} cells`, coded("IMPORT_WORKBOOK_MERGED_TOO_MANY", { max: MAX_MERGED_CELLS }));
    }
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e; // an unclosed tag: exceljs cannot parse the part either
  }
}

/** Relationship targets of workbook.xml, resolved to paths in the ZIP. */
function sheetPaths(workbook: string, rels: string): Map<string, string> {
  const targets = new Map<string, string>();
  for (const tag of startTags(rels, "Relationship")) {
    const id = attr(tag, "Id");
    const target = attr(tag, "Target");
    if (id && target) targets.set(id, target.startsWith("/") ? target.slice(1) : `xl/${target.replace(/^\.\//, "")}`);
  }
  const out = new Map<string, string>();
  for (const tag of startTags(workbook, "sheet")) {
    const name = attr(tag, "name");
    const rid = attr(tag, "r:id");
    const path = rid ? targets.get(rid) : undefined;
    if (name !== undefined && path) out.set(name, path);
  }
  return out;
}

/** The workbook's sheets, read lazily by name; null when it holds something this reader does not model. */
export function readFast(bytes: Uint8Array, onFallback?: (why: string) => void): FastBook | null {
  try {
    const files = unzip(bytes, MAX_UNPACKED_BYTES);
    const read = (name: string) => files.get(name)?.();
    // First what no honest workbook has and exceljs must not be given, before anything could fall back to it.
    for (const name of files.keys()) if (name.startsWith("xl/") && name.endsWith(".xml") && !name.endsWith("sharedStrings.xml")) screenMergedCells(read(name)!);
    const dates = dateStyles(read("xl/styles.xml"));
    const workbook = read("xl/workbook.xml") ?? unsupported("no xl/workbook.xml");
    const paths = sheetPaths(workbook, read("xl/_rels/workbook.xml.rels") ?? unsupported("no workbook relationships"));
    const sharedXml = read("xl/sharedStrings.xml");
    if (sharedXml) guard(sharedXml);
    const shared = sharedXml ? [...elements(sharedXml, "si")].map((m) => texts(m.body ?? "")) : [];
    const sheets = new Map<string, FastSheet>();
    // Read every sheet now: a problem in any of them falls back before anything is used.
    for (const [name, path] of paths) sheets.set(name, sheetOf(read(path) ?? unsupported(`no ${path}`), shared, dates));
    return { getWorksheet: (name) => sheets.get(name) };
  } catch (e) {
    if (e instanceof Unsupported || e instanceof TypeError || e instanceof RangeError || (e as { code?: string }).code?.startsWith?.("Z_")) {
      onFallback?.((e as Error).message);
      return null;
    }
    throw e;
  }
}
