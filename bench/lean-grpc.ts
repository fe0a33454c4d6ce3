import http2 from "node:http2";

// A minimal gRPC client over node:http2 with no framework: requests and responses are raw protobuf
// bytes in gRPC's length-prefixed framing. The "lean client" rows use it to show what the server
// sustains when the client costs little CPU (as a Go or Rust client in another process would),
// next to the connect-es client rows that show what a Node.js client gets.

export interface LeanGrpc {
  /** One unary call; resolves with the response message bytes, rejects on a non-OK grpc-status. */
  unary(path: string, request: Uint8Array): Promise<Buffer>;
  /** A server-streaming call; `onMessage` returning false cancels the stream (resolves then). */
  serverStream(path: string, request: Uint8Array, onMessage: (message: Buffer) => boolean): Promise<void>;
  close(): void;
}

const STREAM_WINDOW_BYTES = 1024 * 1024;
const CONNECTION_WINDOW_BYTES = 32 * 1024 * 1024;

export function connectLeanGrpc(baseUrl: string): LeanGrpc {
  // HTTP/2's default flow-control windows are 64 KiB per stream and 64 KiB for the whole
  // connection: hundreds of streams on one connection would share 64 KiB in flight, and a receiver
  // would spend its time sending WINDOW_UPDATEs. Open both to what a streaming client uses
  // (grpc-go grows its windows to several MiB by BDP estimation).
  const session = http2.connect(baseUrl, { settings: { initialWindowSize: STREAM_WINDOW_BYTES } });
  session.on("error", () => {});
  session.once("connect", () => session.setLocalWindowSize(CONNECTION_WINDOW_BYTES));

  const open = (path: string, request: Uint8Array) => {
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
    });
    stream.end(grpcEnvelope(request));
    return stream;
  };

  const statusError = (headers: http2.IncomingHttpHeaders) => {
    const status = headers["grpc-status"];
    return status === undefined || status === "0"
      ? undefined
      : new Error(`grpc-status ${status}: ${decodeURIComponent(String(headers["grpc-message"] ?? ""))}`);
  };

  return {
    unary(path, request) {
      return new Promise((resolve, reject) => {
        const stream = open(path, request);
        const chunks: Buffer[] = [];
        let error: Error | undefined;
        stream.on("response", (headers) => {
          error ??= statusError(headers); // trailers-only responses carry the status here
        });
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("trailers", (trailers) => {
          error ??= statusError(trailers);
        });
        stream.on("error", reject);
        stream.on("end", () => {
          if (error) return reject(error);
          const body = Buffer.concat(chunks);
          if (body.length < 5) return reject(new Error("gRPC response without a message"));
          resolve(body.subarray(5, 5 + body.readUInt32BE(1)));
        });
      });
    },

    serverStream(path, request, onMessage) {
      return new Promise((resolve, reject) => {
        const stream = open(path, request);
        const frames = new FrameReader();
        let stopped = false;
        let error: Error | undefined;
        stream.on("response", (headers) => {
          error ??= statusError(headers);
        });
        const stop = (failure?: unknown) => {
          stopped = true;
          stream.close(http2.constants.NGHTTP2_CANCEL);
          if (failure === undefined) resolve();
          else reject(failure);
        };
        stream.on("data", (chunk: Buffer) => {
          if (stopped) return;
          try {
            for (const message of frames.push(chunk)) {
              if (!onMessage(message)) return stop();
            }
          } catch (failure) {
            stop(failure);
          }
        });
        stream.on("trailers", (trailers) => {
          error ??= statusError(trailers);
        });
        stream.on("error", (e) => {
          if (!stopped) reject(e);
        });
        stream.on("close", () => {
          if (!stopped) error ? reject(error) : resolve();
        });
      });
    },

    close() {
      session.close();
    },
  };
}

/** One uncompressed gRPC length-prefixed message. */
export function grpcEnvelope(message: Uint8Array): Buffer {
  const envelope = Buffer.allocUnsafe(5 + message.length);
  envelope[0] = 0;
  envelope.writeUInt32BE(message.length, 1);
  envelope.set(message, 5);
  return envelope;
}

/** Splits a byte stream into gRPC messages, joining chunks only once a whole message is there. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  *push(chunk: Buffer): Generator<Buffer> {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < 5) return;
      let head = this.chunks[0]!;
      if (head.length < 5) head = this.join();
      const total = 5 + head.readUInt32BE(1);
      if (this.buffered < total) return;
      const all = this.chunks.length === 1 ? this.chunks[0]! : this.join();
      yield all.subarray(5, total);
      const rest = all.subarray(total);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
  }

  private join(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }
}
