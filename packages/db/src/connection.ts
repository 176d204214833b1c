import { randomUUID } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import { migrate } from "./migrations.js";
import type { SerializedError, WorkerAnswer, WorkerReply, WorkerRequest } from "./pglite-worker.js";

/** The part of a connection that runs statements; a transaction hands one of these to its callback. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[]; rowCount: number }>;
}

export interface Database extends Queryable {
  readonly kind: "pglite" | "postgres";
  /** Runs `fn` in one transaction: all of it or nothing. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Flushes to disk (PGlite: CHECKPOINT) and closes. */
  close(): Promise<void>;
  /**
   * A server only (several processes may share it; the embedded database has one): tells every
   * other handle listening on `channel` in this database and schema, once the statement commits.
   */
  notify?(channel: string, payload?: string): Promise<void>;
  /**
   * A server only: calls `onMessage` for each notification on `channel` from another handle (not
   * this one) in this database and schema, on a connection of its own that is made again when
   * lost. `onConnected` runs each time listening (re)starts: notifications sent while it was not
   * listening are lost, so whatever they keep fresh must be refreshed then. Returns the stop.
   */
  listen?(channel: string, onMessage: (payload: string) => void, onConnected?: () => void): () => Promise<void>;
}

export interface OpenOptions {
  /** postgres://… — a real server. When absent, embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite data folder (default ./data/pg); "memory://" for a throwaway in-memory database. */
  dataDir?: string | undefined;
  /** Server only: the schema to use (created if missing), so test runs do not meet each other. */
  schema?: string | undefined;
  /** Run migrations on open (default true). */
  migrate?: boolean;
  /**
   * PGlite in a folder only: run it on a worker thread (the server does). Its start and its
   * statements then run beside this thread's work instead of blocking it.
   */
  thread?: boolean;
}

/** Another process holds the data folder; two writers corrupt a PGlite folder (PGlite #327, #1106). */
export class DataDirLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`the data folder ${dataDir} is in use by process ${pid}; stop it first`);
    this.name = "DataDirLocked";
  }
}

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Takes `<dir>/.lock` for this process; a stale lock (dead pid) is taken over. Returns the release. */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, ".lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(readFileSync(lock, "utf8").trim());
      if (pid === process.pid) throw new DataDirLocked(dir, pid);
      if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) throw new DataDirLocked(dir, pid);
      rmSync(lock, { force: true });
    }
  }
  throw new Error(`could not lock ${dir}`);
}

const quoteIdent = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid schema name ${name}`);
  return `"${name}"`;
};

async function openPglite(dataDir: string, thread: boolean): Promise<Database> {
  const memory = dataDir.startsWith("memory://");
  const dir = memory ? dataDir : resolve(dataDir);
  const release = memory ? () => {} : lockDataDir(dir);
  // The folder holds the cluster in a subfolder so the lock and backups sit beside it.
  const clusterDir = memory ? dir : join(dir, "cluster");
  if (thread && !memory) return openPgliteThread(clusterDir, release);
  let db: PGlite;
  try {
    // PGlite's modules load only here: a server running it on a worker thread never needs them.
    const { createPglite } = await import("./pglite.js");
    db = await createPglite(memory ? undefined : clusterDir);
  } catch (e) {
    release();
    throw e;
  }
  let closed = false;
  const wrap = (q: Pick<PGlite, "query">): Queryable => ({
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const r = await q.query<T>(sql, params as unknown[]);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
  });
  const base = wrap(db);
  return {
    kind: "pglite",
    query: base.query,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.query("CHECKPOINT");
      } finally {
        await db.close();
        release();
      }
    },
  };
}

/**
 * A parameter as it can cross to the worker: a class instance arrives there as a plain object, so
 * what PGlite would have taken from it here (toJSON for JSON, its own toString for text) is taken first.
 */
const portable = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(portable);
  if (v === null || typeof v !== "object" || v instanceof Date || ArrayBuffer.isView(v)) return v;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return v;
  const o = v as { toJSON?: () => unknown; toString: () => string };
  if (typeof o.toJSON === "function") return o.toJSON();
  return o.toString !== Object.prototype.toString ? o.toString() : v;
};

/** PGlite on a worker thread (pglite-worker.ts); the lock stays with this thread. */
async function openPgliteThread(clusterDir: string, release: () => void): Promise<Database> {
  const worker = new Worker(new URL("./pglite-worker.js", import.meta.url), { workerData: { pgliteWorker: true, clusterDir } });
  const pending = new Map<number, { resolve: (r: WorkerAnswer) => void; reject: (e: unknown) => void }>();
  let lastId = 0;
  let lastTx = 0;
  let gone: Error | null = null;
  const revive = (e: SerializedError) =>
    Object.assign(new Error(e.message), e.fields, { name: e.name, ...(e.stack ? { stack: e.stack } : {}) });
  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  worker.on("message", (r: WorkerReply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (r.ok) p.resolve(r);
    else p.reject(revive(r.error));
  });
  const fail = (e: Error) => {
    // 57P01 (admin shutdown): callers see a lost connection (isConnectionError), not their own fault
    gone ??= Object.assign(new Error(`the embedded database stopped: ${e.message}`), { code: "57P01" });
    for (const p of pending.values()) p.reject(gone);
    pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`worker exited (${code})`)));
  const call = (m: { op: WorkerRequest["op"] } & Record<string, unknown>): Promise<WorkerAnswer> => {
    if (gone) return Promise.reject(gone);
    const id = ++lastId;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...m, id } as WorkerRequest);
    });
  };
  try {
    await ready;
  } catch (e) {
    await worker.terminate();
    release();
    throw e;
  }
  const query =
    (tx: number | undefined) =>
    async <T>(sql: string, params: readonly unknown[] = []) => {
      const r = await call({ op: "query", sql, params: params.map(portable), ...(tx === undefined ? {} : { tx }) });
      const rows = (r.rows ?? []) as T[];
      return { rows, rowCount: r.affectedRows ?? rows.length };
    };
  let closing: Promise<void> | null = null;
  return {
    kind: "pglite",
    query: query(undefined),
    async transaction(fn) {
      const tx = ++lastTx;
      await call({ op: "begin", tx });
      let result;
      try {
        result = await fn({ query: query(tx) });
      } catch (e) {
        await call({ op: "end", tx, commit: false }).catch(() => {});
        throw e;
      }
      await call({ op: "end", tx, commit: true });
      return result;
    },
    close() {
      closing ??= (async () => {
        try {
          await call({ op: "close" });
        } finally {
          await worker.terminate();
          fail(new Error("closed"));
          release();
        }
      })();
      return closing;
    },
  };
}

/**
 * Whether an error means the database connection itself failed (server restarting, connection
 * terminated, refused): the request may be retried, it was not the caller's fault (HTTP 503).
 */
export function isConnectionError(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const code = String((e as { code?: unknown }).code ?? "");
  // 57P01-03: admin shutdown, crash shutdown, cannot connect now; class 08: connection exceptions
  if (/^(57P0[123]|08\d{3})$/.test(code) || ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"].includes(code)) return true;
  return /Connection terminated|connection (is )?(closed|ended)|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(String((e as Error).message ?? ""));
}

/** How many statement texts a server connection prepares (see `run` in openPostgres). */
const PREPARED_MAX = 500;

async function openPostgres(url: string, schema: string | undefined): Promise<Database> {
  // Loaded only here: an embedded installation never needs the driver (~80 ms of start-up).
  const { default: pgDriver } = await import("pg");
  const settings = {
    connectionString: url,
    application_name: "minsheng-api",
    ...(schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {}),
  };
  const pool = new pgDriver.Pool({ ...settings, max: 10, idleTimeoutMillis: 30_000 });
  // Notifications name their schema (test runs share a database) and their sender (a handle does not hear itself).
  const sender = randomUUID();
  // An idle pooled connection that the server drops must not crash the process.
  pool.on("error", (err) => console.warn(`[db] idle connection error: ${err.message}`));
  if (schema) {
    const c = await pool.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    } finally {
      c.release();
    }
  }
  // Statements with parameters are prepared once per connection and then only bound and run: the
  // server parses and plans a join once, not on every request (deadline day: ~12 statements a figure,
  // the public pages eight each). Named by their text; past PREPARED_MAX texts (dynamic IN lists)
  // they run unnamed, so a connection's prepared statements stay bounded.
  const names = new Map<string, string>();
  const nameOf = (sql: string): string | undefined => {
    let name = names.get(sql);
    if (name === undefined && names.size < PREPARED_MAX) names.set(sql, (name = `ms${names.size}`));
    return name;
  };
  const run = async <T>(client: pg.Pool | pg.PoolClient, sql: string, params: readonly unknown[] = []) => {
    const name = params.length > 0 ? nameOf(sql) : undefined;
    const r = await client.query(name ? { name, text: sql, values: params as unknown[] } : { text: sql, values: params as unknown[] });
    return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
  };
  return {
    kind: "postgres",
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      // A checked-out client has no pool listener: its connection dying must not crash the process.
      let broken: unknown = null;
      const onError = (err: Error) => {
        broken = err;
      };
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        const result = await fn({ query: (sql, params) => run(client, sql, params) });
        await client.query("COMMIT");
        return result;
      } catch (e) {
        if (isConnectionError(e)) broken ??= e;
        if (!broken) await client.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        client.removeListener("error", onError);
        // A dead connection is discarded, not handed to the next request.
        client.release(broken ? (broken as Error) : undefined);
      }
    },
    close: () => pool.end(),
    async notify(channel, payload = "") {
      await pool.query("SELECT pg_notify($1, current_schema() || ' ' || $2 || ' ' || $3)", [channel, sender, payload]);
    },
    listen(channel, onMessage, onConnected) {
      const listen = `LISTEN ${quoteIdent(channel)}`;
      let client: pg.Client | null = null;
      let stopped = false;
      let delay = 500;
      let retry: NodeJS.Timeout | undefined;
      const again = () => {
        if (stopped || retry) return;
        // Back off while the server is away (0.5 s, doubling, at most 30 s).
        retry = setTimeout(() => {
          retry = undefined;
          void connect();
        }, delay);
        retry.unref();
        delay = Math.min(delay * 2, 30_000);
      };
      const connect = async () => {
        const c = new pgDriver.Client(settings);
        client = c;
        const lost = () => {
          if (client !== c) return;
          client = null;
          c.end().catch(() => {});
          again();
        };
        c.on("error", (e) => {
          console.warn(`[db] listening connection lost: ${e.message}`);
          lost();
        });
        c.on("end", lost);
        try {
          await c.connect();
          const { rows } = await c.query<{ s: string }>("SELECT current_schema() AS s");
          const prefix = `${rows[0]!.s} `;
          c.on("notification", (m) => {
            if (m.channel !== channel || !m.payload?.startsWith(prefix)) return;
            const rest = m.payload.slice(prefix.length);
            const space = rest.indexOf(" ");
            if (rest.slice(0, space) !== sender) onMessage(rest.slice(space + 1));
          });
          await c.query(listen);
          if (stopped) return void c.end().catch(() => {});
          delay = 500;
          onConnected?.();
        } catch (e) {
          if (!stopped) console.warn(`[db] could not listen for changes: ${e instanceof Error ? e.message : String(e)}`);
          lost();
        }
      };
      void connect();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        const c = client;
        client = null;
        await c?.end().catch(() => {});
      };
    },
  };
}

/** Opens the database the environment asks for and brings its schema up to date. */
export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  const db = options.databaseUrl
    ? await openPostgres(options.databaseUrl, options.schema)
    : await openPglite(options.dataDir ?? join("data", "pg"), options.thread === true);
  if (options.migrate !== false) {
    try {
      await migrate(db);
    } catch (e) {
      await db.close();
      throw e;
    }
  }
  return db;
}

/** Whether a PGlite data folder already holds a database (for "first start" decisions). */
export const dataDirHasDatabase = (dataDir: string): boolean => existsSync(join(resolve(dataDir), "cluster", "PG_VERSION"));
