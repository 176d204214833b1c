import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * DATA_DIR (database, files, key, backups) is the service account's alone: folders 0700, files 0600.
 * From now on every file this process creates gets those modes (umask 077); what an older version or an
 * operator left more open is tightened at start. Symbolic links are left alone (their target is not ours).
 * Answers how many modes were changed.
 */
export function secureDataDir(dataDir: string): number {
  if (process.platform === "win32") return 0;
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return tightenModes(dataDir);
}

/** Folders 0700 and files 0600 under `path` (itself included); answers how many modes were changed. */
export function tightenModes(path: string): number {
  if (process.platform === "win32") return 0;
  let changed = 0;
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o777) !== want) {
      chmodSync(p, want);
      changed++;
    }
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(path);
  return changed;
}
