export * from "./connection.js";
export * from "./migrations.js";
export * from "./bundles.js";
export * from "./audit.js";
export * from "./testing.js";
export * from "./backup.js";
