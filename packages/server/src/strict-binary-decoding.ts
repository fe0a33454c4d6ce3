import type { DescMessage } from "@bufbuild/protobuf";
import type { UniversalHandler, UniversalServerRequest } from "@connectrpc/connect/protocol";
import { binaryWireProblem } from "./binary-wire-problem.js";
import { refuseCurrentRequest } from "./strict-decoding.js";

/**
 * Why this exists: connect-es 2.x decodes binary requests with protobuf-es before interceptors run
 * and reports any failure (truncated varint, wrong wire type, invalid UTF-8 in a string field) as
 * INTERNAL "parse binary: …", with no RPC log line; it offers no hook to replace the binary codec.
 *
 * So each router handler is wrapped: for a binary request to a method with a single request
 * message, the wrapper checks every uncompressed message's wire format first (binaryWireProblem:
 * one pass, no allocation, and stricter than protobuf-es about wire types). A message that fails
 * is recorded as the request's problem (see strict-decoding.ts) and replaced by an empty
 * message, so connect runs its interceptors as usual: the logging interceptor logs the RPC and the
 * strict-decoding interceptor fails it with INVALID_ARGUMENT before any handler sees it.
 *
 * Cost: one extra pass over a valid request's bytes. Compressed messages and
 * gRPC-Web-text bodies are passed through unchecked (connect still refuses them, as INTERNAL).
 */
export function strictBinaryHandler(handler: UniversalHandler, readMaxBytes: number): UniversalHandler {
  const kind = handler.method.methodKind;
  if (kind !== "unary" && kind !== "server_streaming") return handler;
  const input = handler.method.input;
  const strict = (request: UniversalServerRequest) => {
    const framing = binaryFraming(request.header.get("content-type"), request.header.get("content-encoding"));
    if (framing === undefined || !isByteStream(request.body)) return handler(request);
    if (framing === "whole") {
      const declared = Number(request.header.get("content-length") ?? 0);
      if (declared > readMaxBytes) return handler(request); // connect refuses it before reading
      // Connect checks the body against Content-Length, and a refused message is replaced by a
      // shorter one. Node's HTTP parsers already hold the body to its declared length.
      request.header.delete("content-length");
    }
    return handler({ ...request, body: checkedBody(request.body, framing, input, readMaxBytes) });
  };
  return Object.assign(strict, handler);
}

type Framing = "envelopes" | "whole";

/** gRPC, gRPC-Web and Connect streaming put messages in envelopes; Connect unary sends one bare. */
function binaryFraming(contentType: string | null, contentEncoding: string | null): Framing | undefined {
  const type = contentType?.split(";", 1)[0]?.trim().toLowerCase();
  if (type === "application/proto") {
    const identity = contentEncoding === null || contentEncoding.toLowerCase() === "identity";
    return identity ? "whole" : undefined;
  }
  if (type === undefined) return undefined;
  return /^application\/(?:grpc|grpc-web|connect)(?:\+proto)?$/.test(type) && type !== "application/connect"
    ? "envelopes"
    : undefined;
}

function isByteStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}

async function* checkedBody(
  body: AsyncIterable<Uint8Array>,
  framing: Framing,
  input: DescMessage,
  readMaxBytes: number,
): AsyncGenerator<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const iterator = body[Symbol.asyncIterator]();
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    chunks.push(next.value);
    size += next.value.byteLength;
    if (size > readMaxBytes + 5) {
      // Too large to be one acceptable message: stream it on unchecked, connect refuses it.
      yield* chunks;
      yield* { [Symbol.asyncIterator]: () => iterator };
      return;
    }
  }
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  yield framing === "whole" ? checkMessage(bytes, input) : checkEnvelopes(bytes, input);
}

const EMPTY = new Uint8Array(0);
const FLAG_COMPRESSED = 0x01;

function checkMessage(bytes: Uint8Array, input: DescMessage): Uint8Array {
  const problem = binaryWireProblem(bytes, input);
  if (problem === undefined || !refuseCurrentRequest(problem)) return bytes;
  return EMPTY;
}

/** Leaves framing errors (a short envelope) and compressed messages to connect. */
function checkEnvelopes(bytes: Uint8Array, input: DescMessage): Uint8Array {
  let offset = 0;
  while (offset + 5 <= bytes.length) {
    const flags = bytes[offset]!;
    const length = new DataView(bytes.buffer, bytes.byteOffset + offset + 1, 4).getUint32(0);
    const end = offset + 5 + length;
    if (end > bytes.length) break;
    if ((flags & FLAG_COMPRESSED) === 0) {
      const problem = binaryWireProblem(bytes.subarray(offset + 5, end), input);
      if (problem !== undefined && refuseCurrentRequest(problem)) {
        // The same envelope, now holding an empty message, then whatever followed it.
        const rest = bytes.subarray(end);
        const replaced = new Uint8Array(offset + 5 + rest.length);
        replaced.set(bytes.subarray(0, offset + 1));
        replaced.set(rest, offset + 5);
        return replaced;
      }
    }
    offset = end;
  }
  return bytes;
}
