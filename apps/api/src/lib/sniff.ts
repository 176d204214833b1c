/**
 * What an uploaded evidence file really is, from its bytes (magic numbers and container
 * structure) — never from its name or the Content-Type the client declared. Only the types below
 * are accepted; anything else (HTML, SVG, scripts, executables, plain ZIPs, macro-enabled Office
 * files, other OLE files) is unknown and refused.
 */

export type EvidenceKind = "jpeg" | "png" | "gif" | "webp" | "pdf" | "doc" | "docx" | "xls" | "xlsx";

export interface DetectedType {
  kind: EvidenceKind;
  mediaType: string;
  /** accepted file-name extensions, the canonical one first */
  extensions: readonly string[];
}

export const evidenceTypes: Record<EvidenceKind, DetectedType> = {
  jpeg: { kind: "jpeg", mediaType: "image/jpeg", extensions: ["jpg", "jpeg"] },
  png: { kind: "png", mediaType: "image/png", extensions: ["png"] },
  gif: { kind: "gif", mediaType: "image/gif", extensions: ["gif"] },
  webp: { kind: "webp", mediaType: "image/webp", extensions: ["webp"] },
  pdf: { kind: "pdf", mediaType: "application/pdf", extensions: ["pdf"] },
  doc: { kind: "doc", mediaType: "application/msword", extensions: ["doc"] },
  docx: { kind: "docx", mediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", extensions: ["docx"] },
  xls: { kind: "xls", mediaType: "application/vnd.ms-excel", extensions: ["xls"] },
  xlsx: { kind: "xlsx", mediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", extensions: ["xlsx"] },
};

/** Human-readable list for error messages. */
export const acceptedTypesLabel = "JPEG, PNG, GIF, WebP, PDF, Word (.doc, .docx), Excel (.xls, .xlsx)";

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean => {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
};
const ascii = (s: string): number[] => [...s].map((ch) => ch.charCodeAt(0));

const JPEG = [0xff, 0xd8, 0xff];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const GIF87 = ascii("GIF87a");
const GIF89 = ascii("GIF89a");
const RIFF = ascii("RIFF");
const WEBP = ascii("WEBP");
const PDF = ascii("%PDF-");
const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** The accepted type the bytes are, or null when they are none of them. */
export function sniff(bytes: Uint8Array): DetectedType | null {
  if (startsWith(bytes, JPEG)) return evidenceTypes.jpeg;
  if (startsWith(bytes, PNG)) return evidenceTypes.png;
  if (startsWith(bytes, GIF87) || startsWith(bytes, GIF89)) return evidenceTypes.gif;
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return evidenceTypes.webp;
  if (startsWith(bytes, PDF)) return evidenceTypes.pdf;
  if (startsWith(bytes, ZIP_LOCAL)) {
    const kind = officeOpenXmlKind(bytes);
    return kind ? evidenceTypes[kind] : null;
  }
  if (startsWith(bytes, OLE)) {
    const kind = compoundFileKind(bytes);
    return kind ? evidenceTypes[kind] : null;
  }
  return null;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/**
 * A .docx or .xlsx: a ZIP whose central directory lists `[Content_Types].xml` and the `word/` or
 * `xl/` part. Macro-enabled documents (a `vbaProject.bin` part) and ZIP64 archives are refused.
 */
export function zipEntryNames(bytes: Uint8Array): string[] | null {
  const dv = view(bytes);
  const EOCD = 0x06054b50;
  const minEnd = Math.max(0, bytes.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= minEnd; i--) {
    if (dv.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = dv.getUint16(eocd + 10, true);
  const cdSize = dv.getUint32(eocd + 12, true);
  const cdOffset = dv.getUint32(eocd + 16, true);
  if (entries === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) return null; // ZIP64
  if (cdOffset + cdSize > eocd) return null;
  const names: string[] = [];
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let at = cdOffset;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > eocd || dv.getUint32(at, true) !== 0x02014b50) return null;
    const nameLength = dv.getUint16(at + 28, true);
    const extraLength = dv.getUint16(at + 30, true);
    const commentLength = dv.getUint16(at + 32, true);
    if (at + 46 + nameLength > eocd) return null;
    names.push(decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength)));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

function officeOpenXmlKind(bytes: Uint8Array): "docx" | "xlsx" | null {
  const names = zipEntryNames(bytes);
  if (!names || !names.includes("[Content_Types].xml")) return null;
  if (names.some((n) => /(^|\/)vbaProject\.bin$/i.test(n))) return null;
  const word = names.some((n) => n.startsWith("word/"));
  const excel = names.some((n) => n.startsWith("xl/"));
  if (word === excel) return null;
  return word ? "docx" : "xlsx";
}

const FREESECT = 0xffffffff;
const ENDOFCHAIN = 0xfffffffe;
const NOSTREAM = 0xffffffff;

/**
 * The names of the streams and storages directly under the root of an OLE compound file
 * (MS-CFB), or null when the structure does not hold together.
 */
export function compoundFileRootNames(bytes: Uint8Array): string[] | null {
  if (bytes.length < 512) return null;
  const dv = view(bytes);
  const major = dv.getUint16(0x1a, true);
  const shift = dv.getUint16(0x1e, true);
  if (dv.getUint16(0x1c, true) !== 0xfffe) return null;
  if (!((major === 3 && shift === 9) || (major === 4 && shift === 12))) return null;
  const sectorSize = 1 << shift;
  const perSector = sectorSize / 4;
  const sectorOffset = (s: number) => (s + 1) * sectorSize;
  const sectorOk = (s: number) => s < 0xfffffffa && sectorOffset(s) + sectorSize <= bytes.length;

  // DIFAT: the locations of the FAT sectors, 109 in the header and the rest in a chain.
  const fatSectors: number[] = [];
  for (let i = 0; i < 109; i++) {
    const s = dv.getUint32(0x4c + i * 4, true);
    if (s !== FREESECT) fatSectors.push(s);
  }
  let difat = dv.getUint32(0x44, true);
  for (let guard = 0; difat !== ENDOFCHAIN && difat !== FREESECT && guard < 10_000; guard++) {
    if (!sectorOk(difat)) return null;
    const base = sectorOffset(difat);
    for (let i = 0; i < perSector - 1; i++) {
      const s = dv.getUint32(base + i * 4, true);
      if (s !== FREESECT) fatSectors.push(s);
    }
    difat = dv.getUint32(base + (perSector - 1) * 4, true);
  }
  const next = (s: number): number | null => {
    const fat = fatSectors[Math.floor(s / perSector)];
    if (fat === undefined || !sectorOk(fat)) return null;
    return dv.getUint32(sectorOffset(fat) + (s % perSector) * 4, true);
  };

  // The directory: a chain of sectors of 128-byte entries.
  interface Entry {
    name: string;
    type: number;
    left: number;
    right: number;
    child: number;
  }
  const dir: Entry[] = [];
  const seen = new Set<number>();
  let s = dv.getUint32(0x30, true);
  while (s !== ENDOFCHAIN) {
    if (!sectorOk(s) || seen.has(s) || dir.length > 65_536) return null;
    seen.add(s);
    const base = sectorOffset(s);
    for (let e = 0; e < sectorSize / 128; e++) {
      const at = base + e * 128;
      const nameLength = Math.min(dv.getUint16(at + 0x40, true), 64);
      let name = "";
      for (let i = 0; i + 2 <= nameLength - 2; i += 2) name += String.fromCharCode(dv.getUint16(at + i, true));
      dir.push({ name, type: bytes[at + 0x42]!, left: dv.getUint32(at + 0x44, true), right: dv.getUint32(at + 0x48, true), child: dv.getUint32(at + 0x4c, true) });
    }
    const n = next(s);
    if (n === null) return null;
    s = n;
  }
  const root = dir[0];
  if (!root || root.type !== 5) return null;
  // The root's children form a tree through left/right sibling links.
  const names: string[] = [];
  const visited = new Set<number>();
  const stack = [root.child];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (i === NOSTREAM || visited.has(i)) continue;
    const entry = dir[i];
    if (!entry) return null;
    visited.add(i);
    if (entry.type === 1 || entry.type === 2) names.push(entry.name);
    stack.push(entry.left, entry.right);
  }
  return names;
}

function compoundFileKind(bytes: Uint8Array): "doc" | "xls" | null {
  const names = compoundFileRootNames(bytes);
  if (!names) return null;
  const word = names.includes("WordDocument");
  const excel = names.includes("Workbook") || names.includes("Book");
  if (word === excel) return null;
  return word ? "doc" : "xls";
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/**
 * A safe display and download name: no path, no control or bidi characters, no characters that
 * file systems or headers reject, at most 120 characters before an extension that matches the
 * detected type (a PNG sent as x.pdf is stored as x.png).
 */
export function sanitiseFilename(raw: string, type: DetectedType): string {
  let name = raw.normalize("NFC");
  name = name.split(/[\\/]/).pop() ?? "";
  name = name
    // oxlint-disable-next-line no-control-regex -- control characters are what this removes from a file name
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, "")
    .replace(/[<>:"|?*;]/g, "_")
    .replace(/\s+/g, " ")
    .replace(/^[\s.]+|[\s.]+$/g, "");
  const dot = name.lastIndexOf(".");
  let stem = name;
  if (dot > 0) {
    const ext = name.slice(dot + 1).toLowerCase();
    if (/^[a-z0-9]{1,5}$/.test(ext)) stem = name.slice(0, dot).replace(/[\s.]+$/, "");
  }
  stem = [...stem].slice(0, 120).join("");
  if (stem.length === 0) stem = "evidence";
  if (WINDOWS_RESERVED.test(stem)) stem = `_${stem}`;
  const given = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  const ext = type.extensions.includes(given) ? given : type.extensions[0]!;
  return `${stem}.${ext}`;
}

/** `attachment` with an ASCII fallback name and the exact UTF-8 one (RFC 6266 / 8187). */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
