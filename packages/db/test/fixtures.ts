import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const fixturePath = (name: string): string =>
  join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "fixtures", name);

export const loadFixture = (): unknown => JSON.parse(readFileSync(fixturePath("shaoyang-2024.bundle.json"), "utf8"));
