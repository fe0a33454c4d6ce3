import { WireType } from "@bufbuild/protobuf/wire";
import type { EventBatch } from "@openaxon/protocol";
import type { StoredEvent } from "@openaxon/store";
import { signedVarintSize, varintSize, writeSignedVarint, writeVarint } from "./wire-varint.js";

// Subscribe replay spends most of its time turning events into protobuf bytes. protobuf-es does it
// through generic reflection (create + toBinary, a byte array per varint, TextEncoder per string);
// this writes the same bytes straight into one Buffer. The layout is fixed by axon.proto:
//   EventBatch { repeated Event events = 1; }
//   Event { uint64 sequence = 1; string axon_id = 2; int64 timestamp_ms = 3; Origin origin = 4;
//           string source = 5; string event_type = 6; string payload = 7; }
// proto3 omits zero values (0, "", ORIGIN_UNSPECIFIED), exactly as toBinary does; event-batch-wire.test.ts
// checks byte equality against toBinary for arbitrary events.

export const TAG_EVENTS = (1 << 3) | 2;
export const TAG_SEQUENCE = (1 << 3) | 0;
export const TAG_AXON_ID = (2 << 3) | 2;
export const TAG_TIMESTAMP = (3 << 3) | 0;
export const TAG_ORIGIN = (4 << 3) | 0;
export const TAG_SOURCE = (5 << 3) | 2;
export const TAG_EVENT_TYPE = (6 << 3) | 2;
export const TAG_PAYLOAD = (7 << 3) | 2;

// Buffer#write validates its arguments and looks up the encoding on every call, which costs as
// much as the copy for short strings; utf8Write is the method it ends in (also used by protobufjs).
type Utf8Writer = (buf: Buffer, value: string, offset: number) => number;
const bufferPrototype = Buffer.prototype as Buffer & {
  utf8Write?: (value: string, offset: number, length?: number) => number;
};
const utf8Write: Utf8Writer =
  typeof bufferPrototype.utf8Write === "function"
    ? (buf, value, offset) => (buf as typeof bufferPrototype).utf8Write!(value, offset, buf.length - offset)
    : (buf, value, offset) => buf.write(value, offset, "utf8");

/** Most bytes a string takes in UTF-8: three per UTF-16 code unit. */
const maxUtf8 = (value: string) => value.length * 3;

/**
 * Writes `value` (an unsigned varint of `reserved` or fewer bytes) at `offset` for content already
 * written `reserved` bytes further on, moving the content back when the varint turns out shorter:
 * lengths are only known once the UTF-8 is written, and measuring every string first would cost
 * as much as writing it.
 */
function writeLengthBefore(buf: Buffer, offset: number, reserved: number, length: number): number {
  const needed = varintSize(length);
  const contentStart = offset + reserved;
  if (needed < reserved) buf.copyWithin(offset + needed, contentStart, contentStart + length);
  writeVarint(buf, offset, length);
  return offset + needed + length;
}

export function writeStringField(buf: Buffer, offset: number, tag: number, value: string): number {
  if (value.length === 0) return offset;
  buf[offset] = tag;
  const reserved = varintSize(maxUtf8(value));
  const written = utf8Write(buf, value, offset + 1 + reserved);
  return writeLengthBefore(buf, offset + 1, reserved, written);
}

/** The most bytes writeStringField can take for `value`. */
export const stringFieldMax = (value: string) =>
  value.length === 0 ? 0 : 1 + varintSize(maxUtf8(value)) + maxUtf8(value);

/** An upper bound of an Event's encoded size (the exact one needs every string's UTF-8 length). */
function maxEventBody(e: StoredEvent): number {
  return (
    (e.sequence === 0 ? 0 : 1 + varintSize(e.sequence)) +
    stringFieldMax(e.axonId) +
    (e.timestampMs === 0 ? 0 : 1 + signedVarintSize(e.timestampMs)) +
    (e.origin === 0 ? 0 : 1 + signedVarintSize(e.origin)) +
    stringFieldMax(e.source) +
    stringFieldMax(e.eventType) +
    stringFieldMax(e.payload)
  );
}

/**
 * A field that usually repeats from one event to the next (axon id, timestamp, source, event
 * type): when its value is the previous event's, its encoded bytes are copied from there instead
 * of encoded again.
 */
class RepeatedField<T extends string | number> {
  private value: T | undefined;
  private start = 0;
  private end = 0;

  constructor(private readonly encode: (buf: Buffer, offset: number, value: T) => number) {}

  write(buf: Buffer, offset: number, value: T): number {
    if (value === this.value) {
      const length = this.end - this.start;
      if (length <= 32) {
        for (let i = 0; i < length; i++) buf[offset + i] = buf[this.start + i]!;
      } else {
        buf.copyWithin(offset, this.start, this.end);
      }
      this.start = offset;
      this.end = offset + length;
      return this.end;
    }
    const end = this.encode(buf, offset, value);
    this.value = value;
    this.start = offset;
    this.end = end;
    return end;
  }

  /** The bytes from `from` on moved back by `by` (writeLengthBefore shortened a length). */
  moved(from: number, by: number): void {
    if (this.start >= from) {
      this.start -= by;
      this.end -= by;
    }
  }
}

const stringField = (tag: number) => (buf: Buffer, offset: number, value: string) =>
  writeStringField(buf, offset, tag, value);

function timestampField(buf: Buffer, offset: number, timestampMs: number): number {
  if (timestampMs === 0) return offset;
  buf[offset] = TAG_TIMESTAMP;
  return writeSignedVarint(buf, offset + 1, timestampMs);
}

/**
 * The protobuf encoding of `EventBatch { events }`, byte for byte what protobuf-es's toBinary
 * writes for the same events: a sequence of `events` field entries (tag, length, Event). `ends`,
 * if given, receives the end offset of each entry (where the bytes may be cut between events).
 */
export function encodeEventBatch(events: readonly StoredEvent[], ends?: number[]): Buffer {
  const maxBodies = new Array<number>(events.length);
  let capacity = 0;
  for (let i = 0; i < events.length; i++) {
    const max = maxEventBody(events[i]!);
    maxBodies[i] = max;
    capacity += 1 + varintSize(max) + max;
  }
  const buf = Buffer.allocUnsafe(capacity);
  const repeated = {
    axonId: new RepeatedField(stringField(TAG_AXON_ID)),
    timestampMs: new RepeatedField(timestampField),
    source: new RepeatedField(stringField(TAG_SOURCE)),
    eventType: new RepeatedField(stringField(TAG_EVENT_TYPE)),
  };
  let o = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    buf[o++] = TAG_EVENTS;
    const reserved = varintSize(maxBodies[i]!);
    const bodyStart = o + reserved;
    let b = bodyStart;
    if (e.sequence !== 0) {
      buf[b++] = TAG_SEQUENCE;
      b = writeVarint(buf, b, e.sequence);
    }
    b = repeated.axonId.write(buf, b, e.axonId);
    b = repeated.timestampMs.write(buf, b, e.timestampMs);
    if (e.origin !== 0) {
      buf[b++] = TAG_ORIGIN;
      b = writeSignedVarint(buf, b, e.origin);
    }
    b = repeated.source.write(buf, b, e.source);
    b = repeated.eventType.write(buf, b, e.eventType);
    b = writeStringField(buf, b, TAG_PAYLOAD, e.payload);
    o = writeLengthBefore(buf, o, reserved, b - bodyStart);
    if (o !== b) {
      repeated.axonId.moved(bodyStart, b - o);
      repeated.timestampMs.moved(bodyStart, b - o);
      repeated.source.moved(bodyStart, b - o);
      repeated.eventType.moved(bodyStart, b - o);
    }
    ends?.push(o);
  }
  return buf.subarray(0, o);
}

/**
 * An EventBatch message whose events travel as pre-encoded bytes: no known `events`, one unknown
 * field entry holding all of them. protobuf-es's toBinary writes an unknown field as its tag
 * followed by its data verbatim, so the entry's data is everything after the first events tag:
 * the client sees an ordinary `repeated Event events = 1`. Only for binary codecs: JSON drops
 * unknown fields (see usesBinaryCodec).
 */
export function preEncodedEventBatch(events: readonly StoredEvent[]): EventBatch {
  return eventBatchOfEntries(encodeEventBatch(events));
}

/** An EventBatch carrying `encoded`, EventBatch.events entries (tag, length, Event) one after another. */
export function eventBatchOfEntries(encoded: Uint8Array): EventBatch {
  return {
    $typeName: "openaxon.v1.EventBatch",
    events: [],
    ...(encoded.length > 0 && {
      $unknown: [{ no: 1, wireType: WireType.LengthDelimited, data: encoded.subarray(1) }],
    }),
  };
}
