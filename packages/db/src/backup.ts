import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Database, Queryable } from "./connection.js";
import { migrate, migrations } from "./migrations.js";

/**
 * Logical backups of the whole database, the same for PGlite and PostgreSQL: every table of the
 * schema (found in the catalogue, so tables added by later migrations come along by themselves),
 * one JSON line per row as PostgreSQL renders it (`to_jsonb`, so numerics, timestamps with their
 * microseconds and jsonb keep every digit), the sequences, and `schema_migrations`. Read in one
 * REPEATABLE READ transaction: a consistent snapshot while the system runs.
 *
 * A digest (row count and MD5 of the ordered rows, per table) is written with the dump and checked
 * after a restore, so a restored database is proven equal to the one backed up, table by table.
 */

export const BACKUP_FORMAT = "minsheng.db-backup/v1";

export interface TableDigest {
  rows: number;
  md5: string;
}

export interface DatabaseDigest {
  tables: Record<string, TableDigest>;
  sequences: Record<string, string>;
}

export interface DumpManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  source: "pglite" | "postgres";
  /** schema_migrations as it was: the restore applies exactly these before loading */
  migrations: { version: number; checksum: string }[];
  /** in load order (referenced tables first) */
  tables: { name: string; file: string; rows: number; md5: string; sha256: string }[];
  sequences: Record<string, { lastValue: string; isCalled: boolean }>;
}

/** Table columns a digest leaves out (e.g. a session's last-seen time, touched by every request). */
export type DigestExclusions = Record<string, { columns?: string[]; where?: string }>;

const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unexpected identifier ${name}`);
  return `"${name}"`;
};
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Tables of the current schema, referenced tables before the tables that reference them. */
export async function tablesInLoadOrder(db: Queryable): Promise<string[]> {
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
  );
  const { rows: edges } = await db.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.oid <> p.oid`,
  );
  const names = tables.map((t) => t.name);
  const parents = new Map(names.map((n) => [n, new Set<string>()]));
  for (const e of edges) parents.get(e.child)?.add(e.parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visit = (name: string, path: Set<string>) => {
    if (placed.has(name) || path.has(name)) return;
    path.add(name);
    for (const p of [...(parents.get(name) ?? [])].sort()) visit(p, path);
    path.delete(name);
    placed.add(name);
    ordered.push(name);
  };
  for (const n of names) visit(n, new Set());
  // data_version is bumped by triggers on the other tables: load it last so its own value wins.
  return [...ordered.filter((n) => n !== "data_version"), ...ordered.filter((n) => n === "data_version")];
}

async function sequencesOf(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'S' ORDER BY c.relname`,
  );
  return rows.map((r) => r.name);
}

async function primaryKeyOf(db: Queryable, table: string): Promise<string[]> {
  const { rows } = await db.query<{ col: string }>(
    `SELECT a.attname AS col FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE i.indisprimary AND c.relname = $1 AND n.nspname = current_schema() ORDER BY k.ord`,
    [table],
  );
  return rows.map((r) => r.col);
}

/** Timestamps render in the session's time zone: pin it, so digests agree across servers. */
const pinSession = (tx: Queryable) => tx.query("SET LOCAL TimeZone = 'UTC'");

/** The SELECT giving one table's digest as (name, n, md5). */
function digestSql(table: string, exclude?: { columns?: string[]; where?: string }, quick = false): string {
  if (quick && !exclude)
    // Any visible insert, update or delete moves the count or the newest row version (xmin).
    return `SELECT ${literal(table)} AS name, count(*)::int AS n, 'xmin:' || coalesce(max(xmin::text::bigint), 0)::text AS md5 FROM ${ident(table)}`;
  const minus = (exclude?.columns ?? []).map((c) => ` - ${literal(c)}`).join("");
  const where = exclude?.where ? ` WHERE ${exclude.where}` : "";
  return `SELECT ${literal(table)} AS name, count(*)::int AS n, md5(coalesce(string_agg(x, E'\\n' ORDER BY x), '')) AS md5
            FROM (SELECT (to_jsonb(t)${minus})::text AS x FROM ${ident(table)} t${where}) s`;
}

async function digestTables(tx: Queryable, tables: string[], exclude: DigestExclusions = {}, quick = false): Promise<Record<string, TableDigest>> {
  if (tables.length === 0) return {};
  // One statement for all tables: a round trip per table would cost more than the hashing.
  const { rows } = await tx.query<{ name: string; n: number; md5: string }>(tables.map((t) => `(${digestSql(t, exclude[t], quick)})`).join("\nUNION ALL\n"));
  return Object.fromEntries(tables.map((t) => {
    const r = rows.find((x) => x.name === t)!;
    return [t, { rows: Number(r.n), md5: r.md5 }];
  }));
}

async function digestTable(tx: Queryable, table: string): Promise<TableDigest> {
  return (await digestTables(tx, [table]))[table]!;
}

async function sequenceState(tx: Queryable, seq: string): Promise<{ lastValue: string; isCalled: boolean }> {
  const { rows } = await tx.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text AS last_value, is_called FROM ${ident(seq)}`);
  return { lastValue: rows[0]!.last_value, isCalled: rows[0]!.is_called };
}

/**
 * Row count and MD5 of the ordered rows of every table, and every sequence's position: equal
 * digests mean equal contents. `exclude` leaves out columns or rows that change by design.
 * `quick`: instead of hashing rows, the count and newest row version (xmin) of each table without
 * exclusions — enough to see that nothing was written, and cheap enough to run after every request.
 */
export async function databaseDigest(db: Database, options: { exclude?: DigestExclusions; quick?: boolean } = {}): Promise<DatabaseDigest> {
  const exclude = options.exclude ?? {};
  return db.transaction(async (tx) => {
    await pinSession(tx);
    const tables = await digestTables(tx, await tablesInLoadOrder(tx), exclude, options.quick);
    const seqs = await sequencesOf(tx);
    const sequences: Record<string, string> = {};
    if (seqs.length > 0) {
      const { rows } = await tx.query<{ name: string; v: string }>(
        seqs.map((q) => `SELECT ${literal(q)} AS name, last_value::text || ':' || is_called::text AS v FROM ${ident(q)}`).join(" UNION ALL "),
      );
      for (const r of rows) sequences[r.name] = r.v;
    }
    return { tables, sequences };
  });
}

const BATCH = 2000;

/**
 * Writes every table of `db` into `dir` (which must be empty or absent): a manifest and one .jsonl
 * per table. `skip`: tables the caller backs up another way (stored files, written out as files);
 * a restore leaves them empty for that caller to fill.
 */
export async function dumpDatabase(db: Database, dir: string, options: { skip?: readonly string[] } = {}): Promise<DumpManifest> {
  mkdirSync(join(dir, "tables"), { recursive: true });
  if (readdirSync(join(dir, "tables")).length > 0) throw new Error(`${dir} already holds a backup`);
  const manifest = await db.transaction(async (tx) => {
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    await pinSession(tx);
    const { rows: applied } = await tx.query<{ version: number; checksum: string }>("SELECT version, checksum FROM schema_migrations ORDER BY version");
    const tables: DumpManifest["tables"] = [];
    for (const table of await tablesInLoadOrder(tx)) {
      if (options.skip?.includes(table)) continue;
      const pk = await primaryKeyOf(tx, table);
      const order = pk.length > 0 ? pk.map(ident).join(", ") : "x";
      const file = `tables/${table}.jsonl`;
      const out = createWriteStream(join(dir, file));
      const sha = createHash("sha256");
      let rows = 0;
      const cursor = `dump_${table}`;
      await tx.query(`DECLARE ${ident(cursor)} NO SCROLL CURSOR FOR SELECT x FROM (SELECT to_jsonb(t)::text AS x, t.* FROM ${ident(table)} t) s ORDER BY ${order}`);
      for (;;) {
        const { rows: chunk } = await tx.query<{ x: string }>(`FETCH ${BATCH} FROM ${ident(cursor)}`);
        if (chunk.length === 0) break;
        const text = `${chunk.map((r) => r.x).join("\n")}\n`;
        sha.update(text);
        rows += chunk.length;
        if (!out.write(text)) await new Promise<void>((r) => out.once("drain", () => r()));
      }
      await tx.query(`CLOSE ${ident(cursor)}`);
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      const digest = await digestTable(tx, table);
      if (digest.rows !== rows) throw new Error(`table ${table}: ${rows} rows written but ${digest.rows} counted`);
      tables.push({ name: table, file, rows, md5: digest.md5, sha256: sha.digest("hex") });
    }
    const sequences: DumpManifest["sequences"] = {};
    for (const s of await sequencesOf(tx)) sequences[s] = await sequenceState(tx, s);
    return {
      format: BACKUP_FORMAT,
      createdAt: new Date().toISOString(),
      source: db.kind,
      migrations: applied.map((m) => ({ version: Number(m.version), checksum: m.checksum })),
      tables,
      sequences,
    } satisfies DumpManifest;
  });
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export function readDumpManifest(dir: string): DumpManifest {
  const path = join(dir, "manifest.json");
  if (!existsSync(path)) throw new Error(`${dir} holds no database backup (no manifest.json)`);
  const m = JSON.parse(readFileSync(path, "utf8")) as DumpManifest;
  if (m.format !== BACKUP_FORMAT) throw new Error(`${dir}: unknown backup format ${String(m.format)}`);
  return m;
}

/** Reads a table file in batches of JSON lines, checking it against the manifest's hash. */
async function* batchesOf(path: string, expectSha: string): AsyncGenerator<string[]> {
  const sha = createHash("sha256");
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let batch: string[] = [];
  for await (const line of lines) {
    sha.update(`${line}\n`);
    if (line === "") continue;
    batch.push(line);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
  if (sha.digest("hex") !== expectSha) throw new Error(`${path} does not match its hash in the manifest (damaged backup)`);
}

/**
 * Loads a dump into an empty database, in one transaction: the dump's own migrations first, the
 * rows, the sequences, then any newer migrations of this code (a backup from before an upgrade is
 * upgraded like the database it came from). Every table is then checked against the dump's digest.
 */
export async function restoreDatabase(db: Database, dir: string): Promise<DumpManifest> {
  const manifest = readDumpManifest(dir);
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const m of manifest.migrations)
    if (!known.has(m.version)) throw new Error(`the backup has migration ${m.version}, which this version of the software does not know: restore it with a newer release`);
  const { rows: present } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`,
  );
  if (Number(present[0]!.n) > 0) throw new Error("the target database is not empty: restore into a fresh data folder (or an empty PostgreSQL database)");
  const versions = new Set(manifest.migrations.map((m) => m.version));
  await migrate(db, { only: (v) => versions.has(v) });
  await db.transaction(async (tx) => {
    await pinSession(tx);
    const { rows: applied } = await tx.query<{ version: number; checksum: string }>("SELECT version, checksum FROM schema_migrations");
    for (const m of manifest.migrations) {
      const mine = applied.find((a) => Number(a.version) === m.version);
      if (!mine || mine.checksum !== m.checksum) throw new Error(`migration ${m.version} of the backup differs from this software's: restore it with the release that made it`);
    }
    const order = manifest.tables.map((t) => t.name);
    // Rows the migrations seeded (schema_migrations, data_version) give way to the backup's.
    for (const t of [...order].reverse()) await tx.query(`DELETE FROM ${ident(t)}`);
    for (const t of manifest.tables) {
      const { rows: cols } = await tx.query<{ name: string }>(
        `SELECT column_name AS name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
        [t.name],
      );
      const list = cols.map((c) => ident(c.name)).join(", ");
      const { rows: selfRef } = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE k.contype = 'f' AND k.conrelid = k.confrelid AND c.relname = $1 AND n.nspname = current_schema()`,
        [t.name],
      );
      const insert = `INSERT INTO ${ident(t.name)} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM jsonb_populate_recordset(NULL::${ident(t.name)}, $1::jsonb)`;
      // A table that references itself goes in one statement: its checks run at the statement's end.
      const pending: string[] = [];
      for await (const batch of batchesOf(join(dir, t.file), t.sha256)) {
        if (Number(selfRef[0]!.n) > 0) pending.push(...batch);
        else await tx.query(insert, [`[${batch.join(",")}]`]);
      }
      if (pending.length > 0) await tx.query(insert, [`[${pending.join(",")}]`]);
    }
    for (const [seq, st] of Object.entries(manifest.sequences)) await tx.query("SELECT setval($1::regclass, $2::bigint, $3)", [ident(seq), st.lastValue, st.isCalled]);
    for (const t of manifest.tables) {
      const d = await digestTable(tx, t.name);
      if (d.rows !== t.rows || d.md5 !== t.md5) throw new Error(`table ${t.name} differs from the backup after loading (${d.rows} rows, expected ${t.rows})`);
    }
  });
  await migrate(db);
  return manifest;
}
