import type { UserConfig } from "vitest/config";
/** Shared vitest settings; `test` overrides the defaults. */
export function vitestConfig(test?: UserConfig["test"]): UserConfig;
