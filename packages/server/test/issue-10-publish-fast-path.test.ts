import http2 from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { Origin, PublishBatchRequestSchema, PublishRequestSchema } from "@openaxon/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RunningAxonServer, startAxonServer } from "../src/index.js";
import { type Harness, startHarness } from "./support/harness.js";

// Raw HTTP/2 requests, byte for byte: the gRPC fast path of one server (on by default) against the
// Connect path of another with it off, both over the same store.
let h: Harness;
let connectServer: RunningAxonServer;
let fastUrl: string;
let axonId: string;

beforeAll(async () => {
  h = await startHarness();
  connectServer = await startAxonServer({
    store: h.store,
    host: "127.0.0.1",
    port: 0,
    grpcFastPath: false,
  });
  fastUrl = h.server.url;
  axonId = (await h.client.createAxon({})).axon!.id;
});

afterAll(async () => {
  await connectServer.close();
  await h.close();
});

/** openaxon_grpc_fast_path_total{method} of the fast server. */
async function fastPathCount(method: string): Promise<number> {
  const text = await (await fetch(`${fastUrl}/metrics`)).text();
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`openaxon_grpc_fast_path_total{method="${method}"}`));
  return line === undefined ? 0 : Number(line.split(" ").pop());
}

interface RawReply {
  status: number;
  headers: Record<string, unknown>;
  trailers: Record<string, unknown>;
  body: Buffer;
}

function rawCall(
  url: string,
  body: Buffer,
  contentType = "application/grpc",
  extraHeaders: Record<string, string> = {},
  method = "Publish",
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    const stream = session.request({
      ":method": "POST",
      ":path": `/openaxon.v1.AxonService/${method}`,
      "content-type": contentType,
      te: "trailers",
      // Both paths echo it: a fixed id keeps their answers comparable byte for byte.
      "x-request-id": "fast-path-comparison",
      ...extraHeaders,
    });
    let headers: Record<string, unknown> = {};
    let trailers: Record<string, unknown> = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      const { date: _, ...rest } = Object.fromEntries(Object.entries(h));
      headers = rest;
    });
    stream.on("trailers", (t) => {
      trailers = Object.fromEntries(Object.entries(t));
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      session.close();
      resolve({ status: Number(headers[":status"]), headers, trailers, body: Buffer.concat(chunks) });
    });
    stream.on("error", reject);
    stream.end(body);
  });
}

const envelope = (message: Uint8Array) => {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
};
const publishRequest = (fields: Record<string, unknown>) =>
  envelope(
    toBinary(
      PublishRequestSchema,
      create(PublishRequestSchema, {
        axonId,
        origin: Origin.USER_EVENT,
        source: "test",
        eventType: "user.message",
        payload: "{}",
        ...fields,
      }),
    ),
  );

const batchRequest = (fields: Record<string, unknown>) =>
  envelope(
    toBinary(
      PublishBatchRequestSchema,
      create(PublishBatchRequestSchema, {
        axonId,
        events: [1, 2, 3].map((n) => ({
          origin: Origin.USER_EVENT,
          source: "test",
          eventType: "user.message",
          payload: `{"n":${n}}`,
        })),
        ...fields,
      }),
    ),
  );

async function both(body: Buffer, contentType?: string, method = "Publish") {
  const counted = await fastPathCount(method);
  const viaConnect = await rawCall(connectServer.url, body, contentType, {}, method);
  const viaFast = await rawCall(fastUrl, body, contentType, {}, method);
  // The comparison is only worth something if the fast path answered.
  expect(await fastPathCount(method)).toBe(counted + 1);
  return { viaConnect, viaFast };
}

test("a duplicate publish gets a byte-identical response from both paths", async () => {
  const body = publishRequest({ idempotencyKey: "same-key" });
  await rawCall(connectServer.url, body); // the original
  const { viaConnect, viaFast } = await both(body);
  expect(viaFast.status).toBe(200);
  expect(viaFast.trailers).toEqual({ "grpc-status": "0" });
  expect(viaFast).toEqual(viaConnect);
  expect(viaFast.body.length).toBeGreaterThan(5);
});

test("a fresh publish gets the same headers and trailers, and the next sequence", async () => {
  const { viaConnect, viaFast } = await both(publishRequest({}));
  expect(viaFast.headers).toEqual(viaConnect.headers);
  expect(viaFast.trailers).toEqual(viaConnect.trailers);
  // Field 1 (sequence) of each response: the fast path's publish came right after Connect's.
  expect(viaFast.body[6]).toBe(viaConnect.body[6]! + 1);
});

test.each<[string, () => Buffer]>([
  ["expected_head mismatch (FAILED_PRECONDITION with details)", () => publishRequest({ expectedHead: 0n })],
  ["SYSTEM origin (PERMISSION_DENIED)", () => publishRequest({ origin: Origin.SYSTEM_EVENT })],
  ["payload not JSON (INVALID_ARGUMENT)", () => publishRequest({ payload: "{oops" })],
  [
    "oversized payload (RESOURCE_EXHAUSTED with details)",
    () => publishRequest({ payload: `"${"x".repeat(4 * 1024 * 1024)}"` }),
  ],
  ["malformed axon id (INVALID_ARGUMENT)", () => publishRequest({ axonId: "nope" })],
  ["unknown axon (NOT_FOUND)", () => publishRequest({ axonId: "axn_01kxxxxxxxxxxxxxxxxxxxxxxx" })],
  ["missing fields (INVALID_ARGUMENT)", () => envelope(new Uint8Array())],
  ["malformed protobuf (INVALID_ARGUMENT)", () => envelope(Uint8Array.from([0x0a, 9, 0x61]))],
  ["invalid UTF-8 (INVALID_ARGUMENT)", () => envelope(Uint8Array.from([0x1a, 2, 0xc3, 0x28]))],
  ["incomplete envelope (INVALID_ARGUMENT)", () => Buffer.from([0, 0, 0, 0, 9, 1])],
  [
    "a second message (INVALID_ARGUMENT)",
    () => Buffer.concat([publishRequest({}), envelope(Uint8Array.from([0x0a, 9, 0x61]))]),
  ],
])("%s: the same response, byte for byte, and nothing written", async (_, body) => {
  const before = (await h.client.getAxon({ id: axonId })).axon!.headSequence;
  const { viaConnect, viaFast } = await both(body());
  expect(viaConnect.trailers["grpc-status"]).not.toBe("0");
  expect(viaFast).toEqual(viaConnect);
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(before);
});

test.each<[string, () => Buffer]>([
  ["a fresh batch", () => batchRequest({})],
  ["empty events (INVALID_ARGUMENT)", () => batchRequest({ events: [] })],
  ["expected_head mismatch (FAILED_PRECONDITION)", () => batchRequest({ expectedHead: 0n })],
  [
    "a SYSTEM event in the batch (PERMISSION_DENIED)",
    () =>
      batchRequest({ events: [{ origin: Origin.SYSTEM_EVENT, source: "t", eventType: "x", payload: "{}" }] }),
  ],
  [
    "an event without source (INVALID_ARGUMENT, names the event)",
    () =>
      batchRequest({ events: [{ origin: Origin.USER_EVENT, source: "", eventType: "x", payload: "{}" }] }),
  ],
  ["unknown axon (NOT_FOUND)", () => batchRequest({ axonId: "axn_01kxxxxxxxxxxxxxxxxxxxxxxx" })],
  ["a truncated event (INVALID_ARGUMENT)", () => envelope(Uint8Array.from([0x12, 5, 0x08, 1]))],
  [
    "an event field with the wrong wire type (INVALID_ARGUMENT)",
    () => envelope(Uint8Array.from([0x12, 2, 0x0a, 0])),
  ],
])("PublishBatch, %s: the same response from both paths", async (name, body) => {
  const { viaConnect, viaFast } = await both(body(), "application/grpc", "PublishBatch");
  if (name === "a fresh batch") {
    expect(viaFast.trailers).toEqual({ "grpc-status": "0" });
    expect(viaFast.headers).toEqual(viaConnect.headers);
    // Fields 1 and 2 (first and last sequence): the fast path's batch came right after Connect's.
    expect(viaFast.body[6]).toBe(viaConnect.body[6]! + 3);
    return;
  }
  expect(viaConnect.trailers["grpc-status"]).not.toBe("0");
  expect(viaFast).toEqual(viaConnect);
});

test("what the fast path does not take (gRPC-Web, JSON, deadlines, compression, an Origin) is left to Connect", async () => {
  const counted = await fastPathCount("Publish");
  for (const contentType of ["application/grpc-web+proto", "application/grpc+json", "application/proto"]) {
    await rawCall(fastUrl, publishRequest({}), contentType);
  }
  const ok = await rawCall(fastUrl, publishRequest({}), "application/grpc", { "grpc-timeout": "5S" });
  expect(ok.trailers["grpc-status"]).toBe("0");
  const origin = await rawCall(fastUrl, publishRequest({}), "application/grpc", {
    origin: "http://127.0.0.1:1",
  });
  expect(origin.headers["grpc-status"]).toBe("7"); // a foreign origin, refused by admission
  expect(await fastPathCount("Publish")).toBe(counted);
});

describe("with API keys and scopes: the same answers from the fast path and from Connect", () => {
  const apiKeys = [
    { key: "key-publish", scopes: ["publish" as const] },
    { key: "key-read", scopes: ["read" as const] },
    { key: "key-agent", scopes: ["agent" as const] },
  ];
  let fastOn: RunningAxonServer;
  let fastOff: RunningAxonServer;
  beforeAll(async () => {
    fastOn = await startAxonServer({ store: h.store, host: "127.0.0.1", port: 0, apiKeys });
    fastOff = await startAxonServer({
      store: h.store,
      host: "127.0.0.1",
      port: 0,
      apiKeys,
      grpcFastPath: false,
    });
  });
  afterAll(async () => {
    await fastOn.close();
    await fastOff.close();
  });

  test.each<[string, Record<string, string>, Record<string, unknown>, string]>([
    ["no key", {}, {}, "16"],
    ["a wrong key", { authorization: "Bearer nope" }, {}, "16"],
    ["a read-only key", { authorization: "Bearer key-read" }, {}, "7"],
    [
      "a publish key, AGENT origin",
      { authorization: "Bearer key-publish" },
      { origin: Origin.AGENT_EVENT },
      "7",
    ],
    ["an agent key, USER origin", { authorization: "Bearer key-agent" }, {}, "7"],
    [
      "a publish key, a duplicate",
      { authorization: "Bearer key-publish" },
      { idempotencyKey: "scoped" },
      "0",
    ],
  ])("%s", async (_, headers, fields, status) => {
    const body = publishRequest(fields);
    if (fields.idempotencyKey) await rawCall(fastOff.url, body, "application/grpc", headers); // the original
    const viaConnect = await rawCall(fastOff.url, body, "application/grpc", headers);
    const viaFast = await rawCall(fastOn.url, body, "application/grpc", headers);
    // Refused before the body (no key) is a trailers-only response: the status is in the headers.
    expect(viaConnect.trailers["grpc-status"] ?? viaConnect.headers["grpc-status"]).toBe(status);
    expect(viaFast).toEqual(viaConnect);
  });
});
