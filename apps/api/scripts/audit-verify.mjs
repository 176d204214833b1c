#!/usr/bin/env node
// `node apps/api/scripts/audit-verify.mjs` (DATABASE_URL or DATA_DIR as for the server): checks the
// audit log's hash chain, as 审计 → 校验 does in the console, for a monitor run from cron. API
// tokens may not act as the audit administrator, so a monitor reads the database directly
// (read-only). Prints the result as JSON; exits 1 when the chain is broken.
import { join, resolve } from "node:path";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase, verifyAuditChain } from "@minsheng/db";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const dataDir = resolve(process.env.DATA_DIR ?? join(repoRoot, "data"));
// No migrations: a monitor must never change the schema.
const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: join(dataDir, "pg"), migrate: false });
try {
  const result = await verifyAuditChain(db);
  console.log(JSON.stringify(result));
  process.exitCode = result.ok ? 0 : 1;
} finally {
  await db.close();
}
