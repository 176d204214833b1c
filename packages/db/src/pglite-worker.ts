import { parentPort, workerData } from "node:worker_threads";
import type { PGlite, Transaction } from "@electric-sql/pglite";
import { createPglite } from "./pglite.js";

/**
 * An embedded PGlite database on a worker thread (connection.ts, `thread: true`). PostgreSQL's
 * start (~0.7 s of CPU) and every statement run synchronously on the thread that owns the
 * instance; here that is not the server's, so the server loads its modules meanwhile (issue 3:
 * start ≤ 1 s) and answers other requests while a statement runs.
 *
 * Transactions are PGlite's own (`db.transaction`), held open across messages: a statement outside
 * the transaction waits for it inside PGlite, exactly as in one thread.
 */

export type WorkerRequest =
  | { id: number; op: "query"; sql: string; params: unknown[]; tx?: number }
  | { id: number; op: "begin"; tx: number }
  | { id: number; op: "end"; tx: number; commit: boolean }
  | { id: number; op: "close" };

/** Id 0 answers the start: ready, or the error that kept the database from opening. */
export type WorkerReply = WorkerAnswer | { id: number; ok: false; error: SerializedError };
export interface WorkerAnswer {
  id: number;
  ok: true;
  rows?: unknown[];
  affectedRows?: number | undefined;
}

/** An error's message, name and own fields (PostgreSQL's code, detail, constraint…). */
export interface SerializedError {
  message: string;
  name: string;
  stack?: string | undefined;
  fields: Record<string, unknown>;
}

export const serializeError = (e: unknown): SerializedError => {
  if (!(e instanceof Error)) return { message: String(e), name: "Error", fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (v === null || ["string", "number", "boolean", "undefined"].includes(typeof v)) fields[k] = v;
  return { message: e.message, name: e.name, stack: e.stack, fields };
};

/** The rollback of a transaction whose caller failed: not an error of its own. */
const ROLLED_BACK = Symbol("rolled back");

async function serve(port: NonNullable<typeof parentPort>, clusterDir: string): Promise<void> {
  let db: PGlite;
  try {
    db = await createPglite(clusterDir);
  } catch (e) {
    port.postMessage({ id: 0, ok: false, error: serializeError(e) } satisfies WorkerReply);
    port.close();
    return;
  }
  const open = new Map<number, { tx: Transaction; finish: (commit: boolean) => void; done: Promise<unknown> }>();
  const begin = (txId: number) =>
    new Promise<void>((entered, failed) => {
      let finish: (commit: boolean) => void = () => {};
      const done = db.transaction(async (tx) => {
        const decided = new Promise<void>((commit, rollback) => (finish = (c) => (c ? commit() : rollback(ROLLED_BACK))));
        open.set(txId, { tx, finish: (c) => finish(c), done });
        entered();
        await decided;
      });
      // BEGIN itself failed: the callback never ran
      done.catch((e: unknown) => {
        if (!open.has(txId)) failed(e);
      });
    });
  const handle = async (m: WorkerRequest): Promise<WorkerReply> => {
    switch (m.op) {
      case "query": {
        const target = m.tx === undefined ? db : open.get(m.tx)?.tx;
        if (!target) throw new Error("Transaction is closed");
        const r = await target.query(m.sql, m.params);
        return { id: m.id, ok: true, rows: r.rows, affectedRows: r.affectedRows };
      }
      case "begin":
        await begin(m.tx);
        return { id: m.id, ok: true };
      case "end": {
        const t = open.get(m.tx);
        if (!t) throw new Error("Transaction is closed");
        t.finish(m.commit);
        try {
          await t.done;
        } catch (e) {
          if (e !== ROLLED_BACK) throw e;
        } finally {
          open.delete(m.tx);
        }
        return { id: m.id, ok: true };
      }
      case "close":
        try {
          await db.query("CHECKPOINT");
        } finally {
          await db.close();
        }
        return { id: m.id, ok: true };
    }
  };
  port.on("message", (m: WorkerRequest) => {
    handle(m).then(
      (reply) => {
        port.postMessage(reply);
        if (m.op === "close") port.close();
      },
      (e: unknown) => port.postMessage({ id: m.id, ok: false, error: serializeError(e) } satisfies WorkerReply),
    );
  });
  port.postMessage({ id: 0, ok: true } satisfies WorkerReply);
}

if (parentPort && (workerData as { pgliteWorker?: unknown } | null)?.pgliteWorker === true) {
  void serve(parentPort, (workerData as { clusterDir: string }).clusterDir);
}
