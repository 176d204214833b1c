import { deflateSync } from "node:zlib";
import type { RateLimiter } from "../src/lib/rate-limit.js";
import type { Harness } from "./harness.js";

/** Answers are read loosely in tests: the schemas are checked by the OpenAPI and matrix suites. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const body = async (res: Response): Promise<any> => res.json();

/** A limiter that never says no, so tests that are not about rate limits are not throttled. */
export const unlimited: RateLimiter = { take: () => ({ allowed: true, retryAfterSeconds: 0 }) };

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Uint8Array) => {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
/** A PNG chunk with its CRC. */
export const chunk = (type: string, data: Uint8Array) => {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
};

/** A real (decodable) PNG of one coloured pixel; `seed` changes its bytes. */
export function tinyPng(seed = 0): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, 1);
  dv.setUint32(4, 1);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = new Uint8Array([0, seed & 0xff, (seed >> 8) & 0xff, 200]);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", new Uint8Array(deflateSync(raw))), chunk("IEND", new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const tinyPdf = () => new TextEncoder().encode("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");

export const form = (fields: Record<string, string | { bytes: Uint8Array; name: string; type: string }>): FormData => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === "string") f.append(k, v);
    else f.append(k, new Blob([v.bytes as Uint8Array<ArrayBuffer>], { type: v.type }), v.name);
  }
  return f;
};

/** The code of a project's site in a region, as the console lists it. */
export async function siteCode(h: Harness, cookie: string, project: string, region: string): Promise<string> {
  const res = await h.call(cookie, "GET", `/api/v1/sites?region=${region}&project=${project}&limit=200`);
  if (res.status !== 200) throw new Error(`sites: ${res.status} ${await res.text()}`);
  const list = await body(res);
  const site = list.sites.find((s: { region: { code: string } }) => s.region.code === region);
  if (!site) throw new Error(`no site of ${project} in ${region}`);
  return site.code;
}
