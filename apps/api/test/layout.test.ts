// The API's layout (docs/ARCHITECTURE.md) held by a test: route files declare operations and call
// services, never SQL; a feature never imports another's routes; every router is built with
// router() so its operations are declared (validation, document and client from one declaration).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const src = new URL("../src/", import.meta.url).pathname;
const features = readdirSync(src).filter((d) => statSync(join(src, d)).isDirectory() && d !== "lib");
const sources = (dir: string) => readdirSync(join(src, dir)).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
const routeFiles = features.flatMap((d) => sources(d).filter((f) => f === "routes.ts" || f.endsWith("-routes.ts")).map((f) => join(d, f)));

describe("the API's feature folders", () => {
  it("has route files in its features", () => {
    expect(routeFiles.length).toBeGreaterThan(20);
  });

  it("runs no SQL in route handlers: statements live in the feature's data.ts or service.ts", () => {
    const sql = /\b(?:db|tx)\.query\s*[<(]|`\s*(?:SELECT|INSERT INTO|UPDATE|DELETE FROM|WITH)\b/;
    expect(routeFiles.filter((f) => sql.test(readFileSync(join(src, f), "utf8")))).toEqual([]);
  });

  it("builds every feature router with router(), so each operation is declared once", () => {
    expect(routeFiles.filter((f) => /new Hono\b/.test(readFileSync(join(src, f), "utf8")))).toEqual([]);
  });

  it("never imports another feature's routes (services and data only)", () => {
    const offenders: string[] = [];
    for (const dir of features)
      for (const f of sources(dir))
        for (const m of readFileSync(join(src, dir, f), "utf8").matchAll(/from "\.\.\/([\w-]+)\/([\w-]*routes)\.js"/g))
          if (m[1] !== dir) offenders.push(`${dir}/${f} → ${m[1]}/${m[2]}`);
    expect(offenders).toEqual([]);
  });
});
