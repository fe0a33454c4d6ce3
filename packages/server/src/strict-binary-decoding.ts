import type { DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Compression, UniversalHandler, UniversalServerRequest } from "@connectrpc/connect/protocol";
import { binaryWireProblem } from "./binary-wire-problem.js";
import { extraInputError } from "./errors.js";
import { overReadLimitMessage } from "./read-limits.js";
import { decompressRequest, requestCompression } from "./request-compression.js";
import { refuseCurrentRequest } from "./strict-decoding.js";

/**
 * Why this exists: connect-es 2.x decodes binary requests with protobuf-es before interceptors run
 * and reports any failure (truncated varint, wrong wire type, invalid UTF-8 in a string field) as
 * INTERNAL "parse binary: …", with no RPC log line; it offers no hook to replace the binary codec.
 *
 * So each router handler is wrapped: for a binary request to a method with a single request
 * message, the wrapper reads the body (at most the RPC's read limit) and checks every message's
 * wire format first (binaryWireProblem: one pass, no allocation, and stricter than protobuf-es
 * about wire types). A message that fails is recorded as the request's problem (see
 * strict-decoding.ts) and replaced by an empty message, so connect runs its interceptors as usual:
 * the logging interceptor logs the RPC and the strict-decoding interceptor fails it with
 * INVALID_ARGUMENT before any handler sees it.
 *
 * Compressed messages (gzip, br) are decompressed here, bounded by the same read limit, and handed
 * on uncompressed, so a valid request is still decompressed once. One that cannot be decompressed
 * (corrupt, or over the limit) is refused the same way, with INVALID_ARGUMENT or RESOURCE_EXHAUSTED.
 *
 * Cost: one extra pass over a valid request's bytes.
 */
export function strictBinaryHandler(handler: UniversalHandler, readMaxBytes: number): UniversalHandler {
  const kind = handler.method.methodKind;
  const input = handler.method.input;
  if (kind === "bidi_streaming" || kind === "client_streaming") {
    const checked = (request: UniversalServerRequest) => {
      const binary = binaryRequest(request.header);
      if (binary?.framing !== "envelopes" || !isByteStream(request.body)) return handler(request);
      return handler({
        ...request,
        body: checkedStream(request.body, input, readMaxBytes, binary.compression),
      });
    };
    return Object.assign(checked, handler);
  }
  if (kind !== "unary" && kind !== "server_streaming") return handler;
  const strict = async (request: UniversalServerRequest) => {
    const binary = binaryRequest(request.header);
    if (binary === undefined || !isByteStream(request.body)) return handler(request);
    if (binary.framing === "whole") {
      const declared = Number(request.header.get("content-length") ?? 0);
      if (declared > readMaxBytes) return refuseTooLarge(handler, request, binary, readMaxBytes);
    }
    const envelopeBytes = binary.framing === "envelopes" ? 5 : 0;
    const read = await readAtMost(request.body, readMaxBytes + envelopeBytes);
    if (read.whole === undefined) {
      const rest = { ...request, body: read.replay };
      if (read.tooLarge) return refuseTooLarge(handler, rest, binary, readMaxBytes);
      return handler(rest); // the read failed (the client went away): connect sees the same failure
    }
    let checked: Uint8Array;
    if (binary.framing === "whole") {
      // Connect checks the body against Content-Length, and a checked body may differ in length
      // (decompressed, or refused). Node's HTTP parsers already hold the body to its declared length.
      request.header.delete("content-length");
      checked = await checkWhole(read.whole, binary.compression, request.header, input, readMaxBytes);
    } else {
      checked = await checkEnvelopes(read.whole, binary.compression, input, readMaxBytes);
    }
    return handler({ ...request, body: once(checked) });
  };
  return Object.assign(strict, handler);
}

interface BinaryRequest {
  /** gRPC, gRPC-Web and Connect streaming put messages in envelopes; Connect unary sends one bare. */
  readonly framing: "envelopes" | "whole";
  readonly compression: Compression | null;
}

/** Undefined for requests left to connect: JSON, unknown content types, unknown encodings. */
function binaryRequest(header: Headers): BinaryRequest | undefined {
  const type = header.get("content-type")?.split(";", 1)[0]?.trim().toLowerCase();
  let framing: BinaryRequest["framing"];
  let encodingHeader: string;
  if (type === "application/proto") {
    framing = "whole";
    encodingHeader = "content-encoding";
  } else if (type !== undefined && /^application\/(?:grpc|grpc-web)(?:\+proto)?$/.test(type)) {
    framing = "envelopes";
    encodingHeader = "grpc-encoding";
  } else if (type === "application/connect+proto") {
    framing = "envelopes";
    encodingHeader = "connect-content-encoding";
  } else {
    return undefined;
  }
  const compression = requestCompression(header.get(encodingHeader));
  return compression === undefined ? undefined : { framing, compression };
}

function isByteStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}

/**
 * Over the read limit: refused here rather than by connect, which does it before interceptors run
 * (no RPC log line) and in its own terms. The rest of the body is left unread; once the answer is
 * written, unread-request-body.ts drops it. Outside a strict-decoding request `request` goes to
 * connect as it is.
 */
function refuseTooLarge(
  handler: UniversalHandler,
  request: UniversalServerRequest,
  binary: BinaryRequest,
  readMaxBytes: number,
) {
  if (!refuseCurrentRequest(overReadLimitMessage(readMaxBytes), Code.ResourceExhausted)) {
    return handler(request);
  }
  request.header.delete("content-length");
  const empty = binary.framing === "whole" ? EMPTY : envelopeHeader(0, 0);
  return handler({ ...request, body: once(empty) });
}

type BodyRead =
  | { readonly whole: Uint8Array }
  | { readonly whole?: undefined; readonly tooLarge: boolean; readonly replay: AsyncIterable<Uint8Array> };

/**
 * The whole body if it is at most `limit` bytes; otherwise a replay of what was read and the rest
 * (or of the read error), and whether it was too large.
 */
async function readAtMost(body: AsyncIterable<Uint8Array>, limit: number): Promise<BodyRead> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const iterator = body[Symbol.asyncIterator]();
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      chunks.push(next.value);
      size += next.value.byteLength;
      if (size > limit) return { tooLarge: true, replay: replay(chunks, iterator) };
    }
  } catch (error) {
    return { tooLarge: false, replay: replay(chunks, failing(error)) };
  }
  return { whole: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
}

async function* replay(chunks: Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* chunks;
  yield* { [Symbol.asyncIterator]: () => rest };
}

function failing(error: unknown): AsyncIterator<Uint8Array> {
  return { next: () => Promise.reject(error) };
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

const EMPTY = new Uint8Array(0);
const FLAG_COMPRESSED = 0x01;

/** True when `bytes` are not a well-formed `input` and the current request was refused for it. */
function refuseWireProblem(bytes: Uint8Array, input: DescMessage): boolean {
  const problem = binaryWireProblem(bytes, input);
  return problem !== undefined && refuseCurrentRequest(problem);
}

/** The message refused (empty) or accepted, for a Connect unary body. */
function checkMessage(bytes: Uint8Array, input: DescMessage): Uint8Array {
  return refuseWireProblem(bytes, input) ? EMPTY : bytes;
}

async function checkWhole(
  bytes: Uint8Array,
  compression: Compression | null,
  header: Headers,
  input: DescMessage,
  readMaxBytes: number,
): Promise<Uint8Array> {
  if (compression === null) return checkMessage(bytes, input);
  const plain = await decompressRequest(compression, bytes, readMaxBytes);
  if (plain instanceof ConnectError && !refuseCurrentRequest(plain.rawMessage, plain.code)) return bytes;
  // Connect now reads an uncompressed body. Without Accept-Encoding it would answer in the
  // request's encoding: keep that.
  header.set("content-encoding", "identity");
  if (header.get("accept-encoding") === null) header.set("accept-encoding", compression.name);
  return plain instanceof ConnectError ? EMPTY : checkMessage(plain, input);
}

/**
 * The request's one message checked, and decompressed when it was compressed; bytes after it
 * refuse the request (INVALID_ARGUMENT), never decompressed. Framing errors (a short envelope) and
 * a compressed message without a request encoding are handed on unchanged: connect refuses them.
 */
async function checkEnvelopes(
  bytes: Uint8Array,
  compression: Compression | null,
  input: DescMessage,
  readMaxBytes: number,
): Promise<Uint8Array> {
  if (bytes.length < 5) return bytes;
  const flags = bytes[0]!;
  const end = 5 + declaredLength(bytes, 0);
  const compressed = (flags & FLAG_COMPRESSED) !== 0;
  if (end > bytes.length || (compressed && compression === null)) return bytes;
  const message = compressed
    ? await decompressRequest(compression!, bytes.subarray(5, end), readMaxBytes)
    : bytes.subarray(5, end);
  const refused =
    message instanceof ConnectError
      ? refuseCurrentRequest(message.rawMessage, message.code)
      : refuseWireProblem(message, input);
  const rest = bytes.subarray(end);
  // A refused message is replaced by an empty one; whatever follows goes on unchanged.
  if (refused) return Buffer.concat([envelopeHeader(flags & ~FLAG_COMPRESSED, 0), rest]);
  // Bytes after the one message are refused here too: connect-es would parse a second message
  // (INTERNAL "parse binary" when it is malformed) before refusing it as extra input.
  const extra = rest.length > 0 ? extraInputError(rest.length) : undefined;
  if (extra && refuseCurrentRequest(extra.rawMessage, extra.code)) {
    return envelopeHeader(flags & ~FLAG_COMPRESSED, 0);
  }
  // Outside a strict-decoding request connect decompresses and refuses a bad one itself.
  if (message instanceof ConnectError || !compressed) return bytes;
  return Buffer.concat([envelopeHeader(flags & ~FLAG_COMPRESSED, message.length), message, rest]);
}

/**
 * A request stream whose messages are checked as they pass (the body cannot be read whole first).
 * The first that fails ends the stream with the error the handler's request iterator throws, after
 * the messages before it, so a session acknowledges what it read before the bad one (where
 * connect-es would report INTERNAL "parse binary", or refuse a message over the read limit as soon
 * as it reads the header and drop those acknowledgements):
 * - malformed: INVALID_ARGUMENT with the strict decoder's message;
 * - declared larger than `readMaxBytes`: RESOURCE_EXHAUSTED, before its bytes are taken in;
 * - compressed (in the request's encoding): decompressed, bounded by the read limit, checked, and
 *   handed on uncompressed; one that cannot be decompressed gets decompressRequest's error.
 * Each compressed message is decompressed only once the handler has taken everything before it, so
 * a chunk packed with small compressed messages never holds more than one of them expanded.
 * Framing errors and a compressed message without a request encoding are left to connect-es: from
 * there on the bytes pass unchanged, and connect-es refuses them. Exported for its unit tests.
 */
export async function* checkedStream(
  body: AsyncIterable<Uint8Array>,
  input: DescMessage,
  readMaxBytes: number,
  compression: Compression | null,
): AsyncGenerator<Uint8Array> {
  const received = new ChunkQueue();
  let unchecked = false;
  for await (const chunk of body) {
    if (unchecked) {
      yield chunk;
      continue;
    }
    received.push(chunk);
    // A message arriving in many chunks is joined once, when it is whole (or its header refuses it).
    const declared = received.firstDeclaredLength();
    if (declared === undefined || (declared <= readMaxBytes && received.length < 5 + declared)) continue;
    const pending = received.takeAll();
    /** Start of the run of checked, uncompressed envelopes not yet handed on. */
    let from = 0;
    let offset = 0;
    let failure: ConnectError | undefined;
    while (offset + 5 <= pending.length) {
      const flags = pending[offset]!;
      const length = declaredLength(pending, offset);
      if (length > readMaxBytes) {
        failure = new ConnectError(overReadLimitMessage(readMaxBytes), Code.ResourceExhausted);
        break;
      }
      const end = offset + 5 + length;
      if (end > pending.length) break;
      const compressed = (flags & FLAG_COMPRESSED) !== 0;
      if (compressed && compression === null) {
        unchecked = true;
        break;
      }
      if (compressed && offset > from) {
        yield pending.subarray(from, offset);
        from = offset;
      }
      const message = compressed
        ? await decompressRequest(compression!, pending.subarray(offset + 5, end), readMaxBytes)
        : pending.subarray(offset + 5, end);
      if (message instanceof ConnectError) {
        failure = message;
        break;
      }
      const problem = binaryWireProblem(message, input);
      if (problem !== undefined) {
        failure = new ConnectError(problem, Code.InvalidArgument);
        break;
      }
      if (compressed) {
        yield envelopeHeader(flags & ~FLAG_COMPRESSED, message.length);
        yield message;
        from = end;
      }
      offset = end;
    }
    if (offset > from) yield pending.subarray(from, offset);
    if (failure) throw failure;
    if (unchecked) yield pending.subarray(offset);
    else received.push(pending.subarray(offset));
  }
  const rest = received.takeAll();
  if (rest.length > 0) yield rest;
}

/** Chunks received and not yet checked, joined only when taken. */
class ChunkQueue {
  private chunks: Uint8Array[] = [];
  length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The first envelope's declared message length, once its 5-byte header has arrived. */
  firstDeclaredLength(): number | undefined {
    if (this.length < 5) return undefined;
    const header = this.chunks[0]!.length >= 5 ? this.chunks[0]! : this.peekHeader();
    return declaredLength(header, 0);
  }

  takeAll(): Uint8Array {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.length = 0;
    return all;
  }

  private peekHeader(): Uint8Array {
    const header = new Uint8Array(5);
    let at = 0;
    for (const chunk of this.chunks) {
      const take = Math.min(chunk.length, 5 - at);
      header.set(chunk.subarray(0, take), at);
      at += take;
      if (at === 5) break;
    }
    return header;
  }
}

/** The message length an envelope starting at `at` declares (its header must be in `bytes`). */
function declaredLength(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4).getUint32(0);
}

function envelopeHeader(flags: number, length: number): Uint8Array {
  const header = Buffer.alloc(5);
  header[0] = flags;
  header.writeUInt32BE(length, 1);
  return header;
}
