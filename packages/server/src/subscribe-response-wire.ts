import { create, toBinary } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { type EventBatch, SubscribeResponseSchema } from "@openaxon/protocol";
import type { StoredEvent } from "@openaxon/store";
import { encodedCommit, sharedPiecesOf } from "./shared-event-frames.js";
import type { SubscribeFrame } from "./subscribe-stream.js";
import { varintSize, writeVarint } from "./wire-varint.js";

// The enveloped wire bytes (gRPC length-prefixed message: flags byte, 4-byte big-endian length —
// the Connect streaming envelope is the same) of SubscribeResponse frames, for the Subscribe fast
// path. Live event frames are made of commits' shared encodings (shared-event-frames.ts); each
// commit becomes one whole enveloped `SubscribeResponse { events: EventBatch }` message, built
// once and written to every subscriber's stream as the same Buffer.

/** SubscribeResponse.events (field 1, length-delimited). */
const TAG_EVENTS = (1 << 3) | WireType.LengthDelimited;
const TAG_ONLY = Buffer.from([TAG_EVENTS]);

const envelopedPieces = new WeakMap<Buffer, Buffer>();

/**
 * `SubscribeResponse { events: EventBatch { <piece> } }` in an envelope, where `piece` is
 * EventBatch.events entries. Cached by piece: a commit's shared encoding is one Buffer, so every
 * subscriber it reaches in one piece gets these same bytes.
 */
export function envelopedEventPiece(piece: Buffer): Buffer {
  let message = envelopedPieces.get(piece);
  if (!message) {
    const bodyLength = 1 + varintSize(piece.length) + piece.length;
    message = Buffer.allocUnsafe(5 + bodyLength);
    message[0] = 0;
    message.writeUInt32BE(bodyLength, 1);
    message[5] = TAG_EVENTS;
    const at = writeVarint(message, 6, piece.length);
    piece.copy(message, at);
    envelopedPieces.set(piece, message);
  }
  return message;
}

/**
 * A live commit as one enveloped message (envelopedEventPiece of its shared encoding), or undefined
 * when it is larger than `maxBytes`. Called once per subscriber per commit by the live sink, so the
 * message is also kept on the commit's encoding: one cache lookup, not two.
 */
export function envelopedCommit(commit: readonly StoredEvent[], maxBytes: number): Buffer | undefined {
  const encoded = encodedCommit(commit);
  if (encoded.bytes.length > maxBytes) return undefined;
  encoded.enveloped ??= envelopedEventPiece(encoded.bytes);
  return encoded.enveloped;
}

/**
 * The buffers to write, in order, for one frame of subscribeStream: several whole messages for a
 * shared live frame (one per piece; clients see the same events, in more messages), otherwise one
 * message, possibly split over several buffers that share the event bytes.
 */
export function subscribeResponseChunks(frame: SubscribeFrame): Buffer[] {
  const kind = frame.kind;
  if (kind?.case === "events") {
    const shared = sharedPiecesOf(kind.value as EventBatch);
    if (shared) return shared.map(envelopedEventPiece);
    const batch = kind.value as Partial<EventBatch>;
    const unknown = batch.$unknown;
    // preEncodedEventBatch: events as unknown field 1 entries (tag, then length and Event).
    if ((batch.events === undefined || batch.events.length === 0) && unknown !== undefined) {
      if (unknown.every((u) => u.no === 1 && u.wireType === WireType.LengthDelimited)) {
        const batchLength = unknown.reduce((n, u) => n + 1 + u.data.length, 0);
        const header = Buffer.allocUnsafe(5 + 1 + varintSize(batchLength));
        header[0] = 0;
        header.writeUInt32BE(header.length - 5 + batchLength, 1);
        header[5] = TAG_EVENTS;
        writeVarint(header, 6, batchLength);
        const chunks: Buffer[] = [header];
        for (const u of unknown)
          chunks.push(TAG_ONLY, Buffer.from(u.data.buffer, u.data.byteOffset, u.data.length));
        return chunks;
      }
    }
  }
  const body = toBinary(SubscribeResponseSchema, create(SubscribeResponseSchema, frame));
  const message = Buffer.allocUnsafe(5 + body.length);
  message[0] = 0;
  message.writeUInt32BE(body.length, 1);
  message.set(body, 5);
  return [message];
}
