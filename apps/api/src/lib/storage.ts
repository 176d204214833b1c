import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Queryable } from "@minsheng/db";

/**
 * Where evidence files live: on disk under DATA_DIR with the embedded database (one process), in
 * the database (table stored_files) when it is a server that several instances share; an
 * S3-compatible store could implement the same three calls.
 */
export interface FileStorage {
  put(bytes: Uint8Array): Promise<{ key: string; sha256: string; size: number }>;
  get(key: string): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
}

/** A new key: `ab/<uuid>`, the same form in every storage (a backup restores into either). */
function newKey(): string {
  const id = randomUUID();
  return `${id.slice(0, 2)}/${id}`;
}

const STORAGE_KEY = /^[0-9a-f]{2}\/[0-9a-f-]{36}$/;
const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export class DiskStorage implements FileStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    if (!STORAGE_KEY.test(key)) throw new Error(`bad storage key ${key}`);
    return join(this.root, key);
  }

  async put(bytes: Uint8Array) {
    const key = newKey();
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename: a crash never leaves a half-written file under a real key.
    const tmp = `${path}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    return { key, sha256: sha256Of(bytes), size: bytes.byteLength };
  }

  async get(key: string) {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  async delete(key: string) {
    await rm(this.pathOf(key), { force: true });
  }
}

/**
 * In the database (table stored_files, content as bytea: files are at most a few tens of MB), so
 * every instance on it reads what any one stored. Backups write these files out like disk files
 * (lib/backups.ts), under the same `files/<key>` paths.
 */
export class DatabaseStorage implements FileStorage {
  constructor(private readonly db: Queryable) {}

  async put(bytes: Uint8Array) {
    const key = newKey();
    const sha256 = sha256Of(bytes);
    await this.db.query("INSERT INTO stored_files (key, sha256, size, content) VALUES ($1, $2, $3, $4)", [key, sha256, bytes.byteLength, bytes]);
    return { key, sha256, size: bytes.byteLength };
  }

  async get(key: string) {
    if (!STORAGE_KEY.test(key)) throw new Error(`bad storage key ${key}`);
    const { rows } = await this.db.query<{ content: Uint8Array }>("SELECT content FROM stored_files WHERE key = $1", [key]);
    return rows[0] ? new Uint8Array(rows[0].content) : null;
  }

  async delete(key: string) {
    await this.db.query("DELETE FROM stored_files WHERE key = $1", [key]);
  }
}

/** What `files/` under DATA_DIR is renamed to once its files are in the database (not backed up again). */
export const MOVED_FILES_PREFIX = "files.moved-to-database-";

/**
 * Moves the files an installation kept on disk (`files/` under DATA_DIR, from before it shared its
 * database) into the database, keeping their keys; the folder is then renamed so this runs once.
 * Each instance that had files of its own brings them in. Returns how many were moved.
 */
export async function moveDiskFilesIntoDatabase(db: Queryable, filesDir: string): Promise<number> {
  if (!existsSync(filesDir)) return 0;
  let moved = 0;
  for (const prefix of await readdir(filesDir)) {
    const dir = join(filesDir, prefix);
    if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
    for (const name of await readdir(dir)) {
      const key = `${prefix}/${name}`;
      if (!STORAGE_KEY.test(key)) continue; // half-written (.tmp) or foreign
      const bytes = new Uint8Array(await readFile(join(dir, name)));
      const { rowCount } = await db.query(
        "INSERT INTO stored_files (key, sha256, size, content) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
        [key, sha256Of(bytes), bytes.byteLength, bytes],
      );
      moved += rowCount;
    }
  }
  await rename(filesDir, join(dirname(filesDir), `${MOVED_FILES_PREFIX}${new Date().toISOString().replace(/[:.]/g, "-")}`));
  return moved;
}

/** In memory, for tests. */
export class MemoryStorage implements FileStorage {
  readonly files = new Map<string, Uint8Array>();
  async put(bytes: Uint8Array) {
    const key = newKey();
    this.files.set(key, bytes);
    return { key, sha256: sha256Of(bytes), size: bytes.byteLength };
  }
  async get(key: string) {
    return this.files.get(key) ?? null;
  }
  async delete(key: string) {
    this.files.delete(key);
  }
}
