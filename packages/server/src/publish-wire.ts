import { type Origin, PublishRequestSchema } from "@openaxon/protocol";
import { decodeWithFallback, FastWireReader, WIRE_FALLBACK } from "./fast-wire-reader.js";
import type { PublishFields } from "./validate-publish.js";
import { signedVarintSize, varintSize, writeSignedVarint, writeVarint } from "./wire-varint.js";

// PublishRequest / PublishResponse on the wire without protobuf-es, for the gRPC unary fast path.
// Anything the hand-written decoder does not expect (unknown or repeated-as-packed fields, other wire
// types, a leading BOM, huge varints) goes to protobuf-es instead, so results and errors are the same.

export function decodePublishRequest(bytes: Uint8Array): PublishFields {
  return decodeWithFallback(bytes, PublishRequestSchema, decodeFast);
}

function decodeFast(bytes: Uint8Array): PublishFields {
  let axonId = "";
  let origin = 0;
  let source = "";
  let eventType = "";
  let payload = "";
  let payloadIsJson = false;
  let idempotencyKey = "";
  let expectedHead: bigint | undefined;
  const r = new FastWireReader(bytes);
  while (r.pos < r.end) {
    switch (r.varint()) {
      case 0x0a:
        axonId = r.string();
        break;
      case 0x10:
        origin = r.int32();
        break;
      case 0x1a:
        source = r.string();
        break;
      case 0x22:
        eventType = r.string();
        break;
      case 0x2a:
        payload = r.jsonString();
        payloadIsJson = r.jsonChecked;
        break;
      case 0x32:
        idempotencyKey = r.string();
        break;
      case 0x38:
        expectedHead = BigInt(r.varint());
        break;
      default:
        throw WIRE_FALLBACK;
    }
  }
  return {
    axonId,
    origin: origin as Origin,
    source,
    eventType,
    payload,
    payloadIsJson,
    idempotencyKey,
    expectedHead,
  };
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
