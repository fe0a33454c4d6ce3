import net from "node:net";
import { FrameReader, grpcEnvelope } from "../lean-grpc.js";

// The fan-out bench's cheapest subscriber: gRPC server streams over HTTP/2 read frame by frame from
// a plain socket, with none of node:http2's per-frame machinery (nghttp2 callbacks into JS, a
// Readable per stream, events per DATA frame). On the 2-core bench machine 1,000 node:http2
// subscribers take most of a core, which then competes with axond; this client stands for
// subscribers on other machines, so the fan-out figures show the server. It speaks only what a
// Subscribe call needs: requests go out as HEADERS (HPACK literals, no dynamic table) and one DATA
// frame; of what comes back it reads DATA, answers SETTINGS and PING, and skips header blocks
// unread (so a non-OK grpc-status shows only as a stream that ended early).

export interface FrameClient {
  /** A server-streaming call; `onMessage` returning false cancels the stream (resolves then). */
  serverStream(path: string, request: Uint8Array, onMessage: (message: Buffer) => boolean): Promise<void>;
  close(): void;
}

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
const DATA = 0x0;
const HEADERS = 0x1;
const RST_STREAM = 0x3;
const SETTINGS = 0x4;
const PING = 0x6;
const GOAWAY = 0x7;
const WINDOW_UPDATE = 0x8;
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const MAX_WINDOW = 0x7fffffff;
/** Received bytes after which the window is topped up again (per stream and per connection). */
const REFILL_BYTES = 256 * 1024 * 1024;
const SETTINGS_ENABLE_PUSH = 0x2;
const SETTINGS_INITIAL_WINDOW_SIZE = 0x4;

interface OpenStream {
  readonly frames: FrameReader;
  readonly onMessage: (message: Buffer) => boolean;
  readonly done: (error?: Error) => void;
  received: number;
}

export function connectFrameClient(baseUrl: string): FrameClient {
  const url = new URL(baseUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  const streams = new Map<number, OpenStream>();
  let nextId = 1;
  let received = 0;
  let failure: Error | undefined;

  const settings = Buffer.alloc(12);
  settings.writeUInt16BE(SETTINGS_ENABLE_PUSH, 0);
  settings.writeUInt32BE(0, 2);
  settings.writeUInt16BE(SETTINGS_INITIAL_WINDOW_SIZE, 6);
  settings.writeUInt32BE(MAX_WINDOW, 8);
  socket.write(
    Buffer.concat([PREFACE, frame(SETTINGS, 0, 0, settings), windowUpdate(0, MAX_WINDOW - 65_535)]),
  );

  const failAll = (error: Error) => {
    failure ??= error;
    for (const stream of streams.values()) stream.done(failure);
    streams.clear();
  };
  socket.on("error", failAll);
  socket.on("close", () => failAll(new Error("connection closed")));

  let pending: Buffer | undefined;
  socket.on("data", (chunk: Buffer) => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    while (buf.length - at >= 9) {
      const length = buf.readUIntBE(at, 3);
      if (buf.length - at < 9 + length) break;
      const type = buf[at + 3]!;
      const flags = buf[at + 4]!;
      const id = buf.readUInt32BE(at + 5) & MAX_WINDOW;
      onFrame(type, flags, id, buf.subarray(at + 9, at + 9 + length));
      at += 9 + length;
    }
    if (at < buf.length) {
      buf = buf.subarray(at);
      pending = buf;
    } else pending = undefined;
  });

  function onFrame(type: number, flags: number, id: number, payload: Buffer): void {
    switch (type) {
      case DATA: {
        received += payload.length;
        if (received >= REFILL_BYTES) {
          socket.write(windowUpdate(0, received));
          received = 0;
        }
        const stream = streams.get(id);
        if (!stream) return;
        stream.received += payload.length;
        if (stream.received >= REFILL_BYTES) {
          socket.write(windowUpdate(id, stream.received));
          stream.received = 0;
        }
        const data = flags & PADDED ? payload.subarray(1, payload.length - payload[0]!) : payload;
        try {
          for (const message of stream.frames.push(data)) {
            if (!stream.onMessage(message)) {
              cancel(id);
              stream.done();
              return;
            }
          }
        } catch (error) {
          cancel(id);
          stream.done(error as Error);
          return;
        }
        if (flags & END_STREAM) ended(id);
        return;
      }
      case HEADERS:
        // Response headers and trailers; their HPACK block is not decoded (see above).
        if (flags & END_STREAM) ended(id);
        return;
      case RST_STREAM: {
        const stream = streams.get(id);
        streams.delete(id);
        stream?.done(new Error(`stream reset by the server (code ${payload.readUInt32BE(0)})`));
        return;
      }
      case SETTINGS:
        if (!(flags & ACK)) socket.write(frame(SETTINGS, ACK, 0, Buffer.alloc(0)));
        return;
      case PING:
        if (!(flags & ACK)) socket.write(frame(PING, ACK, 0, payload));
        return;
      case GOAWAY:
        failAll(new Error(`GOAWAY from the server (code ${payload.readUInt32BE(4)})`));
        return;
      default: // WINDOW_UPDATE, PRIORITY, CONTINUATION of skipped blocks: nothing to do here
        return;
    }
  }

  const ended = (id: number) => {
    const stream = streams.get(id);
    streams.delete(id);
    stream?.done(new Error("the server ended the stream (its grpc-status is not decoded here)"));
  };
  const cancel = (id: number) => {
    streams.delete(id);
    const code = Buffer.alloc(4);
    code.writeUInt32BE(0x8); // CANCEL
    socket.write(frame(RST_STREAM, 0, id, code));
  };

  return {
    serverStream(path, request, onMessage) {
      return new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        const id = nextId;
        nextId += 2;
        streams.set(id, {
          frames: new FrameReader(),
          onMessage,
          received: 0,
          done: (error) => (error ? reject(error) : resolve()),
        });
        socket.write(
          Buffer.concat([
            frame(HEADERS, END_HEADERS, id, requestHeaders(path, url.host)),
            frame(DATA, END_STREAM, id, grpcEnvelope(request)),
          ]),
        );
      });
    },
    close() {
      socket.destroy();
    },
  };
}

function frame(type: number, flags: number, id: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(9 + payload.length);
  out.writeUIntBE(payload.length, 0, 3);
  out[3] = type;
  out[4] = flags;
  out.writeUInt32BE(id, 5);
  payload.copy(out, 9);
  return out;
}

function windowUpdate(id: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment);
  return frame(WINDOW_UPDATE, 0, id, payload);
}

/** A gRPC request's header block (requests are made once per stream, at setup: no cache). */
const requestHeaders = (path: string, authority: string) =>
  headerBlock([
    [":method", "POST"],
    [":scheme", "http"],
    [":path", path],
    [":authority", authority],
    ["content-type", "application/grpc"],
    ["te", "trailers"],
  ]);

/** HPACK "literal header field without indexing, new name", no Huffman (RFC 7541 §6.2.2). */
function headerBlock(headers: readonly (readonly [string, string])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of headers) {
    parts.push(Buffer.from([0]), hpackString(name), hpackString(value));
  }
  return Buffer.concat(parts);
}

function hpackString(text: string): Buffer {
  const bytes = Buffer.from(text, "latin1");
  if (bytes.length >= 127) throw new Error(`header text too long for this client: ${text}`);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}
