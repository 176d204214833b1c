import { CodedError } from "./errors.js";
import { type DetectedType, evidenceTypes } from "./sniff.js";

/**
 * Photos lose their metadata (EXIF with GPS position, camera serial and time; XMP; comments) when an
 * upload is accepted, before storage: a citizen's photo of a 码上通 site must not tell where they live.
 * Each image type sniff.ts accepts is handled by its container structure; pixels are never re-encoded.
 *
 * JPEG: APP1 (EXIF, XMP) and every other APPn but JFIF (APP0), ICC profiles (APP2) and Adobe (APP14)
 *   are dropped, and comments (COM); an EXIF orientation is kept in a new minimal EXIF (nothing else),
 *   so a phone's portrait photo is not shown on its side. Data after the end of image (e.g. the
 *   secondary images of an MPF file, each with its own EXIF) is dropped.
 * PNG: eXIf, tEXt, zTXt, iTXt (XMP lives there) and tIME chunks dropped, and anything after IEND.
 * WebP: EXIF and "XMP " chunks dropped, their VP8X flags cleared, the RIFF size rewritten.
 * GIF: comment and application extensions dropped (XMP is an application extension), except the
 *   looping ones (NETSCAPE2.0, ANIMEXTS1.0).
 * A file cut short keeps what it has, less its metadata; a structure that contradicts itself is refused.
 * Other types (PDF, Office) are returned as they are.
 */

/** The image's structure does not hold together: the upload is refused (400), not stored. */
export class DamagedImage extends Error {
  constructor(readonly type: string) {
    super(`the ${type} image is damaged and cannot be cleaned of its metadata`);
  }
}

/**
 * The upload without its metadata, for the routes that accept files: a damaged image is a 400 naming
 * the multipart field (`$.file`, `$.photo`), and nothing is stored.
 */
export function acceptedWithoutMetadata(bytes: Uint8Array, type: DetectedType, field: string): Uint8Array {
  try {
    return stripImageMetadata(bytes, type);
  } catch (e) {
    if (e instanceof DamagedImage) throw new CodedError("IMAGE_DAMAGED", { type: e.type }, e.message).at(`$.${field}`);
    throw e;
  }
}

/**
 * A stored file as it is served: images are cleaned again, so a photo stored before uploads were
 * cleaned does not hand out its EXIF either (cleaning a clean file gives the same bytes). A stored
 * image too damaged to clean is not served (409).
 */
export function servedWithoutMetadata(bytes: Uint8Array, mediaType: string): Uint8Array {
  const type = Object.values(evidenceTypes).find((t) => t.mediaType === mediaType);
  if (!type) return bytes;
  try {
    return stripImageMetadata(bytes, type);
  } catch (e) {
    if (e instanceof DamagedImage) throw new CodedError("STORED_IMAGE_DAMAGED", {}, "the stored image is damaged and cannot be served without its metadata");
    throw e;
  }
}

export function stripImageMetadata(bytes: Uint8Array, type: DetectedType): Uint8Array {
  switch (type.kind) {
    case "jpeg":
      return stripJpeg(bytes);
    case "png":
      return stripPng(bytes);
    case "webp":
      return stripWebp(bytes);
    case "gif":
      return stripGif(bytes);
    default:
      return bytes;
  }
}

const ascii = (b: Uint8Array, at: number, length: number) => String.fromCharCode(...b.subarray(at, at + length));
const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

// --- JPEG ---------------------------------------------------------------------------------------

function stripJpeg(b: Uint8Array): Uint8Array {
  const damaged = () => new DamagedImage("JPEG");
  const out: Uint8Array[] = [b.subarray(0, 2)]; // SOI
  let i = 2;
  while (i < b.length) {
    if (b[i] !== 0xff) throw damaged();
    while (i < b.length && b[i] === 0xff) i++; // fill bytes
    if (i >= b.length) break;
    const marker = b[i]!;
    const at = i - 1;
    i++;
    if (marker === 0xd9) {
      out.push(new Uint8Array([0xff, 0xd9])); // EOI: anything after it is dropped
      return concat(out);
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      out.push(new Uint8Array([0xff, marker]));
      continue;
    }
    const metadata = (marker >= 0xe0 && marker <= 0xef) || marker === 0xfe;
    const length = i + 2 <= b.length ? (b[i]! << 8) | b[i + 1]! : 0;
    if (length < 2 && i + 2 <= b.length) throw damaged();
    if (i + 2 > b.length || i + length > b.length) {
      // A truncated last segment: kept as it is (viewers show what they can), unless it is metadata.
      if (!metadata) out.push(b.subarray(at));
      return concat(out);
    }
    const segment = b.subarray(at, i + length);
    const payload = b.subarray(i + 2, i + length);
    i += length;
    if (marker === 0xe1) {
      const orientation = ascii(payload, 0, 6) === "Exif\0\0" ? exifOrientation(payload.subarray(6)) : null;
      if (orientation !== null && orientation !== 1) out.push(orientationApp1(orientation));
      continue;
    }
    if (marker >= 0xe0 && marker <= 0xef) {
      const keep =
        (marker === 0xe0 && (ascii(payload, 0, 5) === "JFIF\0" || ascii(payload, 0, 5) === "JFXX\0")) ||
        (marker === 0xe2 && ascii(payload, 0, 12) === "ICC_PROFILE\0") ||
        (marker === 0xee && ascii(payload, 0, 5) === "Adobe");
      if (keep) out.push(segment);
      continue;
    }
    if (marker === 0xfe) continue; // COM
    out.push(segment);
    if (marker === 0xda) {
      // Entropy-coded data up to the next marker (FF 00 is a stuffed byte, FF D0–D7 a restart).
      let j = i;
      for (;;) {
        j = b.indexOf(0xff, j);
        if (j < 0 || j + 1 >= b.length) {
          j = b.length;
          break;
        }
        const next = b[j + 1]!;
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) j += next === 0xff ? 1 : 2;
        else break;
      }
      out.push(b.subarray(i, j));
      i = j;
    }
  }
  return concat(out); // no EOI (a truncated file): what was there, without its metadata
}

/** The Orientation tag (0x0112) of IFD0 in a TIFF structure, or null. */
function exifOrientation(tiff: Uint8Array): number | null {
  if (tiff.length < 8) return null;
  const order = ascii(tiff, 0, 2);
  if (order !== "II" && order !== "MM") return null;
  const dv = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const le = order === "II";
  if (dv.getUint16(2, le) !== 42) return null;
  const ifd = dv.getUint32(4, le);
  if (ifd + 2 > tiff.length) return null;
  const count = dv.getUint16(ifd, le);
  for (let n = 0; n < count; n++) {
    const e = ifd + 2 + n * 12;
    if (e + 12 > tiff.length) return null;
    if (dv.getUint16(e, le) === 0x0112 && dv.getUint16(e + 2, le) === 3) {
      const v = dv.getUint16(e + 8, le);
      return v >= 1 && v <= 8 ? v : null;
    }
  }
  return null;
}

/** An APP1 segment with an EXIF of one tag: the orientation (big-endian TIFF, IFD0 with one entry). */
function orientationApp1(orientation: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const length = payload.length + 2;
  return new Uint8Array([0xff, 0xe1, length >> 8, length & 0xff, ...payload]);
}

// --- PNG ----------------------------------------------------------------------------------------

const PNG_DROPPED = new Set(["eXIf", "tEXt", "zTXt", "iTXt", "tIME"]);

function stripPng(b: Uint8Array): Uint8Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Uint8Array[] = [b.subarray(0, 8)];
  let i = 8;
  while (i < b.length) {
    const type = i + 8 <= b.length ? ascii(b, i + 4, 4) : "";
    const end = i + 8 <= b.length ? i + 12 + dv.getUint32(i) : Infinity;
    if (end > b.length) {
      // A truncated last chunk: kept as it is (viewers show what they can), unless it is metadata.
      if (!PNG_DROPPED.has(type)) out.push(b.subarray(i));
      break;
    }
    if (!PNG_DROPPED.has(type)) out.push(b.subarray(i, end));
    i = end;
    if (type === "IEND") break; // anything after it is dropped
  }
  return concat(out);
}

// --- WebP ---------------------------------------------------------------------------------------

function stripWebp(b: Uint8Array): Uint8Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 12) throw new DamagedImage("WebP");
  const riffEnd = Math.min(b.length, 8 + dv.getUint32(4, true));
  const chunks: Uint8Array[] = [];
  let i = 12;
  while (i + 8 <= riffEnd) {
    const fourcc = ascii(b, i, 4);
    const size = dv.getUint32(i + 4, true);
    const end = i + 8 + size + (size & 1);
    if (i + 8 + size > riffEnd) {
      // A truncated last chunk: kept as it is, unless it is metadata.
      if (fourcc !== "EXIF" && fourcc !== "XMP ") chunks.push(b.slice(i, riffEnd));
      break;
    }
    const chunk = b.slice(i, Math.min(end, riffEnd));
    if (fourcc === "VP8X" && size >= 1) chunk[8] = chunk[8]! & ~(0x08 | 0x04); // no EXIF, no XMP any more
    if (fourcc !== "EXIF" && fourcc !== "XMP ") chunks.push(chunk);
    i = end;
  }
  const body = concat(chunks);
  const header = new Uint8Array(12);
  header.set(b.subarray(0, 4));
  new DataView(header.buffer).setUint32(4, 4 + body.byteLength, true);
  header.set(b.subarray(8, 12), 8);
  return concat([header, body]);
}

// --- GIF ----------------------------------------------------------------------------------------

function stripGif(b: Uint8Array): Uint8Array {
  const damaged = () => new DamagedImage("GIF");
  if (b.length < 13) throw damaged();
  const table = (packed: number) => (packed & 0x80 ? 3 * (1 << ((packed & 7) + 1)) : 0);
  let i = 13 + table(b[10]!);
  if (i > b.length) throw damaged();
  const out: Uint8Array[] = [b.subarray(0, i)];
  /** The end of a run of data sub-blocks starting at `at` (after its terminator). */
  const subBlocks = (at: number) => {
    for (;;) {
      if (at >= b.length) throw damaged();
      const n = b[at]!;
      at += 1 + n;
      if (n === 0) return at;
    }
  };
  while (i < b.length) {
    const introducer = b[i]!;
    if (introducer === 0x3b) break; // trailer: anything after it is dropped
    if (introducer === 0x21) {
      if (i + 2 > b.length) throw damaged();
      const label = b[i + 1]!;
      const end = subBlocks(i + 2);
      const app = label === 0xff && b[i + 2] === 11 ? ascii(b, i + 3, 11) : null;
      const keep = label === 0xf9 || label === 0x01 || app === "NETSCAPE2.0" || app === "ANIMEXTS1.0";
      if (keep) out.push(b.subarray(i, end));
      i = end;
    } else if (introducer === 0x2c) {
      if (i + 10 > b.length) throw damaged();
      const data = i + 10 + table(b[i + 9]!) + 1; // descriptor, local table, LZW minimum code size
      const end = subBlocks(data);
      out.push(b.subarray(i, end));
      i = end;
    } else throw damaged();
  }
  out.push(new Uint8Array([0x3b]));
  return concat(out);
}
