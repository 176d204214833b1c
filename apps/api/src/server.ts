import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
// Only the connection module up front: the embedded database starts opening (its WebAssembly
// compiles on V8's background threads, its files load) while the app's modules load below.
import { DataDirLocked, openDatabase } from "@minsheng/db/connection";
import { publicBaseUrlFromEnv } from "./lib/public-url.js";
import { secureDataDir, tightenModes } from "./lib/data-dir.js";
import { loadMasterKey, secretsFromKey } from "./lib/secrets.js";

/** The repository root (apps/api/dist → ../../..), for the default data folder and the fixture. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The app and what the server wires into it; imported while the database opens. */
const loadModules = () =>
  Promise.all([
    import("@hono/node-server"),
    import("./app.js"),
    import("./lib/backups.js"),
    import("./lib/context.js"),
    import("./public/public-cache.js"),
    import("./lib/regions.js"),
    import("./lib/rate-limit.js"),
    import("./lib/key-check.js"),
    import("./lib/storage.js"),
    import("./lib/retention.js"),
    import("./lib/schedule.js"),
    import("./lib/static-apps.js"),
    import("./seed.js"),
  ]);

async function main() {
  const env = process.env;
  // Settings that would make a wrong server are refused before anything opens.
  const publicBaseUrl = publicBaseUrlFromEnv(env);
  const dataDir = resolve(env.DATA_DIR ?? join(repoRoot, "data"));
  const started = Date.now();
  // The key first (a key file others can read is refused before anything tightens its mode), then
  // DATA_DIR made the service account's alone: folders 0700, files 0600, now and for what is created later.
  const masterKey = loadMasterKey(env.FEEDBACK_KEY, join(dataDir, "feedback.key"));
  secureDataDir(dataDir);
  // thread: PGlite starts and runs on a worker thread, beside the module loading below.
  const opening = openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: join(dataDir, "pg"), thread: true });
  const loading = loadModules();
  // Whichever fails first ends the start; a database already open is closed (lock released) first.
  const [db, modules] = await Promise.all([
    opening.catch(async (e: unknown) => {
      if (e instanceof DataDirLocked || env.DATABASE_URL) throw e;
      // PGlite cannot always replay a folder left by a crash or by two writers (PGlite #327, #1106).
      const newest = (await loading.then(([, , backups]) => backups.rollingBackups(dataDir), () => []))[0];
      throw new Error(
        `the embedded database in ${join(dataDir, "pg")} could not be opened (${e instanceof Error ? e.message : String(e)}). ` +
          (newest ? `If it is damaged, \`pnpm recover\` moves it aside and restores the newest rolling backup (${newest}).` : "No rolling backup exists to recover from."),
      );
    }),
    loading.catch(async (e: unknown) => {
      await opening.then((d) => d.close(), () => {});
      throw e;
    }),
  ]);
  const [
    { serve },
    { createApp },
    { rollingBackups, takeRollingBackup },
    { defaultConfig },
    { followOtherInstances },
    { RegionDirectory },
    { DatabaseRateLimiter },
    { verifyMasterKey },
    { DatabaseStorage, DiskStorage, moveDiskFilesIntoDatabase },
    { scheduleRetention, securityConfigFromEnv },
    { claimScheduledRun, exclusively },
    { mountStaticApps, publicSitePreload, publicSiteRenderer },
    { bootstrapAccountsFromEnv, bootstrapAdmins, demoEnrolmentCodes, isEmpty, refuseDemoAccounts, seedDemo, seedFromEnv },
  ] = modules;
  // Sealed phone numbers and site codes: FEEDBACK_KEY, or a key generated once under DATA_DIR. It must be
  // the key this database was used with (every instance the same): refused at start otherwise.
  const secrets = secretsFromKey(masterKey);
  await verifyMasterKey(db, secrets).catch(async (e: unknown) => {
    await db.close().catch(() => {});
    throw e;
  });
  // The embedded database sets its files' modes itself (0666, past the umask): tightened once it has opened
  // and again at a clean stop; its folders are 0700, so nothing in them is reachable by others meanwhile.
  const tightenDatabase = () => {
    if (!env.DATABASE_URL) tightenModes(join(dataDir, "pg"));
  };
  tightenDatabase();
  // Accounts: the demo only when asked for (SEED=demo, never in production), the operator's own
  // administrators always. A bad setting stops the start before anything is written.
  let seededDemo = false;
  try {
    const seed = seedFromEnv(env);
    const administrators = bootstrapAccountsFromEnv(env);
    await refuseDemoAccounts(db, env);
    // Instances starting together on one empty server database: one loads the demo and the first
    // administrators, the rest find them.
    await exclusively(db, "first start", async () => {
      if (seed === "demo" && (await isEmpty(db))) {
        const fixture = env.SEED_BUNDLE ?? join(repoRoot, "fixtures", "shaoyang-2024.bundle.json");
        if (existsSync(fixture)) {
          await seedDemo(db, fixture);
          seededDemo = env.SEED_BUNDLE === undefined;
          console.log(`demo data loaded from ${fixture}; demo accounts: see README`);
          const codes = await demoEnrolmentCodes(db, new Date());
          console.log(`demo administrators' enrolment codes (绑定码, for two-factor sign-in): ${codes.map((x) => `${x.username} ${x.code}`).join(", ")}`);
        }
      }
      for (const { account, created, enrolmentCode } of await bootstrapAdmins(db, administrators, new Date())) {
        if (created) console.log(`${account.role} ${account.username} created (${account.prefix}_USERNAME)`);
        // Shown once: with the password it binds the administrator's authenticator (两步验证).
        if (enrolmentCode) console.log(`${account.role} ${account.username}: enrolment code (绑定码) ${enrolmentCode.code}, valid until ${enrolmentCode.expiresAt}`);
      }
    });
    if ((await db.query("SELECT 1 FROM users LIMIT 1")).rows.length === 0)
      console.warn("no accounts yet: set ADMIN_USERNAME / ADMIN_PASSWORD (and SECURITY_ADMIN_…, AUDIT_ADMIN_…) to create your administrators, or SEED=demo for the demo");
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
  const config = {
    ...defaultConfig,
    production: env.NODE_ENV === "production",
    allowedOrigins: (env.ALLOWED_ORIGINS ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    // 码上通
    publicBaseUrl,
    trustProxy: /^(1|true|yes)$/i.test(env.TRUST_PROXY ?? ""),
    feedbackAutoApprove: /^(1|true|yes)$/i.test(env.FEEDBACK_AUTO_APPROVE ?? ""),
    // REQUIRE_2FA, AUDIT_RETENTION_MONTHS, PHONE_RETENTION_DAYS (see lib/retention.ts, SECURITY.md)
    ...securityConfigFromEnv(env),
  };
  // A server database may be shared by several instances (each with its own DATA_DIR): files live
  // in it, so every instance serves what any one stored; files this one kept on disk move there.
  let storage;
  if (env.DATABASE_URL) {
    const moved = await moveDiskFilesIntoDatabase(db, join(dataDir, "files"));
    if (moved > 0) console.log(`${moved} files moved from ${join(dataDir, "files")} into the database`);
    storage = new DatabaseStorage(db);
  } else storage = new DiskStorage(join(dataDir, "files"));
  const deps = {
    db,
    storage,
    regions: new RegionDirectory(db),
    config,
    now: () => new Date(),
    secrets,
    // shared through the database: N instances limit a client once
    rateLimiter: new DatabaseRateLimiter(db),
  };
  // What other instances on the same server database write drops this one's cached pages at once.
  const stopFollowing = followOtherInstances(deps);
  const app = createApp(deps);
  // The console at /admin/ and the 码上通 site at / are served from their builds, when built.
  const served = mountStaticApps(app, [
    { prefix: "/admin", dir: join(repoRoot, "apps", "admin", "dist") },
    {
      prefix: "",
      dir: join(repoRoot, "apps", "public", "dist"),
      preload: publicSitePreload,
      // project pages arrive rendered: a phone on a slow network paints them before any script runs
      render: await publicSiteRenderer(app, join(repoRoot, "apps", "public", "dist-ssr", "entry-server.js")),
    },
  ]);
  if (served.length > 0) console.log(`serving ${served.join(", ")}`);
  // The Shaoyang demo also gets some 码上通 content, entered through the API like a user's.
  if (seededDemo)
    await (await import("./demo-content.js")).seedDemoContent(app).then(
      (tickets) => console.log(`demo 码上通 content published; suggestion tickets ${tickets.join(", ")}`),
      (e) => console.warn(`demo 码上通 content skipped: ${e instanceof Error ? e.message : e}`),
    );
  // Phone numbers purged and old audit entries pruned (anchored) shortly after start and daily;
  // not during the start itself, whose first requests it would hold up.
  let stopRetention = () => {};
  const retentionSoon = setTimeout(() => (stopRetention = scheduleRetention({ db, config, now: () => new Date() })), 10_000);
  retentionSoon.unref();
  const port = Number(env.PORT ?? 8787);
  const server = serve({ fetch: app.fetch, port, hostname: env.HOST ?? "127.0.0.1" }, (info) => {
    // development without PUBLIC_BASE_URL: the port really listened on (PORT=0 picks one)
    if (!env.PUBLIC_BASE_URL?.trim()) config.publicBaseUrl = publicBaseUrlFromEnv({ ...env, PORT: String(info.port) });
    console.log(`民生实事 API on http://${info.address}:${info.port}/api/v1/health (${db.kind}, ready in ${Date.now() - started} ms)`);
    // Integrators may download a bulletin right after a restart: the renderers warm in the background
    // (unless a sign-in or the bulletin page has already started them), not during the start.
    void import("./bulletins/service.js").then((b) => b.warmRenderersSoon(8_000));
  });
  // Rolling backups (DATA_DIR/backups): every BACKUP_INTERVAL_HOURS (0: never) and at a clean stop; BACKUP_KEEP kept.
  const backupHours = Number(env.BACKUP_INTERVAL_HOURS ?? 6);
  const backupKeep = Number(env.BACKUP_KEEP ?? 5);
  let backingUp: Promise<unknown> = Promise.resolve();
  // Instances sharing a server database take one backup per interval between them (the first to claim it).
  const rollingBackup = (why: string) =>
    (backingUp = backingUp.then(() =>
      claimScheduledRun(db, "rolling-backup", backupHours * 0.9 * 3_600_000)
        .then((mine) => (mine ? takeRollingBackup(db, dataDir, backupKeep) : null))
        .then(
          (dir) => console.log(dir ? `rolling backup (${why}): ${dir}` : `rolling backup (${why}) skipped: another instance took one within the interval`),
          (e) => console.warn(`rolling backup (${why}) failed: ${e instanceof Error ? e.message : e}`),
        ),
    ));
  if (backupHours > 0) {
    const newest = rollingBackups(dataDir)[0];
    const age = newest ? Date.now() - statSync(newest).mtimeMs : Infinity;
    // The first one soon after start (a known-good state the server just opened), unless a recent one exists.
    if (age > backupHours * 3_600_000) setTimeout(() => void rollingBackup("start"), 5_000).unref();
    setInterval(() => void rollingBackup("interval"), backupHours * 3_600_000).unref();
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(retentionSoon);
    stopRetention();
    void stopFollowing();
    console.log(`${signal}: closing`);
    // Close the HTTP side first (idle keep-alive connections at once, busy ones after a grace
    // period), take a rolling backup, then checkpoint and close the database so the folder is clean.
    server.close(() => {
      (backupHours > 0 ? rollingBackup("stop") : backingUp)
        .then(() => db.close())
        .then(
          () => {
            tightenDatabase();
            console.log("database closed cleanly");
            process.exit(0);
          },
          (e) => {
            console.error(e);
            process.exit(1);
          },
        );
    });
    const http = server as unknown as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
    http.closeIdleConnections?.();
    setTimeout(() => http.closeAllConnections?.(), 3_000).unref();
    setTimeout(() => process.exit(1), 60_000).unref();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
