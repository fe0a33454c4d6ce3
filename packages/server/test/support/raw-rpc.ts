import http2 from "node:http2";
import { Writable } from "node:stream";
import { pino } from "pino";

// Hand-built requests: no client library re-encodes (or refuses to send) the bytes a test needs.

export const SERVICE = "/openaxon.v1.AxonService";

export function envelope(message: Uint8Array, flags = 0): Buffer {
  const framed = Buffer.alloc(5 + message.length);
  framed[0] = flags;
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, 5);
  return framed;
}

export interface GrpcReply {
  status: string | undefined;
  message: string;
}

/** One gRPC call over node:http2; `body` is sent as is (envelopes included). */
export async function rawGrpc(
  url: string,
  method: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<GrpcReply> {
  const session = http2.connect(url);
  try {
    const stream = session.request({
      ":method": "POST",
      ":path": `${SERVICE}/${method}`,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    let status: string | undefined;
    let text = "";
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] !== undefined) status = String(h["grpc-status"]);
      if (h["grpc-message"] !== undefined) text = decodeURIComponent(String(h["grpc-message"]));
    };
    stream.on("response", take);
    stream.on("trailers", take);
    stream.resume();
    stream.end(body);
    await new Promise<void>((resolve, reject) => {
      stream.on("close", resolve);
      stream.on("error", reject);
    });
    return { status, message: text };
  } finally {
    session.close();
  }
}

/** Connect unary with the binary codec over HTTP/1.1; `body` is sent as is. */
export async function connectProto(
  url: string,
  method: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${url}${SERVICE}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/proto", "connect-protocol-version": "1", ...headers },
    body,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const json =
    response.status === 200 ? {} : (JSON.parse(bytes.toString()) as { code?: string; message?: string });
  return { status: response.status, headers: response.headers, body: bytes, ...json };
}

/** gRPC-Web over HTTP/1.1: the status travels in a trailer frame at the end of the body. */
export async function grpcWeb(
  url: string,
  method: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<GrpcReply & { httpStatus: number }> {
  const response = await fetch(`${url}${SERVICE}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", ...headers },
    body,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  let offset = 0;
  let trailer = "";
  while (offset + 5 <= bytes.length) {
    const length = bytes.readUInt32BE(offset + 1);
    if (bytes[offset]! & 0x80) trailer = bytes.subarray(offset + 5, offset + 5 + length).toString();
    offset += 5 + length;
  }
  const field = (name: string) => trailer.match(new RegExp(`^${name}: ?(.*)$`, "im"))?.[1]?.trim();
  return {
    httpStatus: response.status,
    status: field("grpc-status"),
    message: decodeURIComponent(field("grpc-message") ?? ""),
  };
}

/** A pino logger whose JSON lines a test can read back. */
export function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: "info" }, sink), lines };
}
