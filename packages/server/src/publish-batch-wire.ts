import { type Origin, PublishBatchRequestSchema } from "@openaxon/protocol";
import type { AppendResult } from "@openaxon/store";
import { decodeWithFallback, FastWireReader, WIRE_FALLBACK } from "./fast-wire-reader.js";
import type { PublishBatchFields } from "./validate-publish.js";
import { signedVarintSize, varintSize, writeSignedVarint, writeVarint } from "./wire-varint.js";

// PublishBatchRequest / PublishBatchResponse on the wire without protobuf-es, for the gRPC unary fast
// path; the same fallback rule as publish-wire.ts: what the hand-written decoder does not expect goes
// to protobuf-es and its strict wire check, so results and errors match the Connect path's.
// AppendRequest carries the same fields under other numbers, and AppendAck is PublishBatchResponse's
// layout: append-request-wire.ts uses the decoder and the writer below with its own tags.

type EventFields = PublishBatchFields["events"][number];

/** Tags (field number << 3 | wire type) of a batch request's fields. */
export interface BatchRequestTags {
  /** AppendRequest only. */
  readonly batchId?: number;
  readonly axonId: number;
  readonly events: number;
  readonly expectedHead: number;
  readonly idempotencyKey: number;
}

const PUBLISH_BATCH_TAGS: BatchRequestTags = {
  axonId: 0x0a,
  events: 0x12,
  expectedHead: 0x18,
  idempotencyKey: 0x22,
};

export function decodePublishBatchRequest(bytes: Uint8Array): PublishBatchFields {
  return decodeWithFallback(bytes, PublishBatchRequestSchema, (b) =>
    decodeBatchRequest(b, PUBLISH_BATCH_TAGS),
  );
}

/**
 * A batch request's fields, or WIRE_FALLBACK; `batchId` only when `tags` has one (0n when the
 * message leaves it out, as protobuf-es gives it).
 */
export function decodeBatchRequest(
  bytes: Uint8Array,
  tags: BatchRequestTags,
): PublishBatchFields & { batchId?: bigint } {
  let batchId = 0n;
  let axonId = "";
  const events: EventFields[] = [];
  let expectedHead: bigint | undefined;
  let idempotencyKey = "";
  const r = new FastWireReader(bytes);
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === tags.axonId) axonId = r.string();
    else if (tag === tags.events) {
      const length = r.length();
      events.push(decodeEventInput(r.buffer, r.pos, r.pos + length));
      r.pos += length;
    } else if (tag === tags.expectedHead) expectedHead = BigInt(r.varint());
    else if (tag === tags.idempotencyKey) idempotencyKey = r.string();
    else if (tag === tags.batchId) batchId = BigInt(r.varint());
    else throw WIRE_FALLBACK;
  }
  const fields = { axonId, events, expectedHead, idempotencyKey };
  return tags.batchId === undefined ? fields : { batchId, ...fields };
}

/** One EventInput (the same fields in PublishBatchRequest and AppendRequest), or WIRE_FALLBACK. */
function decodeEventInput(bytes: Buffer, start: number, end: number): EventFields {
  let origin = 0;
  let source = "";
  let eventType = "";
  let payload = "";
  let payloadIsJson = false;
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
        payload = r.jsonString();
        payloadIsJson = r.jsonChecked;
        break;
      default:
        throw WIRE_FALLBACK;
    }
  }
  return { origin: origin as Origin, source, eventType, payload, payloadIsJson };
}

/** A gRPC length-prefixed message holding PublishBatchResponse, as protobuf-es + Connect would write it. */
export function encodePublishBatchResponseEnvelope(
  firstSequence: number,
  lastSequence: number,
  timestampMs: number,
  duplicate: boolean,
): Buffer {
  const result = { firstSequence, lastSequence, timestampMs, duplicate };
  const size = batchResultSize(result);
  const buf = Buffer.allocUnsafe(5 + size);
  buf[0] = 0;
  buf.writeUInt32BE(size, 1);
  writeBatchResult(buf, 5, result);
  return buf;
}

/** Bytes of PublishBatchResponse / AppendAck (fields 1–4) holding `result`, zero fields left out. */
export function batchResultSize({
  firstSequence,
  lastSequence,
  timestampMs,
  duplicate,
}: AppendResult): number {
  return (
    (firstSequence !== 0 ? 1 + varintSize(firstSequence) : 0) +
    (lastSequence !== 0 ? 1 + varintSize(lastSequence) : 0) +
    (timestampMs !== 0 ? 1 + signedVarintSize(timestampMs) : 0) +
    (duplicate ? 2 : 0)
  );
}

/** Writes those fields at `o`; returns the offset after them. */
export function writeBatchResult(
  buf: Buffer,
  o: number,
  { firstSequence, lastSequence, timestampMs, duplicate }: AppendResult,
): number {
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
  return o;
}
