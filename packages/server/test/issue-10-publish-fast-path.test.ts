import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import { Origin, PublishRequestSchema } from "@openaxon/protocol";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isGrpcRequest, specEncodeGrpcMessages } from "../src/grpc-message-encoding.js";
import { grpcPublishFastPath } from "../src/grpc-publish-fast-path.js";
import { type RunningAxonServer, startAxonServer } from "../src/index.js";
import { type Harness, startHarness } from "./support/harness.js";

// The fast path alone on its own HTTP/2 server (anything it declines is a 404), against the Connect
// path of a server with the fast path off, both over the same store.
let h: Harness;
let connectServer: RunningAxonServer;
let fastServer: http2.Http2Server;
let fastUrl: string;
let axonId: string;

beforeAll(async () => {
  h = await startHarness();
  connectServer = await startAxonServer({
    store: h.store,
    host: "127.0.0.1",
    port: 0,
    publishFastPath: false,
  });
  const fast = grpcPublishFastPath({
    store: h.store,
    maxPayloadBytes: 4 * 1024 * 1024,
    readMaxBytes: 9 * 1024 * 1024,
    logger: pino({ level: "silent" }),
    admit: () => {},
  });
  fastServer = http2.createServer((request, response) => {
    // As startAxonServer does for every gRPC request.
    if (isGrpcRequest(request)) specEncodeGrpcMessages(response);
    if (!fast(request, response)) {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => fastServer.listen(0, "127.0.0.1", resolve));
  fastUrl = `http://127.0.0.1:${(fastServer.address() as AddressInfo).port}`;
  axonId = (await h.client.createAxon({})).axon!.id;
});

afterAll(async () => {
  await new Promise((resolve) => fastServer.close(resolve));
  await connectServer.close();
  await h.close();
});

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
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    const stream = session.request({
      ":method": "POST",
      ":path": "/openaxon.v1.AxonService/Publish",
      "content-type": contentType,
      te: "trailers",
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

async function both(body: Buffer, contentType?: string) {
  const viaConnect = await rawCall(connectServer.url, body, contentType);
  const viaFast = await rawCall(fastUrl, body, contentType);
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
])("%s: the same response, byte for byte, and nothing written", async (_, body) => {
  const before = (await h.client.getAxon({ id: axonId })).axon!.headSequence;
  const { viaConnect, viaFast } = await both(body());
  expect(viaConnect.trailers["grpc-status"]).not.toBe("0");
  expect(viaFast).toEqual(viaConnect);
  expect((await h.client.getAxon({ id: axonId })).axon!.headSequence).toBe(before);
});

test("what the fast path does not take (gRPC-Web, JSON, deadlines) is left to Connect", async () => {
  for (const contentType of ["application/grpc-web+proto", "application/grpc+json", "application/proto"]) {
    expect((await rawCall(fastUrl, publishRequest({}), contentType)).status).toBe(404);
  }
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
      publishFastPath: false,
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
