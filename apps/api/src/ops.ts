import { join, resolve } from "node:path";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { DataDirLocked, openDatabase } from "@minsheng/db";
import { backupInstallation, recoverFromRollingBackup, restoreInstallation, rollingBackups, rollingDir, verifyBackupFiles } from "./lib/backups.js";

/**
 * Operations on an installation (README, "Operations"): the same DATA_DIR / DATABASE_URL settings as
 * the server.
 *
 *   backup <dir>    database and DATA_DIR files into a new folder
 *   restore <dir>   into a fresh DATA_DIR (or an empty DATABASE_URL database)
 *   verify <dir>    check a backup's files against its manifest
 *   recover         embedded database damaged: move it aside, restore the newest rolling backup
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const env = process.env;
const dataDir = resolve(env.DATA_DIR ?? join(repoRoot, "data"));
// `pnpm backup ./x` runs at the repository root: read paths from where the command was typed.
const here = env.INIT_CWD ?? process.cwd();
const [command, arg] = process.argv.slice(2);

function usage(): never {
  console.error("usage: ops backup <dir> | restore <dir> | verify <dir> | recover   (DATA_DIR, DATABASE_URL as for the server)");
  process.exit(2);
}

async function main() {
  // Backups hold the key and citizens' photos, a restore fills DATA_DIR: the service account's alone (as the server does).
  if (process.platform !== "win32") process.umask(0o077);
  if (command === "backup") {
    if (!arg) usage();
    const target = resolve(here, arg);
    let db;
    try {
      db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: join(dataDir, "pg") });
    } catch (e) {
      if (e instanceof DataDirLocked) {
        const newest = rollingBackups(dataDir)[0];
        throw new Error(`${e.message}. The running server keeps rolling backups in ${rollingDir(dataDir)}${newest ? ` (newest: ${newest})` : ""}; copy one, or stop the server and back up again.`);
      }
      throw e;
    }
    try {
      const m = await backupInstallation(db, dataDir, target);
      console.log(`backed up ${m.database.rows} rows in ${m.database.tables} tables (${m.database.source}) and ${m.files.length} files to ${target}`);
    } finally {
      await db.close();
    }
  } else if (command === "restore") {
    if (!arg) usage();
    const m = await restoreInstallation(resolve(here, arg), { dataDir, databaseUrl: env.DATABASE_URL });
    console.log(`restored ${m.database.rows} rows in ${m.database.tables} tables and ${m.files.length} files (backup of ${m.createdAt}) into ${env.DATABASE_URL ? "the database at DATABASE_URL" : dataDir}`);
  } else if (command === "verify") {
    if (!arg) usage();
    const problems = verifyBackupFiles(resolve(here, arg));
    if (problems.length > 0) throw new Error(`damaged backup:\n  ${problems.join("\n  ")}`);
    console.log(`${resolve(here, arg)}: every file matches its hash`);
  } else if (command === "recover") {
    if (env.DATABASE_URL) throw new Error("recover is for the embedded database; restore a PostgreSQL database with `restore`");
    const r = await recoverFromRollingBackup(dataDir);
    console.log(`restored the rolling backup ${r.backup} (taken ${r.manifest.createdAt}; changes after it are lost)`);
    if (r.movedTo) console.log(`the damaged database was kept in ${r.movedTo}`);
  } else usage();
}

main().catch((e) => {
  console.error(`✗ ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
