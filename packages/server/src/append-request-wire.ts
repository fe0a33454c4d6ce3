import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { AppendRequestSchema, AppendResponseSchema } from "@openaxon/protocol";
import type { AppendResult } from "@openaxon/store";
import type { AppendResponseInit } from "./append-outcome.js";
import type { AppendBatchFields } from "./append-session.js";
import { binaryWireProblem } from "./binary-wire-problem.js";
import { FastWireReader, WIRE_FALLBACK, WireFallback } from "./fast-wire-reader.js";
import { decodeEventInput } from "./publish-batch-wire.js";
import { signedVarintSize, varintSize, writeSignedVarint, writeVarint } from "./wire-varint.js";

// AppendRequest / AppendResponse on the wire without protobuf-es, for the raw HTTP/2 Append path
// (append-fast-path.ts); the same fallback rule as publish-batch-wire.ts: whatever the hand-written
// decoder does not expect goes to protobuf-es and its strict wire check, so results and errors match
// the Connect path's.

type EventFields = AppendBatchFields["events"][number];

export function decodeAppendRequest(bytes: Uint8Array): AppendBatchFields {
  try {
    return decodeFast(bytes);
  } catch (error) {
    if (!(error instanceof WireFallback)) throw error;
  }
  const problem = binaryWireProblem(bytes, AppendRequestSchema);
  if (problem !== undefined) throw new ConnectError(problem, Code.InvalidArgument);
  const { $typeName: _, ...fields } = fromBinary(AppendRequestSchema, bytes);
  return fields;
}

function decodeFast(bytes: Uint8Array): AppendBatchFields {
  let batchId = 0n;
  let axonId = "";
  const events: EventFields[] = [];
  let expectedHead: bigint | undefined;
  let idempotencyKey = "";
  const r = new FastWireReader(bytes);
  while (r.pos < r.end) {
    switch (r.varint()) {
      case 0x08:
        batchId = BigInt(r.varint());
        break;
      case 0x12:
        axonId = r.string();
        break;
      case 0x1a: {
        const length = r.length();
        events.push(decodeEventInput(bytes, r.pos, r.pos + length));
        r.pos += length;
        break;
      }
      case 0x20:
        expectedHead = BigInt(r.varint());
        break;
      case 0x2a:
        idempotencyKey = r.string();
        break;
      default:
        throw WIRE_FALLBACK;
    }
  }
  return { batchId, axonId, events, expectedHead, idempotencyKey };
}

/** An envelope (flags 0) holding the AppendResponse that acknowledges `result`, as protobuf-es writes it. */
export function encodeAppendAckEnvelope(batchId: bigint, result: AppendResult): Buffer {
  if (batchId > BigInt(Number.MAX_SAFE_INTEGER)) {
    return encodeAppendResponseEnvelope({
      batchId,
      result: {
        case: "ack",
        value: {
          firstSequence: BigInt(result.firstSequence),
          lastSequence: BigInt(result.lastSequence),
          timestampMs: BigInt(result.timestampMs),
          duplicate: result.duplicate,
        },
      },
    });
  }
  const id = Number(batchId);
  const { firstSequence, lastSequence, timestampMs, duplicate } = result;
  const ackSize =
    (firstSequence !== 0 ? 1 + varintSize(firstSequence) : 0) +
    (lastSequence !== 0 ? 1 + varintSize(lastSequence) : 0) +
    (timestampMs !== 0 ? 1 + signedVarintSize(timestampMs) : 0) +
    (duplicate ? 2 : 0);
  const size = (id !== 0 ? 1 + varintSize(id) : 0) + 1 + varintSize(ackSize) + ackSize;
  const buf = Buffer.allocUnsafe(5 + size);
  buf[0] = 0;
  buf.writeUInt32BE(size, 1);
  let o = 5;
  if (id !== 0) {
    buf[o++] = 0x08;
    o = writeVarint(buf, o, id);
  }
  buf[o++] = 0x12;
  o = writeVarint(buf, o, ackSize);
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

/** An envelope (flags 0) holding any AppendResponse, through protobuf-es (per-batch errors: rare). */
export function encodeAppendResponseEnvelope(response: AppendResponseInit): Buffer {
  const message = toBinary(AppendResponseSchema, create(AppendResponseSchema, response));
  const buf = Buffer.allocUnsafe(5 + message.length);
  buf[0] = 0;
  buf.writeUInt32BE(message.length, 1);
  buf.set(message, 5);
  return buf;
}
