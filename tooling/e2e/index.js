// Browser tests drive Debian's Chromium (installed by the test command) with playwright-core;
// nothing downloads a browser at run time.
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = () => existsSync(CHROMIUM);

/**
 * A fresh persistent context (its own profile folder) with the flags this closed network needs.
 * @param {import("playwright-core").BrowserContextOptions} [options] e.g. { viewport: { width: 390, height: 844 }, isMobile: true }
 */
export async function launchBrowser(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), "ms-chromium-"));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-gpu", "--disable-quic", "--no-first-run"],
    ...options,
  });
}

/** Where tests put screenshots and rendered documents for a human to look at (gitignored). */
export function artifactDir(...parts) {
  const dir = join(import.meta.dirname, "..", "..", "artifacts", ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
