import { ChunkCursor, type ChunkPage } from "@openaxon/store";
import {
  stringFieldMax,
  TAG_AXON_ID,
  TAG_EVENT_TYPE,
  TAG_EVENTS,
  TAG_ORIGIN,
  TAG_PAYLOAD,
  TAG_SEQUENCE,
  TAG_SOURCE,
  TAG_TIMESTAMP,
  writeStringField,
} from "./event-batch-wire.js";
import { signedVarintSize, varintSize, writeSignedVarint, writeVarint } from "./wire-varint.js";

// Replay transcodes: the store keeps each event's source, event type and payload as UTF-8 with
// their lengths, which is what protobuf puts on the wire, so a page's Event messages are built by
// copying those bytes between tags and varints. Decoding them into strings only to encode them
// again was most of what a replayed event cost the server. The stored text is valid UTF-8 (it was
// written from JS strings), so the bytes equal what encodeEventBatch writes for the decoded events;
// chunk-page-wire.test.ts checks that for arbitrary events and pages.

/** Most bytes an Event's fields other than its three stored strings take, plus its entry's tag and length. */
const MAX_EVENT_FRAMING = 1 + 5 + (1 + 8) + (1 + 10) + (1 + 10) + 3 * (1 + 5);

/**
 * EventBatch.events entries (tag, length, Event) for the page's events, byte for byte what
 * encodeEventBatch writes for them decoded. `ends`, if given, receives the end offset of each
 * entry (where the bytes may be cut between events).
 */
export function encodeChunkPage(page: ChunkPage, ends?: number[]): Buffer {
  // The axon id is the same in every Event: encoded once, copied into each.
  const axonId = Buffer.allocUnsafe(stringFieldMax(page.axonId));
  const axonIdField = axonId.subarray(0, writeStringField(axonId, 0, TAG_AXON_ID, page.axonId));
  let capacity = page.count * (MAX_EVENT_FRAMING + axonIdField.length);
  for (const slice of page.slices) capacity += slice.chunk.byteLength;
  const buf = Buffer.allocUnsafe(capacity);
  let o = 0;
  for (const slice of page.slices) {
    const event = new ChunkCursor(slice.chunk);
    const chunk = event.bytes;
    while (event.next()) {
      if (event.sequence < slice.from) continue;
      if (event.sequence > slice.to) break;
      const { sequence, timestampMs, origin } = event;
      const sourceLength = event.sourceEnd - event.sourceStart;
      const typeLength = event.typeEnd - event.typeStart;
      const payloadLength = event.payloadEnd - event.payloadStart;
      // proto3 leaves out zero values, as toBinary does.
      const body =
        (sequence === 0 ? 0 : 1 + varintSize(sequence)) +
        axonIdField.length +
        (timestampMs === 0 ? 0 : 1 + signedVarintSize(timestampMs)) +
        (origin === 0 ? 0 : 1 + varintSize(origin)) +
        bytesFieldSize(sourceLength) +
        bytesFieldSize(typeLength) +
        bytesFieldSize(payloadLength);
      buf[o++] = TAG_EVENTS;
      o = writeVarint(buf, o, body);
      if (sequence !== 0) {
        buf[o++] = TAG_SEQUENCE;
        o = writeVarint(buf, o, sequence);
      }
      o = copy(axonIdField, 0, axonIdField.length, buf, o);
      if (timestampMs !== 0) {
        buf[o++] = TAG_TIMESTAMP;
        o = writeSignedVarint(buf, o, timestampMs);
      }
      if (origin !== 0) {
        buf[o++] = TAG_ORIGIN;
        o = writeVarint(buf, o, origin);
      }
      o = bytesField(TAG_SOURCE, chunk, event.sourceStart, event.sourceEnd, buf, o);
      o = bytesField(TAG_EVENT_TYPE, chunk, event.typeStart, event.typeEnd, buf, o);
      o = bytesField(TAG_PAYLOAD, chunk, event.payloadStart, event.payloadEnd, buf, o);
      ends?.push(o);
    }
  }
  return buf.subarray(0, o);
}

const bytesFieldSize = (length: number) => (length === 0 ? 0 : 1 + varintSize(length) + length);

function bytesField(tag: number, from: Buffer, start: number, end: number, to: Buffer, at: number): number {
  if (end === start) return at;
  to[at] = tag;
  return copy(from, start, end, to, writeVarint(to, at + 1, end - start));
}

/** Buffer#copy costs a native call; short fields (source, event type, ids) are cheaper copied here. */
function copy(from: Buffer, start: number, end: number, to: Buffer, at: number): number {
  const length = end - start;
  if (length <= 32) {
    for (let i = 0; i < length; i++) to[at + i] = from[start + i]!;
  } else {
    from.copy(to, at, start, end);
  }
  return at + length;
}
