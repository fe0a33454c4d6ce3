import http2 from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AxonService } from "@openaxon/protocol";
import { skip, varint, varintBytes } from "./sequence-decoder.js";

// `null-axond`: a stand-in for axond that keeps nothing but a counter per axon. It answers
// CreateAxon, Publish, PublishBatch and Append on the same wire as axond (h2c; Connect and gRPC via
// connect-node; gRPC Publish and PublishBatch, and binary Append sessions, on raw HTTP/2 streams
// like axond's fast paths, so its cost is never above axond's own), with no validation,
// no store and no fsync. Driven by the same generator, it shows what the client and the protocol
// cost on their own: the most a perfect server could give that client on this machine.
// Run by the peers bench as a child process; prints `null-axond listening on URL`.

const heads = new Map<string, number>();
let axons = 0;
/** Reserves `n` sequences on `axonId` and returns the first (1-based, like axond). */
const reserve = (axonId: string, n: number): number => {
  const first = (heads.get(axonId) ?? 0) + 1;
  heads.set(axonId, first + n - 1);
  return first;
};
const now = () => BigInt(Date.now());

const connect = connectNodeAdapter({
  routes: (router) =>
    router.service(AxonService, {
      createAxon(request) {
        const id = `axn_null${++axons}`;
        heads.set(id, 0);
        return { axon: { id, name: request.name } };
      },
      publish(request) {
        return { sequence: BigInt(reserve(request.axonId, 1)), timestampMs: now() };
      },
      publishBatch(request) {
        const first = reserve(request.axonId, request.events.length);
        const last = first + request.events.length - 1;
        return { firstSequence: BigInt(first), lastSequence: BigInt(last), timestampMs: now() };
      },
      async *append(requests) {
        for await (const request of requests) {
          const first = reserve(request.axonId, request.events.length);
          const last = first + request.events.length - 1;
          const ack = { firstSequence: BigInt(first), lastSequence: BigInt(last), timestampMs: now() };
          yield { batchId: request.batchId, result: { case: "ack", value: ack } };
        }
      },
    }),
});

const server = http2.createServer(
  { settings: { initialWindowSize: 1 << 20, maxConcurrentStreams: 10_000 } },
  connect,
);

// gRPC Publish and PublishBatch as axond serves them: straight off the HTTP/2 stream, no
// compatibility layer, no protobuf-es.
const FAST = new Map([
  ["/openaxon.v1.AxonService/Publish", publishReply],
  ["/openaxon.v1.AxonService/PublishBatch", publishBatchReply],
]);
const compat = server.listeners("stream")[0] as (...args: unknown[]) => void;
server.removeListener("stream", compat);
server.on(
  "stream",
  (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ...rest: unknown[]) => {
    if (headers[":path"] === APPEND_PATH && APPEND_TYPES.has(headers["content-type"] ?? "")) {
      serveAppend(stream, headers["content-type"] === "application/connect+proto");
      return;
    }
    const reply = FAST.get(headers[":path"] ?? "");
    if (!reply || headers["content-type"] !== "application/grpc") {
      compat.call(server, stream, headers, ...rest);
      return;
    }
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("end", () => {
      const body = Buffer.concat(chunks);
      const message = envelope(reply(body.subarray(5, 5 + body.readUInt32BE(1))));
      stream.respond({ ":status": 200, "content-type": "application/grpc+proto" }, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(message);
    });
    stream.on("error", () => {});
  },
);
server.on("connection", (socket: Socket) => socket.setNoDelay(true));
server.on("session", (session) => session.setLocalWindowSize(4 << 20));

const APPEND_PATH = "/openaxon.v1.AxonService/Append";
const APPEND_TYPES = new Set(["application/grpc", "application/grpc+proto", "application/connect+proto"]);

/** An Append session: one AppendResponse ack per AppendRequest envelope, as they arrive. */
function serveAppend(stream: http2.ServerHttp2Stream, connectProtocol: boolean): void {
  stream.respond(
    {
      ":status": 200,
      "content-type": connectProtocol ? "application/connect+proto" : "application/grpc+proto",
    },
    connectProtocol ? {} : { waitForTrailers: true },
  );
  let pending: Buffer = Buffer.alloc(0);
  stream.on("data", (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let o = 0;
    while (pending.length - o >= 5 && pending.length - o >= 5 + pending.readUInt32BE(o + 1)) {
      const length = pending.readUInt32BE(o + 1);
      stream.write(envelope(appendReply(pending.subarray(o + 5, o + 5 + length))));
      o += 5 + length;
    }
    pending = pending.subarray(o);
  });
  stream.once("end", () => {
    if (connectProtocol) {
      const end = Buffer.from([2, 0, 0, 0, 2, 0x7b, 0x7d]); // end-stream flag, "{}"
      stream.end(end);
    } else {
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end();
    }
  });
  stream.on("error", () => {});
}

/** AppendResponse { batch_id = 1, ack = 2 { first = 1, last = 2 } } for { batch_id = 1, axon_id = 2, events = 3 }. */
function appendReply(request: Buffer): Buffer {
  let batchId = 0;
  let axonId = "";
  let counted = 0;
  const at = { pos: 0 };
  while (at.pos < request.length) {
    const tag = varint(request, at);
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 0) batchId = varint(request, at);
    else if (field === 2 && (tag & 7) === 2) {
      const length = varint(request, at);
      axonId = request.toString("utf8", at.pos, at.pos + length);
      at.pos += length;
    } else {
      if (field === 3) counted++;
      skip(request, at, tag & 7);
    }
  }
  const first = reserve(axonId, counted);
  const ack = varintFields([first, first + counted - 1]);
  return Buffer.concat([
    batchId === 0 ? Buffer.alloc(0) : Buffer.from([0x08, ...varintBytes(batchId)]),
    Buffer.from([0x12, ...varintBytes(ack.length)]),
    ack,
  ]);
}

/** PublishResponse { sequence = 1 } for PublishRequest { axon_id = 1, … }. */
function publishReply(request: Buffer): Buffer {
  return varintFields([reserve(scan(request).axonId, 1)]);
}

/** PublishBatchResponse { first_sequence = 1, last_sequence = 2 } for { axon_id = 1, events = 2 }. */
function publishBatchReply(request: Buffer): Buffer {
  const { axonId, counted } = scan(request, 2);
  const first = reserve(axonId, counted);
  return varintFields([first, first + counted - 1]);
}

/** The axon id (field 1) and how many `countedField` entries a request holds; skips the rest. */
function scan(message: Buffer, countedField?: number): { axonId: string; counted: number } {
  let axonId = "";
  let counted = 0;
  const at = { pos: 0 };
  while (at.pos < message.length) {
    const tag = varint(message, at);
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) {
      const length = varint(message, at);
      axonId = message.toString("utf8", at.pos, at.pos + length);
      at.pos += length;
      continue;
    }
    if (field === countedField) counted++;
    skip(message, at, tag & 7);
  }
  return { axonId, counted };
}

/** A message of unsigned varint fields numbered 1, 2, …; zeros omitted as proto3 does. */
function varintFields(values: readonly number[]): Buffer {
  return Buffer.from(
    values.flatMap((value, i) => (value === 0 ? [] : [(i + 1) << 3, ...varintBytes(value)])),
  );
}

/** A gRPC length-prefixed envelope around one uncompressed message. */
function envelope(message: Buffer): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(`null-axond listening on http://127.0.0.1:${port}`);
});
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    server.close();
    process.exit(0);
  });
}
