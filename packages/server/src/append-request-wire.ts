import { create, toBinary } from "@bufbuild/protobuf";
import { AppendRequestSchema, AppendResponseSchema } from "@openaxon/protocol";
import type { AppendResult } from "@openaxon/store";
import { type AppendResponseInit, ackResponse } from "./append-outcome.js";
import type { AppendBatchFields } from "./append-session.js";
import { decodeWithFallback } from "./fast-wire-reader.js";
import {
  type BatchRequestTags,
  batchResultSize,
  decodeBatchRequest,
  writeBatchResult,
} from "./publish-batch-wire.js";
import { varintSize, writeVarint } from "./wire-varint.js";

// AppendRequest / AppendResponse on the wire without protobuf-es, for the raw HTTP/2 Append path
// (append-fast-path.ts). AppendRequest is PublishBatchRequest's fields plus batch_id, renumbered, and
// AppendAck is PublishBatchResponse's layout, so both go through publish-batch-wire.ts; the same
// fallback rule applies: whatever the hand-written decoder does not expect goes to protobuf-es and
// its strict wire check, so results and errors match the Connect path's.

const APPEND_TAGS: BatchRequestTags = {
  batchId: 0x08,
  axonId: 0x12,
  events: 0x1a,
  expectedHead: 0x20,
  idempotencyKey: 0x2a,
};

/** Batch ids up to this are written by hand; beyond it (never from the SDK) through protobuf-es. */
const MAX_NUMBER_BATCH_ID = BigInt(Number.MAX_SAFE_INTEGER);

export function decodeAppendRequest(bytes: Uint8Array): AppendBatchFields {
  return decodeWithFallback(
    bytes,
    AppendRequestSchema,
    (b) => decodeBatchRequest(b, APPEND_TAGS) as AppendBatchFields,
  );
}

/** An envelope (flags 0) holding the AppendResponse that acknowledges `result`, as protobuf-es writes it. */
export function encodeAppendAckEnvelope(batchId: bigint, result: AppendResult): Buffer {
  if (batchId > MAX_NUMBER_BATCH_ID) return encodeAppendResponseEnvelope(ackResponse(batchId, result));
  const id = Number(batchId);
  const ackSize = batchResultSize(result);
  const size = (id !== 0 ? 1 + varintSize(id) : 0) + 1 + varintSize(ackSize) + ackSize;
  const buf = Buffer.allocUnsafe(5 + size);
  buf[0] = 0;
  buf.writeUInt32BE(size, 1);
  let o = 5;
  if (id !== 0) {
    buf[o++] = 0x08;
    o = writeVarint(buf, o, id);
  }
  buf[o++] = 0x12; // ack, field 2
  writeBatchResult(buf, writeVarint(buf, o, ackSize), result);
  return buf;
}

/** An envelope (flags 0) holding any AppendResponse, through protobuf-es (per-batch errors: rare). */
export function encodeAppendResponseEnvelope(response: AppendResponseInit): Buffer {
  const message = toBinary(AppendResponseSchema, create(AppendResponseSchema, response));
  const buf = Buffer.allocUnsafe(5 + message.length);
  buf[0] = 0;
  buf.writeUInt32BE(message.length, 1);
  buf.set(message, 5);
  return buf;
}
