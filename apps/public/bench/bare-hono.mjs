// The baseline of the throughput comparison: a bare Hono app on @hono/node-server answering one
// JSON route with the same body as the public project endpoint, nothing else (no middleware, no
// database). Run as its own process, like the API server, so both are measured alike.
import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const [, , port, bodyFile] = process.argv;
const body = JSON.parse(readFileSync(bodyFile, "utf8"));
const app = new Hono().get("/json", (c) => c.json(body));
serve({ fetch: app.fetch, port: Number(port), hostname: "127.0.0.1" }, () => console.log("ready"));
process.on("SIGTERM", () => process.exit(0));
