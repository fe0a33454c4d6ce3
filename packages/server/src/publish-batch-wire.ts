import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Origin, PublishBatchRequestSchema } from "@openaxon/protocol";
import { binaryWireProblem } from "./binary-wire-problem.js";
import { FastWireReader, WIRE_FALLBACK, WireFallback } from "./fast-wire-reader.js";
import type { PublishBatchFields } from "./validate-publish.js";
import { signedVarintSize, varintSize, writeSignedVarint, writeVarint } from "./wire-varint.js";

// PublishBatchRequest / PublishBatchResponse on the wire without protobuf-es, for the gRPC unary fast
// path; the same fallback rule as publish-wire.ts: what the hand-written decoder does not expect goes
// to protobuf-es and its strict wire check, so results and errors match the Connect path's.

type EventFields = PublishBatchFields["events"][number];

export function decodePublishBatchRequest(bytes: Uint8Array): PublishBatchFields {
  try {
    return decodeFast(bytes);
  } catch (error) {
    if (!(error instanceof WireFallback)) throw error;
  }
  const problem = binaryWireProblem(bytes, PublishBatchRequestSchema);
  if (problem !== undefined) throw new ConnectError(problem, Code.InvalidArgument);
  const { $typeName: _, ...fields } = fromBinary(PublishBatchRequestSchema, bytes);
  return fields;
}

function decodeFast(bytes: Uint8Array): PublishBatchFields {
  let axonId = "";
  const events: EventFields[] = [];
  let expectedHead: bigint | undefined;
  let idempotencyKey = "";
  const r = new FastWireReader(bytes);
  while (r.pos < r.end) {
    switch (r.varint()) {
      case 0x0a:
        axonId = r.string();
        break;
      case 0x12: {
        const length = r.length();
        events.push(decodeEventInput(bytes, r.pos, r.pos + length));
        r.pos += length;
        break;
      }
      case 0x18:
        expectedHead = BigInt(r.varint());
        break;
      case 0x22:
        idempotencyKey = r.string();
        break;
      default:
        throw WIRE_FALLBACK;
    }
  }
  return { axonId, events, expectedHead, idempotencyKey };
}

/** One EventInput (the same fields in PublishBatchRequest and AppendRequest), or WIRE_FALLBACK. */
export function decodeEventInput(bytes: Uint8Array, start: number, end: number): EventFields {
  let origin = 0;
  let source = "";
  let eventType = "";
  let payload = "";
  const r = new FastWireReader(bytes, start, end);
  while (r.pos < end) {
    switch (r.varint()) {
      case 0x08:
        origin = r.int32();
        break;
      case 0x12:
        source = r.string();
        break;
      case 0x1a:
        eventType = r.string();
        break;
      case 0x22:
        payload = r.string();
        break;
      default:
        throw WIRE_FALLBACK;
    }
  }
  return { origin: origin as Origin, source, eventType, payload };
}

/** A gRPC length-prefixed message holding PublishBatchResponse, as protobuf-es + Connect would write it. */
export function encodePublishBatchResponseEnvelope(
  firstSequence: number,
  lastSequence: number,
  timestampMs: number,
  duplicate: boolean,
): Buffer {
  const size =
    (firstSequence !== 0 ? 1 + varintSize(firstSequence) : 0) +
    (lastSequence !== 0 ? 1 + varintSize(lastSequence) : 0) +
    (timestampMs !== 0 ? 1 + signedVarintSize(timestampMs) : 0) +
    (duplicate ? 2 : 0);
  const buf = Buffer.allocUnsafe(5 + size);
  buf[0] = 0;
  buf.writeUInt32BE(size, 1);
  let o = 5;
  if (firstSequence !== 0) {
    buf[o++] = 0x08;
    o = writeVarint(buf, o, firstSequence);
  }
  if (lastSequence !== 0) {
    buf[o++] = 0x10;
    o = writeVarint(buf, o, lastSequence);
  }
  if (timestampMs !== 0) {
    buf[o++] = 0x18;
    o = writeSignedVarint(buf, o, timestampMs);
  }
  if (duplicate) {
    buf[o++] = 0x20;
    buf[o++] = 1;
  }
  return buf;
}
