import http2 from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AxonService } from "@openaxon/protocol";

// `null-axond`: a stand-in for axond that keeps nothing but a counter per axon. It answers
// CreateAxon, Publish, PublishBatch and Append on the same wire as axond (h2c; Connect and gRPC via
// connect-node; gRPC Publish on a raw HTTP/2 stream like axond's fast path), with no validation,
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

// gRPC Publish as axond serves it: straight off the HTTP/2 stream, no compatibility layer.
const compat = server.listeners("stream")[0] as (...args: unknown[]) => void;
server.removeListener("stream", compat);
server.on(
  "stream",
  (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ...rest: unknown[]) => {
    if (
      headers[":path"] !== "/openaxon.v1.AxonService/Publish" ||
      headers["content-type"] !== "application/grpc"
    ) {
      compat.call(server, stream, headers, ...rest);
      return;
    }
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("end", () => {
      const body = Buffer.concat(chunks);
      // PublishRequest field 1 is the axon id; the bench's ids are short, so one length byte.
      const axonId = body[5] === 0x0a ? body.toString("utf8", 7, 7 + body[6]!) : "";
      const reply = publishResponseEnvelope(reserve(axonId, 1));
      stream.respond({ ":status": 200, "content-type": "application/grpc+proto" }, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(reply);
    });
    stream.on("error", () => {});
  },
);
server.on("connection", (socket: Socket) => socket.setNoDelay(true));
server.on("session", (session) => session.setLocalWindowSize(4 << 20));

/** A gRPC envelope holding PublishResponse { sequence } (field 1, varint). */
function publishResponseEnvelope(sequence: number): Buffer {
  const varint: number[] = [];
  for (let v = sequence; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      varint.push(v);
      break;
    }
    varint.push((v % 128) | 0x80);
  }
  const message = Buffer.from([0x08, ...varint]);
  const envelope = Buffer.alloc(5 + message.length);
  envelope.writeUInt32BE(message.length, 1);
  message.copy(envelope, 5);
  return envelope;
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
