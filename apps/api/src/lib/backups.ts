import { createHash } from "node:crypto";
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { type Database, dataDirHasDatabase, dumpDatabase, type DumpManifest, openDatabase, readDumpManifest, restoreDatabase } from "@minsheng/db";
import { MOVED_FILES_PREFIX } from "./storage.js";

/**
 * Backups of a whole installation: the database (a logical dump of every table, see
 * @minsheng/db backup.ts — the same for PGlite and PostgreSQL) and everything else under DATA_DIR
 * (evidence and content files, the key that seals citizens' phone numbers), each file with its
 * SHA-256 in the manifest. Layout of a backup folder:
 *
 *   manifest.json   what is in it, with hashes
 *   db/             the database dump (manifest.json, tables/*.jsonl)
 *   data/           the files of DATA_DIR, same relative paths
 *
 * Rolling backups (`DATA_DIR/backups/auto-*`) are the same format, taken by the server at an
 * interval and at a clean shutdown; the newest few are kept. Files there are hard links where the
 * file system allows (stored files are never changed in place, only added and removed).
 */

export const INSTALL_BACKUP_FORMAT = "minsheng.backup/v1";

/**
 * What under DATA_DIR is not copied as a file: the database itself, the backups, the lock (and
 * files already moved into the database, see listFiles).
 */
const SKIP = new Set(["pg", "backups", ".lock"]);

export interface BackupManifest {
  format: typeof INSTALL_BACKUP_FORMAT;
  createdAt: string;
  database: { source: DumpManifest["source"]; tables: number; rows: number };
  files: { path: string; size: number; sha256: string }[];
}

const sha256Of = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Every regular file under `root`, relative paths, sorted; `skipTop` names top-level entries to leave out. */
export function listFiles(root: string, skipTop: ReadonlySet<string> = new Set()): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      const rel = relative(root, full);
      if (dir === root && (skipTop.has(e.name) || e.name.startsWith(MOVED_FILES_PREFIX))) continue;
      // Half-written files of the disk storage (written then renamed) are not content yet.
      if (e.name.endsWith(".tmp")) continue;
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push(rel);
    }
  };
  walk(root);
  return out.sort();
}

function placeFile(from: string, to: string, link: boolean) {
  mkdirSync(dirname(to), { recursive: true });
  if (link) {
    try {
      linkSync(from, to);
      return;
    } catch {
      // another file system, or links not allowed: copy
    }
  }
  copyFileSync(from, to);
}

/** The table of files kept in the database (DatabaseStorage): backed up as files, not as rows. */
const FILES_TABLE = "stored_files";
/** Where a stored file goes in a backup's data/ folder: where DiskStorage keeps it under DATA_DIR. */
const storedFilePath = (key: string) => join("files", key);

/**
 * Writes the files stored in the database into `<out>/data/files/<key>`, one at a time (each read
 * once; the largest is a few tens of MB). A file an earlier backup (`reuse`) holds with the same
 * hash is linked instead of written again: stored files never change in place.
 */
async function writeStoredFiles(db: Database, out: string, reuse: string | undefined): Promise<BackupManifest["files"]> {
  const previous = new Map<string, string>();
  if (reuse) for (const f of readBackupManifest(reuse).files) previous.set(f.path, f.sha256);
  const { rows: keys } = await db.query<{ key: string; sha256: string }>(`SELECT key, sha256 FROM ${FILES_TABLE} ORDER BY key`);
  const files: BackupManifest["files"] = [];
  for (const { key, sha256 } of keys) {
    const rel = storedFilePath(key);
    const to = join(out, "data", rel);
    if (reuse && previous.get(rel) === sha256) placeFile(join(reuse, "data", rel), to, true);
    else {
      const { rows } = await db.query<{ content: Uint8Array }>(`SELECT content FROM ${FILES_TABLE} WHERE key = $1`, [key]);
      if (!rows[0]) continue; // removed since the listing, with its row
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, rows[0].content);
    }
    files.push({ path: rel, size: statSync(to).size, sha256: sha256Of(to) });
  }
  return files;
}

/** Backs up the open database and DATA_DIR's files into `target` (absent or empty). */
export async function backupInstallation(
  db: Database,
  dataDir: string,
  target: string,
  options: { linkFiles?: boolean; reuse?: string | undefined } = {},
): Promise<BackupManifest> {
  const out = resolve(target);
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out} is not empty: back up into a new folder`);
  if (out.startsWith(`${resolve(dataDir)}/`) && !out.startsWith(`${resolve(dataDir, "backups")}/`)) throw new Error("the backup folder must not be inside DATA_DIR (except DATA_DIR/backups)");
  mkdirSync(out, { recursive: true });
  // The database first, then the files: stored files are only ever added or removed, so every file
  // a dumped row names is still there (unless removed meanwhile, with its row, by a later change).
  const dump = await dumpDatabase(db, join(out, "db"), { skip: [FILES_TABLE] });
  const files = await writeStoredFiles(db, out, options.reuse);
  for (const rel of listFiles(dataDir, SKIP)) {
    const from = join(dataDir, rel);
    placeFile(from, join(out, "data", rel), options.linkFiles ?? false);
    files.push({ path: rel, size: statSync(join(out, "data", rel)).size, sha256: sha256Of(join(out, "data", rel)) });
  }
  const manifest: BackupManifest = {
    format: INSTALL_BACKUP_FORMAT,
    createdAt: dump.createdAt,
    database: { source: dump.source, tables: dump.tables.length, rows: dump.tables.reduce((n, t) => n + t.rows, 0) },
    files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
  writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export function readBackupManifest(dir: string): BackupManifest {
  const path = join(dir, "manifest.json");
  if (!existsSync(path)) throw new Error(`${dir} is not a backup (no manifest.json)`);
  const m = JSON.parse(readFileSync(path, "utf8")) as BackupManifest;
  if (m.format !== INSTALL_BACKUP_FORMAT) throw new Error(`${dir}: unknown backup format ${String(m.format)}`);
  readDumpManifest(join(dir, "db"));
  return m;
}

/** Checks every file of a backup against its hash; returns the problems (none: intact). */
export function verifyBackupFiles(dir: string): string[] {
  const m = readBackupManifest(dir);
  const problems: string[] = [];
  for (const f of m.files) {
    const p = join(dir, "data", f.path);
    if (!existsSync(p)) problems.push(`${f.path}: missing`);
    else if (sha256Of(p) !== f.sha256) problems.push(`${f.path}: content differs from the manifest`);
  }
  return problems;
}

export interface RestoreTarget {
  dataDir: string;
  /** restore into this PostgreSQL database (empty) instead of DATA_DIR/pg */
  databaseUrl?: string | undefined;
  schema?: string | undefined;
}

/**
 * Restores a backup into a fresh installation: the database (DATA_DIR/pg must not hold one, or the
 * PostgreSQL database must be empty) and the files. Refuses to overwrite a file that differs.
 */
export async function restoreInstallation(backupDir: string, target: RestoreTarget): Promise<BackupManifest> {
  const src = resolve(backupDir);
  const manifest = readBackupManifest(src);
  const problems = verifyBackupFiles(src);
  if (problems.length > 0) throw new Error(`the backup is damaged: ${problems.slice(0, 5).join("; ")}`);
  const dataDir = resolve(target.dataDir);
  if (!target.databaseUrl && dataDirHasDatabase(join(dataDir, "pg"))) throw new Error(`${join(dataDir, "pg")} already holds a database: restore into a fresh DATA_DIR`);
  for (const f of manifest.files) {
    const to = join(dataDir, f.path);
    if (existsSync(to) && sha256Of(to) !== f.sha256) throw new Error(`${to} exists and differs from the backup's: restore into a fresh DATA_DIR`);
  }
  const createdPg = !target.databaseUrl && !existsSync(join(dataDir, "pg"));
  const db = await openDatabase({ databaseUrl: target.databaseUrl, schema: target.schema, dataDir: join(dataDir, "pg"), migrate: false });
  // A server database keeps the stored files itself (the server then uses DatabaseStorage).
  const intoDatabase = target.databaseUrl ? manifest.files.filter((f) => f.path.startsWith("files/")) : [];
  try {
    await restoreDatabase(db, join(src, "db"));
    for (const f of intoDatabase) {
      const bytes = readFileSync(join(src, "data", f.path));
      await db.query(`INSERT INTO ${FILES_TABLE} (key, sha256, size, content) VALUES ($1, $2, $3, $4)`, [f.path.slice("files/".length), f.sha256, f.size, bytes]);
    }
  } catch (e) {
    await db.close();
    // Leave nothing half-made behind, so the restore can simply be run again.
    if (createdPg) rmSync(join(dataDir, "pg"), { recursive: true, force: true });
    throw e;
  }
  await db.close();
  for (const f of manifest.files) {
    const to = join(dataDir, f.path);
    if (!intoDatabase.includes(f) && !existsSync(to)) placeFile(join(src, "data", f.path), to, false);
  }
  return manifest;
}

// ---------------------------------------------------------------------------------------------
// Rolling backups under DATA_DIR/backups.

export const rollingDir = (dataDir: string) => join(resolve(dataDir), "backups");

/** The rolling backups, newest first (complete ones only: a manifest is written last). */
export function rollingBackups(dataDir: string): string[] {
  const dir = rollingDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.startsWith("auto-") && existsSync(join(dir, n, "manifest.json")))
    .sort()
    .reverse()
    .map((n) => join(dir, n));
}

/** Takes one rolling backup and removes all but the newest `keep`. */
export async function takeRollingBackup(db: Database, dataDir: string, keep: number): Promise<string> {
  const dir = rollingDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const name = `auto-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  const tmp = join(dir, `.partial-${name}`);
  rmSync(tmp, { recursive: true, force: true });
  await backupInstallation(db, dataDir, tmp, { linkFiles: true, reuse: rollingBackups(dataDir)[0] });
  // Complete or absent: the folder gets its final name only once everything is written.
  renameSync(tmp, join(dir, name));
  for (const old of rollingBackups(dataDir).slice(Math.max(1, keep))) rmSync(old, { recursive: true, force: true });
  for (const n of readdirSync(dir)) if (n.startsWith(".partial-")) rmSync(join(dir, n), { recursive: true, force: true });
  return join(dir, name);
}

/**
 * After the embedded database was damaged: moves DATA_DIR/pg aside (kept, renamed), restores the
 * newest rolling backup's database, and puts back any file missing from DATA_DIR. Changes made after
 * that backup are lost — the returned manifest says when it was taken.
 */
export async function recoverFromRollingBackup(dataDir: string): Promise<{ backup: string; movedTo: string | null; manifest: BackupManifest }> {
  const backup = rollingBackups(dataDir)[0];
  if (!backup) throw new Error(`no rolling backup in ${rollingDir(dataDir)}`);
  const pg = join(resolve(dataDir), "pg");
  let movedTo: string | null = null;
  if (existsSync(pg)) {
    const lock = join(pg, ".lock");
    if (existsSync(lock)) {
      const pid = Number(readFileSync(lock, "utf8").trim());
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
      if (alive && pid !== process.pid) throw new Error(`the data folder is in use by process ${pid}; stop it first`);
    }
    movedTo = join(resolve(dataDir), `pg.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`);
    renameSync(pg, movedTo);
  }
  const m = readBackupManifest(backup);
  const db = await openDatabase({ dataDir: pg, migrate: false });
  try {
    await restoreDatabase(db, join(backup, "db"));
  } finally {
    await db.close();
  }
  for (const f of m.files) {
    const to = join(resolve(dataDir), f.path);
    if (!existsSync(to)) placeFile(join(backup, "data", f.path), to, false);
  }
  return { backup, movedTo, manifest: m };
}
