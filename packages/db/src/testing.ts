import { randomBytes } from "node:crypto";
import { type Database, openDatabase } from "./connection.js";

/**
 * A database for one test file: on the server named by DATABASE_URL, a schema of its own that is
 * dropped afterwards; otherwise an in-memory PGlite. Same migrations, same SQL, both ways.
 */
export async function openTestDatabase(): Promise<Database & { dispose(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openDatabase({ dataDir: "memory://" });
    return Object.assign(db, { dispose: () => db.close() });
  }
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const db = await openDatabase({ databaseUrl: url, schema });
  return Object.assign(db, {
    async dispose() {
      await db.close();
      // The driver loads only here, so importing @minsheng/db does not load it (server start-up).
      const { default: pg } = await import("pg");
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  });
}
