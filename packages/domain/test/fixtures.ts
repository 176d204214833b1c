import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's copy of the shared fixtures (a user's clone has no ../shared). */
export const fixturePath = (name: string): string =>
  join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "fixtures", name);
