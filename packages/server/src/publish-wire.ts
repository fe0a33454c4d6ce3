import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Origin, PublishRequestSchema } from "@openaxon/protocol";
import { binaryWireProblem } from "./binary-wire-problem.js";
import type { PublishFields } from "./validate-publish.js";
import { signedVarintSize, varintSize, writeSignedVarint, writeVarint } from "./wire-varint.js";

// PublishRequest / PublishResponse on the wire without protobuf-es, for the gRPC unary fast path.
// Anything the hand-written decoder does not expect (unknown or repeated-as-packed fields, other wire
// types, a leading BOM, huge varints) goes to protobuf-es instead, so results and errors are the same.

// protobuf-es decodes strings with a fatal TextDecoder (invalid UTF-8 is an error) that drops a BOM;
// both cases go to protobuf-es.
const utf8 = new TextDecoder("utf-8", { fatal: true });

class Fallback extends Error {}
const FALLBACK = new Fallback();

export function decodePublishRequest(bytes: Uint8Array): PublishFields {
  try {
    return decodeFast(bytes);
  } catch (error) {
    if (!(error instanceof Fallback)) throw error;
  }
  // Only what the fast decoder declined pays for the wire check; its message is the one the Connect
  // path gives the same input (strict-binary-decoding.ts).
  const problem = binaryWireProblem(bytes, PublishRequestSchema);
  if (problem !== undefined) throw new ConnectError(problem, Code.InvalidArgument);
  const { $typeName: _, ...fields } = fromBinary(PublishRequestSchema, bytes);
  return fields;
}

function decodeFast(bytes: Uint8Array): PublishFields {
  let axonId = "";
  let origin = 0;
  let source = "";
  let eventType = "";
  let payload = "";
  let idempotencyKey = "";
  let expectedHead: bigint | undefined;
  let o = 0;
  const end = bytes.length;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (o >= end || shift > 42) throw FALLBACK; // truncated, or beyond 2^49: protobuf-es decides
      const b = bytes[o++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
      shift += 7;
    }
  };
  const string = (): string => {
    const length = varint();
    if (o + length > end) throw FALLBACK;
    if (length >= 3 && bytes[o] === 0xef && bytes[o + 1] === 0xbb && bytes[o + 2] === 0xbf) throw FALLBACK;
    let text: string;
    try {
      text = utf8.decode(bytes.subarray(o, o + length));
    } catch {
      throw FALLBACK;
    }
    o += length;
    return text;
  };
  while (o < end) {
    const tag = varint();
    switch (tag) {
      case 0x0a:
        axonId = string();
        break;
      case 0x10: {
        const value = varint();
        if (value > 0x7fffffff) throw FALLBACK; // negative or out-of-range int32
        origin = value;
        break;
      }
      case 0x1a:
        source = string();
        break;
      case 0x22:
        eventType = string();
        break;
      case 0x2a:
        payload = string();
        break;
      case 0x32:
        idempotencyKey = string();
        break;
      case 0x38:
        expectedHead = BigInt(varint());
        break;
      default:
        throw FALLBACK;
    }
  }
  return { axonId, origin: origin as Origin, source, eventType, payload, idempotencyKey, expectedHead };
}

/** A gRPC length-prefixed message holding PublishResponse, as protobuf-es + Connect would write it. */
export function encodePublishResponseEnvelope(
  sequence: number,
  timestampMs: number,
  duplicate: boolean,
): Buffer {
  const size =
    (sequence !== 0 ? 1 + varintSize(sequence) : 0) +
    (timestampMs !== 0 ? 1 + signedVarintSize(timestampMs) : 0) +
    (duplicate ? 2 : 0);
  const buf = Buffer.allocUnsafe(5 + size);
  buf[0] = 0;
  buf.writeUInt32BE(size, 1);
  let o = 5;
  if (sequence !== 0) {
    buf[o++] = 0x08;
    o = writeVarint(buf, o, sequence);
  }
  if (timestampMs !== 0) {
    buf[o++] = 0x10;
    o = writeSignedVarint(buf, o, timestampMs);
  }
  if (duplicate) {
    buf[o++] = 0x18;
    buf[o++] = 1;
  }
  return buf;
}
