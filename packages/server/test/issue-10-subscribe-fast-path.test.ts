import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { AxonService, SubscribeRequestSchema } from "@openaxon/protocol";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { binarySubscribe, createSubscribeShared } from "../src/axon-service.js";
import { subscribeFastPath } from "../src/subscribe-fast-path.js";
import { type Follower, follow, kinds } from "./support/follow.js";
import { type Harness, startHarness, userEvent } from "./support/harness.js";

// Issue 10 (fan-out): gRPC Subscribe is served by writing shared frames straight to HTTP/2
// streams. The fast path alone on its own HTTP/2 server (anything it declines is a 404), so these
// tests know it served the call, against the Connect path of the full server over the same store.
let h: Harness;
let fastServer: http2.Http2Server;
let fastUrl: string;
const sessions = new Set<http2.ServerHttp2Session>();

beforeAll(async () => {
  h = await startHarness();
  const fast = subscribeFastPath({
    readMaxBytes: 64 * 1024,
    logger: pino({ level: "silent" }),
    admit: () => {},
    open: binarySubscribe({ store: h.store, subscribeShared: createSubscribeShared({}) }),
  });
  fastServer = http2.createServer((request, response) => {
    if (!fast(request, response)) {
      response.writeHead(404);
      response.end();
    }
  });
  fastServer.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => fastServer.listen(0, "127.0.0.1", resolve));
  fastUrl = `http://127.0.0.1:${(fastServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const session of sessions) session.destroy();
  await new Promise((resolve) => fastServer.close(resolve));
  await h.close();
});

const fastClient = () => createClient(AxonService, createGrpcTransport({ baseUrl: fastUrl }));
/** The Node SDK's transport: Connect protocol, binary, HTTP/2. */
const fastConnectClient = () =>
  createClient(
    AxonService,
    createConnectTransport({ baseUrl: fastUrl, httpVersion: "2", useBinaryFormat: true }),
  );
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("issue 10: the gRPC Subscribe fast path", () => {
  test("replay, caught_up and live commits reach every subscriber as over Connect, every event once", async () => {
    const axonId = (await h.client.createAxon({})).axon!.id;
    // Two replay pages (2,048 events each) before anyone subscribes.
    for (let first = 0; first < 2500; first += 1000) {
      await h.client.publishBatch({
        axonId,
        events: Array.from({ length: 1000 }, (_, k) => userEvent({ n: first + k, text: "héllo 😀" })),
      });
    }
    const fast: Follower[] = Array.from({ length: 12 }, (_, i) =>
      follow(i % 2 === 0 ? fastClient() : fastConnectClient(), { axonId }),
    );
    const viaConnect = follow(h.clientFor("connect-h1"), { axonId });
    const all = [...fast, viaConnect];
    await Promise.all(all.map((f) => f.waitFor((x) => kinds(x).includes("caughtUp"), 30_000)));
    // Live: single events, small batches and ~300 KiB commits (cut into several frames), racing.
    const big = "é".repeat(1500);
    const publishes: Promise<unknown>[] = [];
    let total = 3000;
    for (let round = 0; round < 4; round++) {
      publishes.push(h.client.publish({ axonId, ...userEvent({ round }) }));
      publishes.push(
        h.client.publishBatch({
          axonId,
          events: Array.from({ length: 7 }, (_, k) => userEvent({ round, k })),
        }),
      );
      publishes.push(
        h.client.publishBatch({
          axonId,
          events: Array.from({ length: 100 }, (_, k) => userEvent({ round, k, big })),
        }),
      );
      total += 108;
    }
    await Promise.all(publishes);
    await Promise.all(all.map((f) => f.waitFor((x) => x.events().length >= total, 60_000)));
    const reference = viaConnect.events();
    expect(reference.map((e) => Number(e.sequence))).toEqual(range(1, total));
    for (const f of fast) {
      expect(f.events()).toEqual(reference);
      expect(kinds(f).filter((k) => k === "caughtUp")).toHaveLength(1);
    }
    await Promise.all(all.map((f) => f.cancel()));
  }, 120_000);

  // (Deletion and shutdown endings are covered over the full server, whose gRPC clients this path
  // serves: subscribe.test.ts, http-server.test.ts.)
  test.each([
    ["gRPC", fastClient],
    ["Connect", fastConnectClient],
  ])("ends with the same codes as Connect (%s): NOT_FOUND, INVALID_ARGUMENT", async (_, makeClient) => {
    const client = makeClient();
    const unknown = follow(client, { axonId: "axn_01kxxxxxxxxxxxxxxxxxxxxxxx" });
    await unknown.done;
    expect(unknown.error?.code).toBe(Code.NotFound);
    const malformed = follow(client, { axonId: "nope" });
    await malformed.done;
    expect(malformed.error?.code).toBe(Code.InvalidArgument);
  });

  test("a malformed request message is INVALID_ARGUMENT, before anything is read from the store", async () => {
    // Field 1 (axon_id) with a length running past the end.
    const reply = await rawCall(fastUrl, envelope(Buffer.from([0x0a, 9, 0x61])));
    expect(reply.trailers["grpc-status"] ?? reply.headers["grpc-status"]).toBe(String(Code.InvalidArgument));
  });

  test("a second request message is INVALID_ARGUMENT saying so (the Connect path says the same: issue-8-binary-decode)", async () => {
    const first = envelope(toBinary(SubscribeRequestSchema, create(SubscribeRequestSchema, { axonId: "x" })));
    const reply = await rawCall(fastUrl, Buffer.concat([first, envelope(Buffer.from([0x0a, 9, 0x61]))]));
    const trailers = { ...reply.headers, ...reply.trailers };
    expect(trailers["grpc-status"]).toBe(String(Code.InvalidArgument));
    expect(decodeURIComponent(String(trailers["grpc-message"]))).toBe(
      "protocol error: 8 bytes follow the request message; this method takes exactly one message",
    );
  });

  test("declines what it does not handle (deadline, JSON, compression): Connect serves those", async () => {
    const body = envelope(toBinary(SubscribeRequestSchema, create(SubscribeRequestSchema, { axonId: "x" })));
    expect((await rawCall(fastUrl, body, { "grpc-timeout": "5S" })).status).toBe(404);
    expect((await rawCall(fastUrl, body, { "content-type": "application/grpc+json" })).status).toBe(404);
    expect((await rawCall(fastUrl, body, { "grpc-encoding": "gzip" })).status).toBe(404);
    expect((await rawCall(fastUrl, body, { "content-type": "application/connect+json" })).status).toBe(404);
    const connect = { "content-type": "application/connect+proto" };
    expect((await rawCall(fastUrl, body, { ...connect, "connect-timeout-ms": "5000" })).status).toBe(404);
    expect((await rawCall(fastUrl, body, { ...connect, "connect-content-encoding": "gzip" })).status).toBe(
      404,
    );
    // The full server takes a Subscribe with a deadline through Connect.
    const axonId = (await h.client.createAxon({})).axon!.id;
    await h.client.publish({ axonId, ...userEvent(1) });
    const withDeadline = createClient(
      AxonService,
      createGrpcTransport({ baseUrl: h.server.url, defaultTimeoutMs: 60_000 }),
    );
    const f = follow(withDeadline, { axonId });
    await f.waitFor((x) => kinds(x).includes("caughtUp"));
    expect(f.sequences()).toEqual([1]);
    await f.cancel();
  });
});

test("issue 10: on the full server, the fast path checks the key's scopes like Connect", async () => {
  const scoped = await startHarness({
    apiKeys: [
      { key: "publisher", scopes: ["publish"] },
      { key: "reader", scopes: ["read"] },
    ],
  });
  try {
    const denied = follow(scoped.clientFor("grpc-h2", "publisher"), {
      axonId: "axn_01kxxxxxxxxxxxxxxxxxxxxxxx",
    });
    await denied.done;
    expect(denied.error).toBeInstanceOf(ConnectError);
    expect(denied.error?.code).toBe(Code.PermissionDenied);
    expect(denied.error?.rawMessage).toContain('"read" scope');
    const allowed = follow(scoped.clientFor("grpc-h2", "reader"), {
      axonId: "axn_01kxxxxxxxxxxxxxxxxxxxxxxx",
    });
    await allowed.done;
    expect(allowed.error?.code).toBe(Code.NotFound); // past the scope check, to the store
    const anonymous = follow(scoped.clientFor("grpc-h2"), { axonId: "axn_01kxxxxxxxxxxxxxxxxxxxxxxx" });
    await anonymous.done;
    expect(anonymous.error?.code).toBe(Code.Unauthenticated);
  } finally {
    await scoped.close();
  }
});

const envelope = (message: Uint8Array) => {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
};

function rawCall(
  url: string,
  body: Buffer,
  extra: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; trailers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    const stream = session.request({
      ":method": "POST",
      ":path": "/openaxon.v1.AxonService/Subscribe",
      "content-type": "application/grpc",
      te: "trailers",
      ...extra,
    });
    let headers: Record<string, unknown> = {};
    let trailers: Record<string, unknown> = {};
    stream.on("response", (h) => {
      headers = { ...h };
    });
    stream.on("trailers", (t) => {
      trailers = { ...t };
    });
    stream.on("data", () => {});
    stream.on("end", () => {
      session.close();
      resolve({ status: Number(headers[":status"]), headers, trailers });
    });
    stream.on("error", reject);
    stream.end(body);
  });
}
