/**
 * Request body limits (lib/body-limit.ts): small for JSON on every route, an upload's limit where a
 * route declares one, enforced while the body streams — 413 before a huge body is all read — and
 * one slow huge body holds up no other request. The first two tests run a real HTTP server.
 */
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_BYTES } from "../src/lib/body-limit.js";
import { type Harness, makeHarness, ORIGIN } from "./harness.js";

let h: Harness;
let server: ServerType;
let port: number;

beforeAll(async () => {
  h = await makeHarness();
  server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  port = (server.address() as AddressInfo).port;
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await h?.dispose();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The answer's status and body, and how many body bytes the client had sent when it arrived. */
interface Answer {
  status: number;
  body: string;
  sentWhenAnswered: number;
}

/**
 * POSTs `total` bytes of a JSON-looking body to `path` in chunks of `chunk` bytes, one every
 * `pauseMs` (chunked, or with the whole length declared up front), stopping when the answer comes.
 */
function slowPost(path: string, opts: { total: number; chunk: number; pauseMs: number; declareLength: boolean }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path,
        headers: { "content-type": "application/json", ...(opts.declareLength ? { "content-length": String(opts.total) } : { "transfer-encoding": "chunked" }) },
      },
      (res) => {
        answered = true;
        const sentWhenAnswered = sent;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body, sentWhenAnswered });
        });
      },
    );
    req.on("error", (e) => (answered ? undefined : reject(e)));
    void (async () => {
      req.write('{"username":"');
      sent += 13;
      const piece = Buffer.alloc(opts.chunk, "a");
      while (!answered && sent < opts.total) {
        if (!req.write(piece)) await new Promise((r) => req.once("drain", r));
        sent += piece.length;
        await sleep(opts.pauseMs);
      }
      if (!answered && !req.destroyed) req.end();
    })().catch(() => {});
  });
}

const get = (path: string): Promise<{ status: number; at: number }> =>
  new Promise((resolve, reject) => {
    httpRequest({ host: "127.0.0.1", port, path }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, at: Date.now() }));
    })
      .on("error", reject)
      .end();
  });

describe("request body limits", () => {
  it("refuses a 50 MB JSON body to /auth/login with 413 from its declared length, before reading it", async () => {
    const answer = await slowPost("/api/v1/auth/login", { total: 50 * 1024 * 1024, chunk: 64 * 1024, pauseMs: 50, declareLength: true });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", params: { limit: "1 MB" }, message: "the request body is larger than the limit of 1 MB" });
    expect(answer.sentWhenAnswered).toBeLessThan(2 * 1024 * 1024);
  }, 30_000);

  it("cuts off a huge chunked body at the limit while it streams, and answers other requests meanwhile", async () => {
    const started = Date.now();
    // 50 MB at 64 KB every 25 ms would take 20 s; the limit is reached after about 16 chunks
    const upload = slowPost("/api/v1/auth/login", { total: 50 * 1024 * 1024, chunk: 64 * 1024, pauseMs: 25, declareLength: false });
    await sleep(100);
    const health = await get("/api/v1/health");
    const answer = await upload;
    expect(health.status).toBe(200);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(health.at).toBeLessThan(started + 100 + 2_000); // answered while the body was still streaming
    expect(answer.sentWhenAnswered).toBeGreaterThan(MAX_JSON_BYTES / 2);
    expect(answer.sentWhenAnswered).toBeLessThan(MAX_JSON_BYTES + 1024 * 1024);
  }, 30_000);

  it("refuses a JSON body over the limit on any route, declared or streamed, and writes nothing", async () => {
    const cookie = await h.login("reporter");
    const before = (await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM reports")).rows[0]!.n;
    const big = JSON.stringify({ indicator: "hn2024-p08-a", region: "430523", period: "2024-10", value: 1, narrative: "x".repeat(MAX_JSON_BYTES) });
    const declared = await h.call(cookie, "PUT", "/api/v1/reports", big, { "content-type": "application/json" });
    expect(declared.status).toBe(413);
    // without a length: counted as the validator reads it (which would otherwise call it malformed JSON)
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.subarray(i, i + 64 * 1024));
        controller.close();
      },
    });
    const streamed = await h.app.request(`${ORIGIN}/api/v1/reports`, {
      method: "PUT",
      headers: { cookie, origin: ORIGIN, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM reports")).rows[0]!.n).toBe(before);
    // the same form at an honest size is saved
    const small = await h.call(cookie, "PUT", "/api/v1/reports", { indicator: "hn2024-p08-a", region: "430523", period: "2024-10", value: 1, narrative: "正常大小" });
    expect(small.status).toBe(201);
  });

  it("lets a route that declares a larger limit take more than the JSON limit, after its own checks", async () => {
    // the bundle import accepts 200 MB: a 1.5 MB body reaches the route, which refuses an anonymous caller
    const bundle = JSON.stringify({ format: "minsheng.bundle/v1", note: "x".repeat(1_500_000) });
    expect((await h.call(null, "POST", "/api/v1/bundles", bundle, { "content-type": "application/json" })).status).toBe(401);
    const json = await h.call(null, "POST", "/api/v1/auth/login", bundle, { "content-type": "application/json" });
    expect(json.status).toBe(413);
  });
});
