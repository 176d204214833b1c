import type { BrowserContext, BrowserContextOptions } from "playwright-core";

/** Debian's Chromium, or CHROMIUM_PATH. */
export declare const CHROMIUM: string;
export declare function hasChromium(): boolean;
/** A fresh persistent context (its own profile folder), headless, with this closed network's flags. */
export declare function launchBrowser(options?: BrowserContextOptions): Promise<BrowserContext>;
/** `artifacts/<parts…>` at the repository root, created; where tests leave screenshots and documents. */
export declare function artifactDir(...parts: string[]): string;
