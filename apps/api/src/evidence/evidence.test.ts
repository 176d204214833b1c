import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentDisposition, evidenceTypes, sanitiseFilename, sniff } from "../lib/sniff.js";
import { type Harness, makeHarness } from "../../test/harness.js";

// oxlint-disable-next-line typescript/no-explicit-any -- response bodies are checked field by field
type Json = any;
const body = async (res: Response): Promise<Json> => res.json();

// ---------------------------------------------------------------------------------------------
// Files built byte by byte: the real structures the sniffer looks for, nothing more.

const bytesOf = (...parts: (number[] | string | Uint8Array)[]): Uint8Array => {
  const chunks = parts.map((p) => (typeof p === "string" ? new TextEncoder().encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
};

const png = (extra = "") => bytesOf([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], "IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0], extra);
const jpeg = () => bytesOf([0xff, 0xd8, 0xff, 0xe0, 0, 16], "JFIF", [0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);
const gif = () => bytesOf("GIF89a", [1, 0, 1, 0, 0, 0, 0, 0x3b]);
const webp = () => bytesOf("RIFF", [26, 0, 0, 0], "WEBPVP8L", [13, 0, 0, 0, 0x2f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const pdf = () => bytesOf("%PDF-1.7\n1 0 obj <</Type/Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n");

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Uint8Array) => {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const u16 = (n: number) => [n & 0xff, (n >>> 8) & 0xff];
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

/** A stored (uncompressed) ZIP of the named entries. */
function zip(entries: Record<string, string>): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = new TextEncoder().encode(text);
    const n = new TextEncoder().encode(name);
    const crc = crc32(data);
    const common = [...u16(20), ...u16(0x0800), ...u16(0), ...u16(0), ...u16(0), ...u32(crc), ...u32(data.length), ...u32(data.length), ...u16(n.length), ...u16(0)];
    const local = bytesOf([0x50, 0x4b, 0x03, 0x04], common, n, data);
    centrals.push(bytesOf([0x50, 0x4b, 0x01, 0x02], u16(20), common, u16(0), u16(0), u16(0), u32(0), u32(offset), n));
    locals.push(local);
    offset += local.length;
  }
  const cd = bytesOf(...centrals);
  const count = Object.keys(entries).length;
  return bytesOf(...locals, cd, [0x50, 0x4b, 0x05, 0x06], u16(0), u16(0), u16(count), u16(count), u32(cd.length), u32(offset), u16(0));
}
const CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';
const docx = () => zip({ "[Content_Types].xml": CT, "_rels/.rels": "<Relationships/>", "word/document.xml": "<w:document/>" });
const xlsx = () => zip({ "[Content_Types].xml": CT, "_rels/.rels": "<Relationships/>", "xl/workbook.xml": "<workbook/>", "xl/worksheets/sheet1.xml": "<worksheet/>" });
const docm = () => zip({ "[Content_Types].xml": CT, "word/document.xml": "<w:document/>", "word/vbaProject.bin": "macro" });

/** A version-3 OLE compound file (512-byte sectors) whose root holds the named streams. */
function compoundFile(streams: string[]): Uint8Array {
  const FREE = 0xffffffff;
  const END = 0xfffffffe;
  const header = new Uint8Array(512);
  const dv = new DataView(header.buffer);
  header.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  dv.setUint16(0x18, 0x3e, true);
  dv.setUint16(0x1a, 3, true);
  dv.setUint16(0x1c, 0xfffe, true);
  dv.setUint16(0x1e, 9, true);
  dv.setUint16(0x20, 6, true);
  dv.setUint32(0x2c, 1, true); // one FAT sector
  dv.setUint32(0x30, 1, true); // directory at sector 1
  dv.setUint32(0x38, 4096, true);
  dv.setUint32(0x3c, END, true);
  dv.setUint32(0x44, END, true);
  for (let i = 0; i < 109; i++) dv.setUint32(0x4c + i * 4, i === 0 ? 0 : FREE, true);
  const fat = new Uint8Array(512);
  const fv = new DataView(fat.buffer);
  for (let i = 0; i < 128; i++) fv.setUint32(i * 4, FREE, true);
  fv.setUint32(0, 0xfffffffd, true); // sector 0: the FAT itself
  fv.setUint32(4, END, true); // sector 1: the directory, one sector
  const dir = new Uint8Array(512);
  const dirv = new DataView(dir.buffer);
  const entry = (i: number, name: string, type: number, left: number, right: number, child: number) => {
    const at = i * 128;
    for (let k = 0; k < name.length; k++) dirv.setUint16(at + k * 2, name.charCodeAt(k), true);
    dirv.setUint16(at + 0x40, (name.length + 1) * 2, true);
    dir[at + 0x42] = type;
    dirv.setUint32(at + 0x44, left, true);
    dirv.setUint32(at + 0x48, right, true);
    dirv.setUint32(at + 0x4c, child, true);
    dirv.setUint32(at + 0x74, END, true);
  };
  entry(0, "Root Entry", 5, FREE, FREE, streams.length > 0 ? 1 : FREE);
  // children chained through right siblings
  streams.slice(0, 3).forEach((name, i) => entry(i + 1, name, 2, FREE, i + 1 < Math.min(3, streams.length) ? i + 2 : FREE, FREE));
  return bytesOf(header, fat, dir);
}
const doc = () => compoundFile(["WordDocument", "\u0001CompObj", "1Table"]);
const xls = () => compoundFile(["Workbook", "\u0005SummaryInformation"]);

const fileForm = (bytes: Uint8Array, name: string, type = "application/octet-stream") => {
  const form = new FormData();
  form.append("file", new File([bytes], name, { type }));
  return form;
};

// ---------------------------------------------------------------------------------------------

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.dispose());

const upload = (cookie: string | null, reportId: number, bytes: Uint8Array, name: string, type?: string) =>
  h.call(cookie, "POST", `/api/v1/reports/${reportId}/evidence`, fileForm(bytes, name, type));

/** A fresh draft in 2024-10 (each test its own indicator, so tests do not meet). */
async function draft(indicator: string, region = "430523", who = "reporter", value = 1000): Promise<Json> {
  const cookie = await h.login(who);
  const res = await h.call(cookie, "PUT", "/api/v1/reports", { indicator, region, period: "2024-10", value, narrative: "本月进展" });
  expect(res.status).toBe(201);
  return body(res);
}

describe("content detection (lib/sniff)", () => {
  it("recognises every accepted type from its bytes", () => {
    expect(sniff(png())?.kind).toBe("png");
    expect(sniff(jpeg())?.kind).toBe("jpeg");
    expect(sniff(gif())?.kind).toBe("gif");
    expect(sniff(webp())?.kind).toBe("webp");
    expect(sniff(pdf())?.kind).toBe("pdf");
    expect(sniff(docx())?.kind).toBe("docx");
    expect(sniff(xlsx())?.kind).toBe("xlsx");
    expect(sniff(doc())?.kind).toBe("doc");
    expect(sniff(xls())?.kind).toBe("xls");
  });

  it("refuses everything else, including look-alikes", () => {
    expect(sniff(bytesOf("<!DOCTYPE html><script>alert(1)</script>"))).toBeNull();
    expect(sniff(bytesOf('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'))).toBeNull();
    expect(sniff(bytesOf("MZ\x90\x00"))).toBeNull();
    expect(sniff(bytesOf(" %PDF-1.7"))).toBeNull();
    expect(sniff(zip({ "readme.txt": "hello" }))).toBeNull(); // a plain ZIP
    expect(sniff(zip({ "word/document.xml": "<w:document/>" }))).toBeNull(); // no [Content_Types].xml
    expect(sniff(docm())).toBeNull(); // macro-enabled
    expect(sniff(compoundFile(["PowerPoint Document"]))).toBeNull(); // other OLE files
    expect(sniff(compoundFile(["WordDocument", "Workbook"]))).toBeNull(); // ambiguous
    expect(sniff(bytesOf([0x50, 0x4b, 0x03, 0x04], "truncated"))).toBeNull();
    expect(sniff(bytesOf([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], new Uint8Array(600)))).toBeNull();
    expect(sniff(new Uint8Array(0))).toBeNull();
  });

  it("sanitises names and fixes the extension to the detected type", () => {
    expect(sanitiseFilename("../../etc/报告<1>.PNG", evidenceTypes.png)).toBe("报告_1_.png");
    expect(sanitiseFilename("C:\\Users\\x\\照片.jpeg", evidenceTypes.jpeg)).toBe("照片.jpeg");
    expect(sanitiseFilename("x.pdf", evidenceTypes.png)).toBe("x.png");
    expect(sanitiseFilename("evil\u202egnp.exe", evidenceTypes.pdf)).toBe("evilgnp.pdf");
    expect(sanitiseFilename("a\r\nContent-Type: text-html", evidenceTypes.pdf)).toBe("aContent-Type_ text-html.pdf");
    expect(sanitiseFilename("", evidenceTypes.xlsx)).toBe("evidence.xlsx");
    expect(sanitiseFilename("...", evidenceTypes.doc)).toBe("evidence.doc");
    expect(sanitiseFilename("CON.docx", evidenceTypes.docx)).toBe("_CON.docx");
    expect(sanitiseFilename("台账.2024年9月", evidenceTypes.xls)).toBe("台账.2024年9月.xls");
    expect([...sanitiseFilename("长".repeat(500), evidenceTypes.pdf)].length).toBe(124);
    expect(contentDisposition('报告 "1".pdf')).toBe(`attachment; filename="__ _1_.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20%221%22.pdf`);
  });
});

describe("uploading evidence", () => {
  it("accepts each allowed type, detected from the bytes, and records it with an audit entry", async () => {
    const report = await draft("hn2024-p02-a", "430523", "reporter", 90);
    const reporter = await h.login("reporter");
    const cases: [Uint8Array, string, string][] = [
      [png(), "现场照片.png", "image/png"],
      [jpeg(), "验收.JPG", "image/jpeg"],
      [gif(), "动图.gif", "image/gif"],
      [webp(), "截图.webp", "image/webp"],
      [pdf(), "验收报告.pdf", "application/pdf"],
      [docx(), "进展说明.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
      [xlsx(), "台账.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
      [doc(), "旧版说明.doc", "application/msword"],
      [xls(), "旧版台账.xls", "application/vnd.ms-excel"],
    ];
    for (const [bytes, name, mediaType] of cases) {
      const res = await upload(reporter, report.id, bytes, name, "text/html");
      expect(res.status, name).toBe(201);
      const e = await body(res);
      expect(e).toMatchObject({ reportId: report.id, mediaType, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), uploadedBy: "user:reporter" });
      expect(e.filename).toBe(name.replace(".JPG", ".jpg"));
      expect(h.storage.files.size).toBeGreaterThan(0);
    }
    const listed = await body(await h.call(reporter, "GET", `/api/v1/reports/${report.id}`));
    expect(listed.evidenceCount).toBe(cases.length);
    expect(listed.evidence).toHaveLength(cases.length);
    const inList = await body(await h.call(reporter, "GET", "/api/v1/reports?indicator=hn2024-p02-a&period=2024-10"));
    expect(inList.reports[0].evidenceCount).toBe(cases.length);
    const own = await body(await h.call(reporter, "GET", `/api/v1/reports/${report.id}/evidence`));
    expect(own.evidence).toHaveLength(cases.length);

    const reviewer = await h.login("reviewer");
    const audit = await body(await h.call(reviewer, "GET", `/api/v1/audit/history?entity=report&id=${report.id}`));
    const adds = audit.entries.filter((e: Json) => e.action === "evidence.add");
    expect(adds).toHaveLength(cases.length);
    expect(adds[0].before).toBeNull();
    expect(adds[0].after).toMatchObject({ filename: "现场照片.png", mediaType: "image/png" });
  });

  it("refuses a mislabelled file with 415, whatever its name or declared type", async () => {
    const report = await draft("hn2024-p04-a", "430523", "reporter", 170);
    const reporter = await h.login("reporter");
    const html = bytesOf("<html><body><script>alert(document.cookie)</script></body></html>");
    const res = await upload(reporter, report.id, html, "x.pdf", "application/pdf");
    expect(res.status).toBe(415);
    expect((await body(res)).error.code).toBe("EVIDENCE_TYPE_REFUSED");
    expect((await upload(reporter, report.id, bytesOf("<svg onload=alert(1)>"), "photo.png", "image/png")).status).toBe(415);
    expect((await upload(reporter, report.id, zip({ "a.txt": "x" }), "table.xlsx")).status).toBe(415);
    expect((await upload(reporter, report.id, docm(), "说明.docx")).status).toBe(415);
    expect((await upload(reporter, report.id, bytesOf("MZ\x90\x00\x03"), "setup.doc")).status).toBe(415);
    // a request that is not multipart at all
    const json = await h.call(reporter, "POST", `/api/v1/reports/${report.id}/evidence`, { file: "x" });
    expect(json.status).toBe(415);
    // a real PNG sent as x.pdf is kept, as the PNG it is
    const renamed = await upload(reporter, report.id, png("renamed"), "x.pdf", "application/pdf");
    expect(renamed.status).toBe(201);
    expect(await body(renamed)).toMatchObject({ filename: "x.png", mediaType: "image/png" });
    expect((await body(await h.call(reporter, "GET", `/api/v1/reports/${report.id}`))).evidenceCount).toBe(1);
  });

  it("answers 413 over the size limit and 400 for an empty or missing file", async () => {
    const report = await draft("hn2024-p08-a", "430523", "reporter", 12300);
    const reporter = await h.login("reporter");
    const max = h.deps.config.maxUploadBytes;
    const justOver = new Uint8Array(max + 1);
    justOver.set(png());
    const res = await upload(reporter, report.id, justOver, "big.png");
    expect(res.status).toBe(413);
    expect((await body(res)).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await upload(reporter, report.id, new Uint8Array(max + 200_000), "huge.png")).status).toBe(413);
    const atLimit = new Uint8Array(max);
    atLimit.set(png());
    expect((await upload(reporter, report.id, atLimit, "ok.png")).status).toBe(201);

    const empty = await upload(reporter, report.id, new Uint8Array(0), "empty.pdf");
    expect(empty.status).toBe(400);
    expect((await body(empty)).error.problems[0].path).toBe("$.file");
    const form = new FormData();
    form.append("other", "x");
    const missing = await h.call(reporter, "POST", `/api/v1/reports/${report.id}/evidence`, form);
    expect(missing.status).toBe(400);
    expect((await body(missing)).error.problems[0].path).toBe("$.file");
  });

  it("refuses a file already attached (409), a report no longer editable (409) and unknown reports (404)", async () => {
    const report = await draft("hn2024-p09-a", "430523", "reporter", 410);
    const reporter = await h.login("reporter");
    expect((await upload(reporter, report.id, pdf(), "a.pdf")).status).toBe(201);
    const stored = h.storage.files.size;
    const dup = await upload(reporter, report.id, pdf(), "b.pdf");
    expect(dup.status).toBe(409);
    expect(h.storage.files.size).toBe(stored); // the refused copy is not kept
    expect((await body(dup)).error).toMatchObject({ code: "EVIDENCE_DUPLICATE", evidenceId: expect.any(String) });
    expect((await h.call(reporter, "POST", `/api/v1/reports/${report.id}/submit`, {})).status).toBe(200);
    const late = await upload(reporter, report.id, png(), "late.png");
    expect(late.status).toBe(409);
    expect((await body(late)).error.code).toBe("EVIDENCE_REPORT_NOT_EDITABLE");
    expect((await upload(reporter, 987654, png(), "x.png")).status).toBe(404);
    expect(h.storage.files.size).toBe(stored);
  });

  it("lets only reporters in scope upload", async () => {
    const report = await draft("hn2024-p10-a", "430523", "reporter", 260);
    const observer = await h.login("observer");
    const reviewer = await h.login("reviewer");
    const edu = await h.login("reporter-edu");
    expect((await upload(null, report.id, png(), "x.png")).status).toBe(401);
    expect((await upload(observer, report.id, png(), "x.png")).status).toBe(403);
    expect((await upload(reviewer, report.id, png(), "x.png")).status).toBe(403);
    // 市教育局's reporter: the city is its area, but ⑩ is not its unit's project
    expect((await upload(edu, report.id, png(), "x.png")).status).toBe(403);
    // 邵阳县's reporter and a 隆回县 report
    const longhui = await draft("hn2024-p14-a", "430524", "reporter-edu", 85);
    const reporter = await h.login("reporter");
    expect((await upload(reporter, longhui.id, png(), "x.png")).status).toBe(403);
  });
});

describe("downloading and deleting evidence", () => {
  it("downloads as an attachment of the detected type, never sniffed", async () => {
    const report = await draft("hn2024-p11-a", "430523", "reporter", 4700);
    const reporter = await h.login("reporter");
    const bytes = pdf();
    const e = await body(await upload(reporter, report.id, bytes, "验收报告 (终稿).pdf", "text/html"));
    const res = await h.call(reporter, "GET", `/api/v1/evidence/${e.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-disposition")).toBe(contentDisposition("验收报告 (终稿).pdf"));
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; /);
    expect(res.headers.get("cache-control")).toMatch(/no-store/);
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    // staff of the county and the city may read it; a reviewer too
    for (const who of ["county", "city", "reviewer", "admin"]) expect((await h.call(await h.login(who), "GET", `/api/v1/evidence/${e.id}`)).status, who).toBe(200);
  });

  it("authorises every download: another county's evidence is 403", async () => {
    const longhui = await draft("hn2024-p01-a", "430524", "reporter-edu", 99.5);
    const edu = await h.login("reporter-edu");
    const e = await body(await upload(edu, longhui.id, jpeg(), "隆回现场.jpg"));
    expect(e.id).toEqual(expect.any(String));
    expect((await h.call(await h.login("reporter"), "GET", `/api/v1/evidence/${e.id}`)).status).toBe(403);
    expect((await h.call(await h.login("county"), "GET", `/api/v1/evidence/${e.id}`)).status).toBe(403);
    expect((await h.call(await h.login("reporter"), "GET", `/api/v1/reports/${longhui.id}/evidence`)).status).toBe(403);
    expect((await h.call(await h.login("observer"), "GET", `/api/v1/evidence/${e.id}`)).status).toBe(403);
    expect((await h.call(null, "GET", `/api/v1/evidence/${e.id}`)).status).toBe(401);
    expect((await h.call(await h.login("city"), "GET", `/api/v1/evidence/${e.id}`)).status).toBe(200);
    expect((await h.call(edu, "GET", "/api/v1/evidence/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await h.call(edu, "GET", "/api/v1/evidence/not-an-id")).status).toBe(400);
  });

  it("deletes only while the report is a draft or returned, only by a reporter in scope, with an audit entry", async () => {
    const report = await draft("hn2024-p13-a", "430523", "reporter", 345);
    const reporter = await h.login("reporter");
    const first = await body(await upload(reporter, report.id, png(), "a.png"));
    const second = await body(await upload(reporter, report.id, gif(), "b.gif"));
    const keys = h.storage.files.size;

    expect((await h.call(await h.login("reviewer"), "DELETE", `/api/v1/evidence/${first.id}`)).status).toBe(403);
    expect((await h.call(await h.login("county"), "DELETE", `/api/v1/evidence/${first.id}`)).status).toBe(403);
    expect((await h.call(await h.login("reporter-edu"), "DELETE", `/api/v1/evidence/${first.id}`)).status).toBe(403); // not its unit's project
    expect((await h.call(null, "DELETE", `/api/v1/evidence/${first.id}`)).status).toBe(401);

    const del = await h.call(reporter, "DELETE", `/api/v1/evidence/${first.id}`);
    expect(del.status).toBe(200);
    expect(h.storage.files.size).toBe(keys - 1);
    expect((await h.call(reporter, "GET", `/api/v1/evidence/${first.id}`)).status).toBe(404);
    expect((await h.call(reporter, "DELETE", `/api/v1/evidence/${first.id}`)).status).toBe(404);

    // submitted: frozen
    const sub = await body(await h.call(reporter, "POST", `/api/v1/reports/${report.id}/submit`, {}));
    const frozen = await h.call(reporter, "DELETE", `/api/v1/evidence/${second.id}`);
    expect(frozen.status).toBe(409);
    expect((await body(frozen)).error.code).toBe("EVIDENCE_REPORT_NOT_EDITABLE");
    // returned: editable again
    const reviewer = await h.login("reviewer");
    expect((await h.call(reviewer, "POST", `/api/v1/reports/${report.id}/review`, { action: "return", reason: "照片不清晰", version: sub.version })).status).toBe(200);
    expect((await h.call(reporter, "DELETE", `/api/v1/evidence/${second.id}`)).status).toBe(200);
    expect((await upload(reporter, report.id, jpeg(), "清晰照片.jpg")).status).toBe(201);

    const audit = await body(await h.call(reviewer, "GET", `/api/v1/audit/history?entity=report&id=${report.id}`));
    const deletes = audit.entries.filter((e: Json) => e.action === "evidence.delete");
    expect(deletes).toHaveLength(2);
    expect(deletes[0].before).toMatchObject({ evidence: first.id, filename: "a.png" });
    expect(deletes[0].after).toBeNull();
    expect(audit.entries.map((e: Json) => e.action)).toEqual([
      "report.save",
      "evidence.add",
      "evidence.add",
      "evidence.delete",
      "report.submit",
      "report.return",
      "evidence.delete",
      "evidence.add",
    ]);
  });

  it("keeps 洞口县's evidence out of reach of 邵阳县's reporter for deletion too", async () => {
    const longhui = await draft("hn2024-p14-a", "430525", "reporter-edu", 85);
    const edu = await h.login("reporter-edu");
    const e = await body(await upload(edu, longhui.id, webp(), "洞口.webp"));
    expect((await h.call(await h.login("reporter"), "DELETE", `/api/v1/evidence/${e.id}`)).status).toBe(403);
    expect((await h.call(edu, "DELETE", `/api/v1/evidence/${e.id}`)).status).toBe(200);
  });
});
