/**
 * The province generator (issue 16, `pnpm gen:province`) at a small size: 2 cities, 3 counties
 * each, one year of history, 3 months. Its bundles pass the domain's validation and import; the
 * rest (accounts, sites, content, suggestions, evidence) is what the API would have made: a
 * generated account signs in with the one shared hash, the sites are exactly those syncSites
 * would create (with the installation's codes), and the audit chain verifies. Sizes, not timings.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BUNDLE_FORMAT, parseBundle } from "@minsheng/domain";
import { openTestDatabase, verifyAuditChain } from "@minsheng/db";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { defaultConfig } from "../src/lib/context.js";
import { RegionDirectory } from "../src/lib/regions.js";
import { ephemeralSecrets, normalisedTextDigest } from "../src/lib/secrets.js";
import { syncSites } from "../src/sites/service.js";
import { DiskStorage } from "../src/lib/storage.js";
import { DEMO_PASSWORD } from "../src/seed.js";
import { ORIGIN } from "./harness.js";

// The generator is a plain script (apps/api/scripts), loaded as such.
const here = dirname(fileURLToPath(import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const gen: any = await import(pathToFileURL(join(here, "..", "scripts", "province.mjs")).href);

const temp = mkdtempSync(join(tmpdir(), "ms-province-test-"));
const db = await openTestDatabase();
afterAll(async () => {
  await db.dispose();
  rmSync(temp, { recursive: true, force: true });
});

describe("generated province (small)", () => {
  const opts = gen.small();
  const { shape, bundles } = gen.provinceBundles(opts);
  const secrets = ephemeralSecrets();

  it("is deterministic: the same seed gives the same bundles, another seed others", () => {
    const digest = (bs: { bundle: unknown }[]) => createHash("sha256").update(JSON.stringify(bs.map((b) => b.bundle))).digest("hex");
    expect(digest(gen.provinceBundles(opts).bundles)).toBe(digest(bundles));
    expect(digest(gen.provinceBundles({ ...opts, seed: opts.seed + 1 }).bundles)).not.toBe(digest(bundles));
  });

  it("has the province's shape and passes the bundle validation", () => {
    expect(bundles.map((b: { year: number }) => b.year)).toEqual([opts.year - 1, opts.year]);
    expect(shape.regions.filter((r: { level: string }) => r.level === "city").map((r: { name: string }) => r.name)).toEqual(["长沙市", "株洲市"]);
    for (const { bundle } of bundles) {
      expect(bundle.format).toBe(BUNDLE_FORMAT);
      expect(bundle.plans).toHaveLength(2);
      expect(parseBundle(bundle)._tag).toBe("Right");
      // every figure is cumulative: never below the month before
      const last = new Map<string, number>();
      for (const p of bundle.progress) {
        const k = `${p.indicator}@${p.region}`;
        expect(p.value).toBeGreaterThanOrEqual(last.get(k) ?? 0);
        last.set(k, p.value);
      }
    }
    // the full size: 14 cities, 122 counties, ~40 indicators a plan
    const full = gen.provinceShape(gen.defaults);
    expect(full.cities).toHaveLength(14);
    expect(full.counties).toHaveLength(122);
    expect(new Set(full.counties.map((c: { code: string }) => c.code)).size).toBe(122);
  });

  it("imports, and the rest is what the API would have made", async () => {
    for (const { bundle } of bundles) {
      const counts = await gen.importYear(db, bundle);
      expect(counts.progress).toBe(bundle.progress.length);
    }
    const filesDir = join(temp, "files");
    const counts = await gen.loadRest(db, shape, opts, { secrets, filesDir, password: DEMO_PASSWORD });
    expect(counts.users).toBeGreaterThan(shape.units.length);
    expect(counts.sites).toBeGreaterThan(0);
    expect(counts.content).toBeGreaterThan(counts.currentYearSites);
    expect(counts.feedback).toBeGreaterThan(0);
    expect(counts.evidence).toBeGreaterThan(0);

    // The sites are exactly syncSites's, with the installation's codes: nothing left to create.
    expect(await syncSites(db, secrets)).toBe(0);
    const { rows: site } = await db.query<{ code: string; project: string; region: string }>("SELECT code, project, region FROM project_sites ORDER BY code LIMIT 1");
    expect(site[0]!.code).toBe(secrets.siteCode(site[0]!.project, site[0]!.region));
    // Sealed phone numbers open with the installation's key.
    const { rows: phones } = await db.query<{ phone_sealed: string; phone_masked: string }>("SELECT phone_sealed, phone_masked FROM feedback WHERE phone_sealed IS NOT NULL LIMIT 1");
    const phone = secrets.openPhone(phones[0]!.phone_sealed);
    expect(`${phone.slice(0, 3)}****${phone.slice(7)}`).toBe(phones[0]!.phone_masked);
    // Text digests as the API computes them (its duplicate check reads them).
    const { rows: texts } = await db.query<{ text: string; text_hash: string }>("SELECT text, text_hash FROM feedback LIMIT 5");
    for (const t of texts) expect(t.text_hash).toBe(normalisedTextDigest(t.text));
    // Evidence files exist where DiskStorage finds them, with their recorded hash.
    const storage = new DiskStorage(filesDir);
    const { rows: ev } = await db.query<{ storage_key: string; sha256: string }>("SELECT storage_key, sha256 FROM evidence LIMIT 3");
    for (const e of ev) {
      const bytes = await storage.get(e.storage_key);
      expect(createHash("sha256").update(bytes!).digest("hex")).toBe(e.sha256);
    }
    expect(readFileSync(join(filesDir, ev[0]!.storage_key), "utf8")).toMatch(/^%PDF-1\.4/);
    expect((await verifyAuditChain(db)).ok).toBe(true);

    // A generated account signs in (the shared hash is the API's format) and reads its city.
    const app = createApp({ db, storage, regions: new RegionDirectory(db), config: defaultConfig, now: () => new Date(`${opts.year}-04-08T02:00:00Z`), secrets });
    const login = await app.request(`${ORIGIN}/api/v1/auth/login`, {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ username: "staff-430100", password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const res = await app.request(`${ORIGIN}/api/v1/plans/hn${opts.year}/progress?period=${opts.year}-03&region=430100`, { headers: { cookie, origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain("430102");
  });
});
