import http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { AppendRequestSchema, AppendResponseSchema, Origin } from "@openaxon/protocol";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { grpcMessageValue } from "../src/grpc-message-encoding.js";
import { type RunningAxonServer, startAxonServer } from "../src/index.js";
import { type Harness, startHarness } from "./support/harness.js";

// Issue 10: Append sessions on raw HTTP/2 streams (append-fast-path.ts). Raw requests, cut into
// chunks anywhere and broken in the ways a client can break them, sent to the raw path of one server
// (the default) and to the Connect path of another (appendFastPath: false) over the same store: the
// answers — acks, per-batch errors, how the session ends — must be the same.
let h: Harness;
let connectServer: RunningAxonServer;

beforeAll(async () => {
  h = await startHarness();
  connectServer = await startAxonServer({
    store: h.store,
    host: "127.0.0.1",
    port: 0,
    appendFastPath: false,
  });
});

afterAll(async () => {
  await connectServer.close();
  await h.close();
});

type Protocol = "grpc" | "connect";
const CONTENT_TYPE: Record<Protocol, string> = {
  grpc: "application/grpc",
  connect: "application/connect+proto",
};

/** What a session came to, comparable across servers (timestamps left out). */
interface SessionReply {
  readonly responses: unknown[];
  /** gRPC: grpc-status and grpc-message; Connect: the end-stream message's JSON. */
  readonly end: unknown;
}

const envelope = (message: Uint8Array, flags = 0) => {
  const prefix = Buffer.alloc(5);
  prefix[0] = flags;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
};

const batch = (axonId: string, batchId: number, payloads: unknown[], fields: Record<string, unknown> = {}) =>
  envelope(
    toBinary(
      AppendRequestSchema,
      create(AppendRequestSchema, {
        batchId: BigInt(batchId),
        axonId,
        events: payloads.map((p) => ({
          origin: Origin.USER_EVENT,
          source: "test",
          eventType: "user.message",
          payload: JSON.stringify(p),
        })),
        ...fields,
      }),
    ),
  );

/** The reply with `axonId` written as AXON, so sessions on different axons compare. */
const anonymized = (reply: SessionReply, axonId: string): SessionReply =>
  JSON.parse(
    JSON.stringify(reply, (_, v) => (typeof v === "bigint" ? `${v}n` : v)).replaceAll(axonId, "AXON"),
  );

/** Sends `chunks` one write each (in order, with a turn of the event loop between), then ends. */
function rawSession(
  url: string,
  protocol: Protocol,
  chunks: readonly Buffer[],
  headers: Record<string, string> = {},
): Promise<SessionReply> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    const stream = session.request({
      ":method": "POST",
      ":path": "/openaxon.v1.AxonService/Append",
      "content-type": CONTENT_TYPE[protocol],
      te: "trailers",
      ...headers,
    });
    let trailers: Record<string, unknown> = {};
    const data: Buffer[] = [];
    stream.on("trailers", (t) => {
      trailers = t;
    });
    stream.on("data", (c: Buffer) => data.push(c));
    stream.on("end", () => {
      session.close();
      resolve(parseReply(protocol, Buffer.concat(data), trailers));
    });
    stream.on("error", reject);
    void (async () => {
      for (const chunk of chunks) {
        if (stream.destroyed) return;
        stream.write(chunk);
        await new Promise((r) => setImmediate(r));
      }
      if (!stream.destroyed) stream.end();
    })();
  });
}

function parseReply(protocol: Protocol, body: Buffer, trailers: Record<string, unknown>): SessionReply {
  const responses: unknown[] = [];
  let end: unknown;
  for (let o = 0; o < body.length; ) {
    const flags = body[o]!;
    const length = body.readUInt32BE(o + 1);
    const message = body.subarray(o + 5, o + 5 + length);
    o += 5 + length;
    if ((flags & 0x02) !== 0) {
      end = JSON.parse(message.toString());
      continue;
    }
    const response = fromBinary(AppendResponseSchema, message);
    if (response.result.case === "ack") response.result.value.timestampMs = 0n;
    responses.push(response);
  }
  if (protocol === "grpc") end = { status: trailers["grpc-status"], message: trailers["grpc-message"] };
  return { responses, end };
}

/** One byte per chunk, a few bytes per chunk, one chunk: the same session cut three ways. */
const cuts = (bytes: Buffer): Buffer[][] => [
  [bytes],
  Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7)),
  Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1)),
];

/** The same session against the raw path and the Connect path, each on a fresh axon. */
async function both(
  protocol: Protocol,
  body: (axonId: string) => Buffer,
  headers: Record<string, string> = {},
): Promise<SessionReply[]> {
  const replies: SessionReply[] = [];
  for (const url of [h.server.url, connectServer.url]) {
    const axonId = (await h.client.createAxon({})).axon!.id;
    replies.push(anonymized(await rawSession(url, protocol, [body(axonId)], headers), axonId));
  }
  return replies;
}

/** The header that says a session's messages may be gzip-compressed. */
const GZIP_SESSION: Record<Protocol, Record<string, string>> = {
  grpc: { "grpc-encoding": "gzip" },
  connect: { "connect-content-encoding": "gzip" },
};

/** `enveloped` (one message in an envelope) with its message gzip-compressed and flagged so. */
const gzipped = (enveloped: Buffer) => envelope(gzipSync(enveloped.subarray(5)), 0x01);

/** The strict decoder's message for an AppendRequest cut short (axon_id claims 5 bytes, has 1). */
const TRUNCATED_REQUEST =
  "openaxon.v1.AppendRequest: malformed protobuf (premature EOF); is the message truncated or not openaxon.v1.AppendRequest?";

const GRPC_CODES = { invalid_argument: "3", resource_exhausted: "8" } as const;
/** How a session that failed with `code` ends, per protocol (grpc-message percent-encoded per the spec). */
const ending = (protocol: Protocol, code: keyof typeof GRPC_CODES, message: string) =>
  protocol === "grpc"
    ? { status: GRPC_CODES[code], message: grpcMessageValue(message) }
    : { error: { code, message } };

describe.each<Protocol>(["grpc", "connect"])("raw Append over %s", (protocol) => {
  test("acks come in order whatever the chunking, as over Connect", async () => {
    for (const chunksOf of [0, 1, 2]) {
      const replies: SessionReply[] = [];
      for (const url of [h.server.url, connectServer.url]) {
        const axonId = (await h.client.createAxon({})).axon!.id;
        const body = Buffer.concat([
          batch(axonId, 1, [1, 2, 3]),
          batch(axonId, 2, ["é😀"]),
          batch(axonId, 3, [4], { expectedHead: 9n }),
          batch(axonId, 4, [5, 6], { idempotencyKey: "k" }),
          batch(axonId, 5, [7, 8], { idempotencyKey: "k" }),
        ]);
        replies.push(anonymized(await rawSession(url, protocol, cuts(body)[chunksOf]!), axonId));
      }
      const [raw, viaConnect] = replies;
      expect(raw).toEqual(viaConnect);
      expect(raw!.responses).toHaveLength(5);
      expect(raw!.responses[2]).toMatchObject({ result: { case: "error", value: { code: 9 } } });
      expect(raw!.responses[4]).toMatchObject({
        result: { case: "ack", value: { firstSequence: "5n", lastSequence: "6n", duplicate: true } },
      });
    }
  });

  test("a request that cannot be decoded ends the session with INVALID_ARGUMENT after the earlier acks", async () => {
    const [raw, viaConnect] = await both(protocol, (axonId) =>
      Buffer.concat([
        batch(axonId, 1, [1]),
        envelope(Uint8Array.from([0x12, 0x05, 0x61])), // axon_id claims 5 bytes, has 1
        batch(axonId, 3, [3]),
      ]),
    );
    expect(raw).toEqual(viaConnect);
    expect(raw!.responses).toMatchObject([{ batchId: "1n", result: { case: "ack" } }]);
    expect(raw!.end).toEqual(ending(protocol, "invalid_argument", TRUNCATED_REQUEST));
  });

  test("a request stream that ends inside an envelope is INVALID_ARGUMENT after the earlier acks", async () => {
    const [raw, viaConnect] = await both(protocol, (axonId) =>
      Buffer.concat([batch(axonId, 1, [1]), batch(axonId, 2, [2]).subarray(0, 9)]),
    );
    expect(raw).toEqual(viaConnect);
    expect(raw!.responses).toHaveLength(1);
  });

  test("a compressed envelope (none was negotiated) ends the session as over Connect", async () => {
    const [raw, viaConnect] = await both(protocol, (axonId) =>
      Buffer.concat([batch(axonId, 1, [1]), envelope(Uint8Array.from([0x08, 0x02]), 0x01)]),
    );
    expect(raw).toEqual(viaConnect);
    expect(raw!.responses).toHaveLength(1);
  });

  test("a message over the read limit is RESOURCE_EXHAUSTED, after the earlier acks, before its bytes are taken in", async () => {
    const [raw, viaConnect] = await both(protocol, (axonId) => {
      const header = Buffer.alloc(5);
      header.writeUInt32BE(0x7fff_ffff, 1); // 2 GiB promised, 10 bytes sent
      return Buffer.concat([batch(axonId, 1, [1]), header, Buffer.alloc(10)]);
    });
    expect(raw).toEqual(viaConnect);
    expect(raw!.responses).toMatchObject([{ batchId: "1n", result: { case: "ack" } }]);
    expect(raw!.end).toEqual(
      ending(
        protocol,
        "resource_exhausted",
        "the request message is larger than this RPC's limit of 67108864 bytes (64 MiB). Store large data elsewhere and send a reference",
      ),
    );
  });

  // Compressed sessions are served by the Connect path on both servers; their messages are checked
  // once decompressed, as plain ones are.
  test("compressed messages are acknowledged, and a malformed one is INVALID_ARGUMENT after the earlier acks", async () => {
    const [raw, viaConnect] = await both(
      protocol,
      (axonId) =>
        Buffer.concat([
          gzipped(batch(axonId, 1, [1])),
          batch(axonId, 2, [2]),
          gzipped(envelope(Uint8Array.from([0x12, 0x05, 0x61]))), // axon_id claims 5 bytes, has 1
          gzipped(batch(axonId, 4, [4])),
        ]),
      GZIP_SESSION[protocol],
    );
    expect(raw).toEqual(viaConnect);
    expect(raw!.responses).toMatchObject([
      { batchId: "1n", result: { case: "ack", value: { firstSequence: "1n" } } },
      { batchId: "2n", result: { case: "ack", value: { firstSequence: "2n" } } },
    ]);
    expect(raw!.end).toEqual(ending(protocol, "invalid_argument", TRUNCATED_REQUEST));
  });

  test("a message flagged compressed that is not gzip data is INVALID_ARGUMENT after the earlier acks", async () => {
    const [raw, viaConnect] = await both(
      protocol,
      (axonId) => Buffer.concat([batch(axonId, 1, [1]), envelope(Buffer.from("not gzip"), 0x01)]),
      GZIP_SESSION[protocol],
    );
    expect(raw).toEqual(viaConnect);
    expect(raw!.responses).toMatchObject([{ batchId: "1n", result: { case: "ack" } }]);
    expect(raw!.end).toMatchObject(
      protocol === "grpc"
        ? { status: "3", message: expect.stringContaining("not valid gzip data") }
        : { error: { code: "invalid_argument", message: expect.stringContaining("not valid gzip data") } },
    );
  });
});

test("a client that resets mid-session: what was taken in is durable, and the server serves on", async () => {
  const axonId = (await h.client.createAxon({})).axon!.id;
  const session = http2.connect(h.server.url);
  const stream = session.request({
    ":method": "POST",
    ":path": "/openaxon.v1.AxonService/Append",
    "content-type": "application/grpc",
    te: "trailers",
  });
  stream.on("error", () => {});
  let acks = 0;
  stream.on("data", () => acks++);
  stream.write(Buffer.concat([batch(axonId, 1, [1]), batch(axonId, 2, [2])]));
  await vi.waitFor(() => expect(acks).toBeGreaterThan(0), { timeout: 10_000 });
  stream.close(http2.constants.NGHTTP2_CANCEL);
  session.close();
  await vi.waitFor(async () => expect((await h.client.getAxon({ id: axonId })).axon?.headSequence).toBe(2n), {
    timeout: 10_000,
  });
  const reply = await rawSession(h.server.url, "grpc", [batch(axonId, 3, [3])]);
  expect(reply.responses).toMatchObject([{ result: { case: "ack", value: { firstSequence: 3n } } }]);
  expect(reply.end).toEqual({ status: "0", message: undefined });
});
