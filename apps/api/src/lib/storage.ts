import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

/**
 * Where evidence files live. On disk under DATA_DIR by default; an S3-compatible store can
 * implement the same three calls.
 */
export interface FileStorage {
  put(bytes: Uint8Array): Promise<{ key: string; sha256: string; size: number }>;
  get(key: string): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
}

export class DiskStorage implements FileStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    if (!/^[0-9a-f]{2}\/[0-9a-f-]{36}$/.test(key)) throw new Error(`bad storage key ${key}`);
    return join(this.root, key);
  }

  async put(bytes: Uint8Array) {
    const id = randomUUID();
    const key = `${id.slice(0, 2)}/${id}`;
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename: a crash never leaves a half-written file under a real key.
    const tmp = `${path}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    return { key, sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.byteLength };
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

/** In memory, for tests. */
export class MemoryStorage implements FileStorage {
  readonly files = new Map<string, Uint8Array>();
  async put(bytes: Uint8Array) {
    const id = randomUUID();
    const key = `${id.slice(0, 2)}/${id}`;
    this.files.set(key, bytes);
    return { key, sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.byteLength };
  }
  async get(key: string) {
    return this.files.get(key) ?? null;
  }
  async delete(key: string) {
    this.files.delete(key);
  }
}
