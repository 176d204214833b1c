/**
 * Uploads (issue 10 item 8): photos — citizens' (码上通 suggestions), evidence and content images — lose
 * their EXIF (GPS), XMP and comments before they are stored or served; a workbook is capped by what it
 * really unpacks to, counted as it inflates (a ZIP bomb whose headers lie is refused); the xlsx reader
 * is linear on hostile XML. Hostile inputs are generated here, not committed.
 */
import { deflateRawSync } from "node:zlib";
import JSZip from "jszip";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripImageMetadata } from "../src/lib/image-metadata.js";
import { MAX_UNPACKED_BYTES, readUpload, unpackedSize } from "../src/imports/workbook.js";
import { evidenceTypes } from "../src/lib/sniff.js";
import { readFast } from "../src/imports/xlsx-fast.js";
import { type Harness, makeHarness } from "./harness.js";
import { chunk, form, siteCode, tinyPng, unlimited } from "./sites-helpers.js";

const API = "/api/v1";
let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
  h.deps.rateLimiter = unlimited;
}, 120_000);
afterAll(() => h?.dispose());

const enc = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: Array<Uint8Array | number[] | string>): Uint8Array => {
  const bufs = parts.map((p) => (typeof p === "string" ? enc(p) : p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(bufs.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bufs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
};
const has = (hay: Uint8Array, needle: Uint8Array | string) => Buffer.from(hay).indexOf(typeof needle === "string" ? Buffer.from(needle) : Buffer.from(needle)) >= 0;
const u16 = (n: number) => [n >> 8, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const segment = (marker: number, payload: Uint8Array) => cat([0xff, marker, ...u16(payload.length + 2)], payload);

/** A secret that must never survive: in the GPS IFD (as GPSAreaInformation), the XMP and the comment. */
const WHERE = "GPS-27.2346N-111.4683E-home";

/** EXIF (big-endian TIFF): IFD0 with Orientation and a GPSInfo pointer; a GPS IFD with latitude and an area text. */
function exif(orientation: number): Uint8Array {
  const area = enc(WHERE);
  // IFD0 at 8: 2 entries; GPS IFD at 8 + 2 + 24 + 4 = 38: 2 entries; latitude rationals at 38 + 2 + 24 + 4 = 68; area text after.
  const ifd0 = [...u16(2), ...u16(0x0112), ...u16(3), ...u32(1), ...u16(orientation), 0, 0, ...u16(0x8825), ...u16(4), ...u32(1), ...u32(38), ...u32(0)];
  const gps = [...u16(2), ...u16(0x0002), ...u16(5), ...u32(3), ...u32(68), ...u16(0x001c), ...u16(7), ...u32(area.length), ...u32(92), ...u32(0)];
  const rationals = [27, 1, 14, 1, 3021, 100].flatMap(u32);
  return cat("Exif\0\0", [0x4d, 0x4d, 0, 42, ...u32(8)], ifd0, gps, rationals, area);
}

/** A JPEG as a phone writes it: JFIF, EXIF with GPS, XMP, an ICC profile, a comment, tables, a scan with stuffed bytes and restarts, and an MPF second image after EOI. */
function phoneJpeg(orientation = 6) {
  const icc = segment(0xe2, cat("ICC_PROFILE\0", [1, 1], "profile-bytes"));
  const tables = cat(segment(0xdb, new Uint8Array(65).fill(1)), segment(0xc0, new Uint8Array([8, 0, 2, 0, 2, 1, 1, 0x11, 0])), segment(0xc4, new Uint8Array(20).fill(2)));
  const scan = cat(segment(0xda, new Uint8Array([1, 1, 0, 0, 63, 0])), [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0x00]);
  const bytes = cat(
    [0xff, 0xd8],
    segment(0xe0, cat("JFIF\0", [1, 1, 0, 0, 1, 0, 1, 0, 0])),
    segment(0xe1, exif(orientation)),
    segment(0xe1, cat("http://ns.adobe.com/xap/1.0/\0", `<x:xmpmeta><exif:GPSLatitude>${WHERE}</exif:GPSLatitude></x:xmpmeta>`)),
    icc,
    segment(0xfe, enc(`comment ${WHERE}`)),
    tables,
    scan,
    [0xff, 0xd9],
    // MPF: a second image after the end of the first, with its own EXIF
    [0xff, 0xd8],
    segment(0xe1, exif(1)),
    [0xff, 0xd9],
  );
  return { bytes, keep: [icc, tables, scan] };
}

describe("photo metadata (lib/image-metadata)", () => {
  it("JPEG: EXIF (GPS), XMP, comments and what follows the end of image are gone; JFIF, ICC, tables and the scan are kept byte for byte; the orientation survives alone", () => {
    const { bytes, keep } = phoneJpeg(6);
    const out = stripImageMetadata(bytes, evidenceTypes.jpeg);
    expect(has(bytes, WHERE)).toBe(true);
    expect(has(out, WHERE)).toBe(false);
    expect(has(out, new Uint8Array([27, 1, 14, 1].flatMap(u32)))).toBe(false); // the latitude
    expect(has(out, "http://ns.adobe.com/xap")).toBe(false);
    for (const part of keep) expect(has(out, part)).toBe(true);
    expect([...out.subarray(out.length - 2)]).toEqual([0xff, 0xd9]);
    expect(Buffer.from(out).indexOf(Buffer.from([0xff, 0xd8]), 2)).toBe(-1); // no second image
    // one APP1 left: EXIF with the orientation only
    const app1 = Buffer.from(out).indexOf(Buffer.from([0xff, 0xe1]));
    const exifLeft = out.subarray(app1 + 4, app1 + 4 + ((out[app1 + 2]! << 8) | out[app1 + 3]!) - 2);
    expect(exifLeft.length).toBeLessThan(40);
    const dv = new DataView(exifLeft.buffer, exifLeft.byteOffset + 6);
    expect(dv.getUint16(8)).toBe(1); // one entry
    expect([dv.getUint16(10), dv.getUint16(18)]).toEqual([0x0112, 6]);
    // upright photos get no EXIF at all
    expect(has(stripImageMetadata(phoneJpeg(1).bytes, evidenceTypes.jpeg), "Exif")).toBe(false);
    // cleaning is idempotent
    expect(stripImageMetadata(out, evidenceTypes.jpeg)).toEqual(out);
  });

  it("PNG: eXIf, tEXt, zTXt, iTXt (XMP) and tIME chunks are gone, and what follows IEND; the image still decodes to the same pixels", () => {
    const base = tinyPng(7);
    const iend = base.length - 12;
    const bytes = cat(
      base.subarray(0, 33), // signature + IHDR
      chunk("eXIf", exif(1).subarray(6)),
      chunk("tEXt", enc(`Comment\0${WHERE}`)),
      chunk("iTXt", enc(`XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>${WHERE}</x:xmpmeta>`)),
      chunk("zTXt", enc("Raw profile type exif\0\0x")),
      chunk("tIME", new Uint8Array(7)),
      base.subarray(33, iend),
      base.subarray(iend),
      enc(`trailer ${WHERE}`),
    );
    const out = stripImageMetadata(bytes, evidenceTypes.png);
    expect(has(out, WHERE)).toBe(false);
    for (const type of ["eXIf", "tEXt", "iTXt", "zTXt", "tIME"]) expect(has(out, type), type).toBe(false);
    expect(out).toEqual(base);
    expect([...PNG.sync.read(Buffer.from(out)).data]).toEqual([...PNG.sync.read(Buffer.from(base)).data]);
  });

  it("WebP: EXIF and XMP chunks are gone, their VP8X flags cleared, the RIFF size rewritten", () => {
    const riffChunk = (fourcc: string, data: Uint8Array) => cat(fourcc, [data.length & 0xff, (data.length >> 8) & 0xff, 0, 0], data, data.length & 1 ? [0] : []);
    const vp8x = riffChunk("VP8X", new Uint8Array([0x08 | 0x04 | 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const image = riffChunk("VP8L", new Uint8Array([0x2f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const body = cat("WEBP", vp8x, image, riffChunk("EXIF", exif(1).subarray(6)), riffChunk("XMP ", enc(`<x:xmpmeta>${WHERE}</x:xmpmeta>`)));
    const bytes = cat("RIFF", [body.length & 0xff, (body.length >> 8) & 0xff, 0, 0], body);
    const out = stripImageMetadata(bytes, evidenceTypes.webp);
    expect(has(out, WHERE)).toBe(false);
    expect(has(out, "EXIF") || has(out, "XMP ")).toBe(false);
    expect(out[20]).toBe(0x10); // alpha kept, EXIF and XMP flags cleared
    expect(new DataView(out.buffer, out.byteOffset).getUint32(4, true)).toBe(out.length - 8);
    expect(has(out, image)).toBe(true);
  });

  it("GIF: comments and XMP (application extensions) are gone; looping and the image data are kept", () => {
    const header = cat("GIF89a", [1, 0, 1, 0, 0x80, 0, 0], [0, 0, 0, 255, 255, 255]);
    const loop = cat([0x21, 0xff, 11], "NETSCAPE2.0", [3, 1, 0, 0, 0]);
    const image = cat([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0], [2, 2, 0x44, 0x01, 0]);
    const xmpText = enc(`<x:xmpmeta>${WHERE}</x:xmpmeta>`);
    const xmp = cat([0x21, 0xff, 11], "XMP DataXMP", [xmpText.length], xmpText, [0]);
    const comment = cat([0x21, 0xfe, WHERE.length], WHERE, [0]);
    const out = stripImageMetadata(cat(header, loop, xmp, comment, image, [0x3b], `after ${WHERE}`), evidenceTypes.gif);
    expect(out).toEqual(cat(header, loop, image, [0x3b]));
  });

  it("a damaged image is refused: a JPEG segment of length 1, a GIF block running past the end", () => {
    expect(() => stripImageMetadata(cat([0xff, 0xd8, 0xff, 0xdb, 0, 1, 0, 0]), evidenceTypes.jpeg)).toThrow(/damaged/);
    expect(() => stripImageMetadata(cat("GIF89a", [1, 0, 1, 0, 0, 0, 0], [0x21, 0xfe, 200, 1, 2]), evidenceTypes.gif)).toThrow(/damaged/);
  });
});

describe("photos are stored and served without their metadata", () => {
  let site = "";
  beforeAll(async () => {
    site = await siteCode(h, await h.login("city"), "hn2024-p04", "430523");
  });
  const storedWith = (text: string) => [...h.storage.files.values()].filter((b) => has(b, text)).length;

  it("a citizen's suggestion photo (码上通): no GPS in storage nor in what staff download", async () => {
    const res = await h.call(null, "POST", `${API}/public/sites/${site}/feedback`, form({ kind: "suggestion", text: "路口照片，附位置信息测试", photo: { bytes: phoneJpeg().bytes, name: "IMG_0001.jpg", type: "image/jpeg" } }));
    expect(res.status).toBe(201);
    const { ticket } = await res.json();
    expect(storedWith(WHERE)).toBe(0);
    const id = (await h.deps.db.query<{ id: string }>("SELECT id FROM feedback WHERE ticket = $1", [ticket])).rows[0]!.id;
    const photo = await h.call(await h.login("county"), "GET", `${API}/feedback/${id}/photo`);
    expect(photo.status).toBe(200);
    const served = new Uint8Array(await photo.arrayBuffer());
    expect(has(served, WHERE)).toBe(false);
    expect([...served.subarray(0, 2)]).toEqual([0xff, 0xd8]);
  });

  it("an evidence photo and a content image: no GPS in storage", async () => {
    const reporter = await h.login("reporter");
    const draft = await h.call(reporter, "PUT", `${API}/reports`, { indicator: "hn2024-p04-a", region: "430523", period: "2024-10", value: 10, narrative: "本月进展" });
    expect(draft.status).toBe(201);
    const reportId = (await draft.json()).id;
    const evidence = await h.call(reporter, "POST", `${API}/reports/${reportId}/evidence`, form({ file: { bytes: phoneJpeg(3).bytes, name: "现场.jpg", type: "image/jpeg" } }));
    expect(evidence.status).toBe(201);
    expect(storedWith(WHERE)).toBe(0);

    const county = await h.login("county");
    const update = await h.call(county, "POST", `${API}/sites/${site}/content`, { kind: "update", text: "主体完工，现场照片见附件。", date: "2024-10-08" });
    expect(update.status).toBe(201);
    const contentId = (await update.json()).id;
    const image = await h.call(county, "POST", `${API}/content/${contentId}/files`, form({ file: { bytes: phoneJpeg(8).bytes, name: "现场.jpg", type: "image/jpeg" } }));
    expect(image.status).toBe(201);
    expect(storedWith(WHERE)).toBe(0);
  });

  it("photos stored before uploads were cleaned are served without their metadata: the citizen's, evidence, a public content image", async () => {
    const legacy = phoneJpeg().bytes;
    const served = async (cookie: string | null, path: string) => {
      const res = await h.call(cookie, "GET", `${API}${path}`);
      expect(res.status, path).toBe(200);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(Number(res.headers.get("content-length")), path).toBe(bytes.length);
      return bytes;
    };
    // each file of the tests above, replaced in storage by the photo as it was uploaded (as an older version stored it)
    const files = (await h.deps.db.query<{ storage_key: string; feedback_id: string | null; id: string }>("SELECT storage_key, feedback_id, id FROM site_files ORDER BY uploaded_at")).rows;
    const evidence = (await h.deps.db.query<{ storage_key: string; id: string }>("SELECT storage_key, id FROM evidence")).rows;
    for (const f of [...files, ...evidence]) h.storage.files.set(f.storage_key, legacy);
    const feedbackPhoto = files.find((f) => f.feedback_id !== null)!;
    const contentImage = files.find((f) => f.feedback_id === null)!;
    const county = await h.login("county");
    for (const bytes of [
      await served(county, `/feedback/${feedbackPhoto.feedback_id}/photo`),
      await served(county, `/evidence/${evidence[0]!.id}`),
      await served(null, `/public/files/${contentImage.id}`),
    ]) {
      expect(has(bytes, WHERE)).toBe(false);
      expect(bytes).toEqual(stripImageMetadata(legacy, evidenceTypes.jpeg));
    }
  });

  it("a damaged photo is a 400 naming the field, and nothing is stored or recorded", async () => {
    const before = h.storage.files.size;
    const count = async () => Number((await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM feedback")).rows[0]!.n);
    const rows = await count();
    const bad = cat([0xff, 0xd8], segment(0xe1, exif(6)), [0xff, 0xdb, 0, 1, 0xff, 0xd9]);
    const res = await h.call(null, "POST", `${API}/public/sites/${site}/feedback`, form({ kind: "suggestion", text: "损坏的照片", photo: { bytes: bad, name: "x.jpg", type: "image/jpeg" } }));
    expect(res.status).toBe(400);
    expect((await res.json()).error.problems[0]).toMatchObject({ path: "$.photo", message: expect.stringMatching(/damaged/) });
    expect(h.storage.files.size).toBe(before);
    expect(await count()).toBe(rows);
  });
});

/** A workbook that passes the type check, with `part` added under `name`. */
async function workbookWith(parts: Record<string, string>): Promise<Uint8Array> {
  const zip = new JSZip();
  zip.file("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  zip.file("xl/workbook.xml", '<workbook><sheets><sheet name="月度填报" sheetId="1" r:id="rId1"/></sheets></workbook>');
  zip.file("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>');
  zip.file("xl/worksheets/sheet1.xml", '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>指标编号</t></is></c></row></sheetData></worksheet>');
  for (const [name, text] of Object.entries(parts)) zip.file(name, text);
  return new Uint8Array(await zip.generateAsync({ type: "uint8array", compression: "DEFLATE" }));
}

/**
 * A ZIP bomb whose headers lie: `size` zero bytes deflated into a workbook part, its declared
 * uncompressed size (central directory and local header) rewritten to 1 KB.
 */
function lyingBomb(size: number, part = "xl/worksheets/sheet1.xml"): Uint8Array {
  const data = deflateRawSync(Buffer.alloc(size, 0x20));
  const name = enc(part);
  const local = cat([0x50, 0x4b, 3, 4, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0], [0, 0, 0, 0], le32(data.length), le32(1024), le16(name.length), [0, 0], name);
  const typesName = enc("[Content_Types].xml");
  const types = enc("<Types/>");
  const local2 = cat([0x50, 0x4b, 3, 4, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0], le32(types.length), le32(types.length), le16(typesName.length), [0, 0], typesName);
  const offset2 = local.length + data.length;
  const central = (n: Uint8Array, method: number, csize: number, usize: number, offset: number) =>
    cat([0x50, 0x4b, 1, 2, 20, 0, 20, 0, 0, 0, method, 0, 0, 0, 0, 0], [0, 0, 0, 0], le32(csize), le32(usize), le16(n.length), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], le32(offset), n);
  const cd = cat(central(name, 8, data.length, 1024, 0), central(typesName, 0, types.length, types.length, offset2));
  const cdOffset = offset2 + local2.length + types.length;
  return cat(local, data, local2, types, cd, [0x50, 0x4b, 5, 6, 0, 0, 0, 0, 2, 0, 2, 0], le32(cd.length), le32(cdOffset), [0, 0]);
}
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

describe("workbook uploads: real unpacked size", () => {
  it("counts what the parts really inflate to and stops just past the limit, whatever the headers declare", async () => {
    const bomb = lyingBomb(8 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(await unpackedSize(bomb, 100 * 1024 * 1024)).toBe(8 * 1024 * 1024 + 8);
    const stopped = await unpackedSize(bomb, 1024 * 1024);
    expect(stopped).toBeGreaterThan(1024 * 1024);
    expect(stopped).toBeLessThan(2 * 1024 * 1024); // stopped inflating, did not count it all
    const dataAt = 30 + "xl/worksheets/sheet1.xml".length;
    expect(await unpackedSize(cat(bomb.subarray(0, dataAt), new Uint8Array(8).fill(0xee), bomb.subarray(dataAt + 8)), 1 << 30)).toBeNull(); // corrupt deflate data
  });

  it("the import refuses a bomb whose headers declare 1 KB but which unpacks past the limit (413), nothing written", async () => {
    const bomb = lyingBomb(MAX_UNPACKED_BYTES + 1024 * 1024);
    const count = async () => Number((await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM reports")).rows[0]!.n);
    const reports = await count();
    const f = new FormData();
    f.append("file", new Blob([bomb as Uint8Array<ArrayBuffer>]), "填报.xlsx");
    const res = await h.call(await h.login("reporter"), "POST", `${API}/imports/reports`, f);
    expect(res.status).toBe(413);
    expect((await res.json()).error.message).toMatch(/unpacks to more than 100 MB/);
    expect(await count()).toBe(reports);
  }, 60_000);

  it("the fast reader caps by real output too, and does not hand an oversized workbook to exceljs", async () => {
    const parsed = await readUpload(lyingBomb(MAX_UNPACKED_BYTES + 1024, "xl/styles.xml"));
    expect(parsed.problems[0]?.message).toMatch(/unpacks to more than/);
    expect(parsed.problems[0]).toMatchObject({ code: "IMPORT_WORKBOOK_UNPACKS_TOO_LARGE", params: { limit: MAX_UNPACKED_BYTES / 1024 / 1024 } });
  }, 60_000);
});

describe("the xlsx reader is linear on hostile XML", () => {
  // Large enough that the old patterns took seconds to minutes here (quadratic); the new code takes milliseconds.
  const N = 50_000;
  const cases: Record<string, Record<string, string>> = {
    "<t> never closed in a shared string": { "xl/sharedStrings.xml": `<sst><si>${"<t a".repeat(N)}</si></sst>` },
    "<numFmt never closed": { "xl/styles.xml": `<styleSheet><numFmts>${"<numFmt a".repeat(N)}</numFmts></styleSheet>` },
    "<cellXfs> never closed": { "xl/styles.xml": `<styleSheet>${"<cellXfs>".repeat(N)}</styleSheet>` },
    "<xf never closed": { "xl/styles.xml": `<styleSheet><cellXfs>${"<xf a".repeat(N)}</cellXfs></styleSheet>` },
    "<v never closed in a cell": { "xl/worksheets/sheet1.xml": `<worksheet><sheetData><row r="1"><c r="A1">${"<v a".repeat(N)}</c></row></sheetData></worksheet>` },
    "<mergeCell never closed": { "xl/worksheets/sheet1.xml": `<worksheet><sheetData></sheetData><mergeCells>${"<mergeCell a".repeat(N)}</mergeCells></worksheet>` },
    "<Relationship never closed": { "xl/_rels/workbook.xml.rels": `<Relationships>${"<Relationship a".repeat(N)}</Relationships>` },
    "<sheet never closed": { "xl/workbook.xml": `<workbook><sheets>${"<sheet a".repeat(N)}</sheets></workbook>` },
  };
  for (const [name, parts] of Object.entries(cases))
    it(`${name}: read or refused in linear time`, async () => {
      const bytes = await workbookWith(parts);
      const started = performance.now();
      readFast(bytes);
      expect(performance.now() - started).toBeLessThan(1500);
    }, 30_000);

  it("merged ranges covering more than 100,000 cells are refused, not handed to exceljs (which makes an object of each merged cell)", async () => {
    const bytes = await workbookWith({
      "xl/worksheets/sheet1.xml": '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>指标编号</t></is></c></row></sheetData><mergeCells><mergeCell ref="A2:XFD1048576"/></mergeCells></worksheet>',
    });
    const started = performance.now();
    const parsed = await readUpload(bytes);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(parsed.problems[0]?.message).toMatch(/merged cells cover more than 100000 cells/);
    expect(parsed.problems[0]).toMatchObject({ code: "IMPORT_WORKBOOK_MERGED_TOO_MANY", params: { max: 100000 } });
  }, 30_000);

  it("a number format code longer than Excel's 255 characters is refused, not handed to exceljs (whose date test is quadratic in it)", async () => {
    const bytes = await workbookWith({ "xl/styles.xml": `<styleSheet><numFmts><numFmt numFmtId="164" formatCode="${"[".repeat(N)}"/></numFmts></styleSheet>` });
    const started = performance.now();
    const parsed = await readUpload(bytes);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(parsed.problems[0]?.message).toMatch(/number format code is longer than Excel's 255 characters/);
    expect(parsed.problems[0]).toMatchObject({ code: "IMPORT_WORKBOOK_FORMAT_TOO_LONG", params: { max: 255 } });
  }, 30_000);
});
