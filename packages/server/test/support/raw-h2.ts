import net from "node:net";

/**
 * A deliberately misbehaving HTTP/2 client over a raw socket: node:http2 honours the server's
 * SETTINGS (it queues streams beyond MAX_CONCURRENT_STREAMS) and never resets streams in bulk, so
 * the server's defences can only be tested by writing frames by hand.
 */
export const FRAME = { DATA: 0x0, HEADERS: 0x1, RST_STREAM: 0x3, SETTINGS: 0x4, GOAWAY: 0x7 } as const;
export const H2_ERROR = { NO_ERROR: 0x0, CANCEL: 0x8, REFUSED_STREAM: 0x7, ENHANCE_YOUR_CALM: 0xb } as const;
const SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
const FLAG_END_STREAM = 0x1;
const FLAG_ACK = 0x1;
const FLAG_END_HEADERS = 0x4;

export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

export interface RawH2Connection {
  readonly frames: Frame[];
  /** Resolves when a frame matching `predicate` has arrived (or already had). */
  waitFor(predicate: (frame: Frame) => boolean): Promise<Frame>;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS, once its SETTINGS arrived. */
  maxConcurrentStreams(): Promise<number | undefined>;
  /** Opens stream `id` (odd) with a POST to `path`; `endStream` false keeps it open. */
  headers(id: number, path: string, extra?: Record<string, string>, endStream?: boolean): void;
  data(id: number, payload: Buffer, endStream: boolean): void;
  rst(id: number, code?: number): void;
  /** Resolves when the server closed the socket. */
  readonly closed: Promise<void>;
  destroy(): void;
}

export function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header.writeUInt8(type, 3);
  header.writeUInt8(flags, 4);
  header.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([header, payload]);
}

/** HPACK "literal header field without indexing, new name", no Huffman: valid and stateless. */
function hpack(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const str = (s: string) => {
    const bytes = Buffer.from(s, "latin1");
    if (bytes.length >= 127) throw new Error("header too long for this test encoder");
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  };
  for (const [name, value] of Object.entries(headers)) parts.push(Buffer.from([0]), str(name), str(value));
  return Buffer.concat(parts);
}

export function connectRawH2(
  port: number,
  options: { ackSettings?: boolean } = {},
): Promise<RawH2Connection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const frames: Frame[] = [];
    const waiters: { predicate: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
    let buffered = Buffer.alloc(0);
    let resolveClosed: () => void = () => {};
    const closed = new Promise<void>((r) => {
      resolveClosed = r;
    });
    socket.on("close", () => resolveClosed());
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 9) {
        const length = buffered.readUIntBE(0, 3);
        if (buffered.length < 9 + length) break;
        const f: Frame = {
          type: buffered.readUInt8(3),
          flags: buffered.readUInt8(4),
          streamId: buffered.readUInt32BE(5) & 0x7fffffff,
          payload: buffered.subarray(9, 9 + length),
        };
        buffered = buffered.subarray(9 + length);
        frames.push(f);
        if (f.type === FRAME.SETTINGS && (f.flags & FLAG_ACK) === 0 && options.ackSettings !== false) {
          socket.write(frame(FRAME.SETTINGS, FLAG_ACK, 0, Buffer.alloc(0)));
        }
        for (const w of [...waiters]) {
          if (w.predicate(f)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(f);
          }
        }
      }
    });
    const connection: RawH2Connection = {
      frames,
      closed,
      waitFor(predicate) {
        const seen = frames.find(predicate);
        if (seen) return Promise.resolve(seen);
        return new Promise((r) => waiters.push({ predicate, resolve: r }));
      },
      async maxConcurrentStreams() {
        const settings = await connection.waitFor(
          (f) => f.type === FRAME.SETTINGS && (f.flags & FLAG_ACK) === 0,
        );
        for (let i = 0; i + 6 <= settings.payload.length; i += 6) {
          if (settings.payload.readUInt16BE(i) === SETTINGS_MAX_CONCURRENT_STREAMS) {
            return settings.payload.readUInt32BE(i + 2);
          }
        }
        return undefined;
      },
      headers(id, path, extra = {}, endStream = false) {
        const block = hpack({
          ":method": "POST",
          ":scheme": "http",
          ":authority": `127.0.0.1:${port}`,
          ":path": path,
          ...extra,
        });
        socket.write(frame(FRAME.HEADERS, FLAG_END_HEADERS | (endStream ? FLAG_END_STREAM : 0), id, block));
      },
      data(id, payload, endStream) {
        socket.write(frame(FRAME.DATA, endStream ? FLAG_END_STREAM : 0, id, payload));
      },
      rst(id, code = H2_ERROR.CANCEL) {
        const payload = Buffer.alloc(4);
        payload.writeUInt32BE(code);
        socket.write(frame(FRAME.RST_STREAM, 0, id, payload));
      },
      destroy() {
        socket.destroy();
      },
    };
    socket.once("connect", () => {
      socket.write(Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1"));
      socket.write(frame(FRAME.SETTINGS, 0, 0, Buffer.alloc(0)));
      resolve(connection);
    });
    socket.once("error", reject);
  });
}
