export declare const repoRoot: string;
export declare const adminDist: string;
export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  dataDir: string;
  /** what the server printed so far */
  log(): string;
  /** SIGTERM, wait for the exit, remove the data folder */
  stop(): Promise<void>;
}
/** `env`: settings on top of the clean environment the server starts with (e.g. REQUIRE_2FA: "staff"). */
export declare function startServer(options?: { timeoutMs?: number; env?: Record<string, string> }): Promise<RunningServer>;
