import { WireType } from "@bufbuild/protobuf/wire";
import type { AppendRequest } from "@openaxon/protocol";

// An Append batch's events are most of what the SDK's publish() spends CPU on: protobuf-es builds a
// message per event by reflection (create), then encodes it field by field with a TextEncoder call
// per string (toBinary). This writes the same bytes straight into one array. The layout is fixed
// by axon.proto:
//   AppendRequest { ... repeated EventInput events = 3; ... }
//   EventInput { Origin origin = 1; string source = 2; string event_type = 3; string payload = 4; }
// proto3 leaves out zero values (ORIGIN_UNSPECIFIED, ""), as toBinary does; event-input-wire.test.ts
// checks byte equality with toBinary for arbitrary events. Plain Uint8Array and TextEncoder, no
// Buffer: the module is part of the browser build too.

/** What an event carries on the wire (the producer's WireEvent). */
export interface EventInputFields {
  readonly origin?: number | undefined;
  readonly source: string;
  readonly eventType: string;
  readonly payload: string;
}

const TAG_EVENTS = (3 << 3) | WireType.LengthDelimited;
const TAG_ORIGIN = (1 << 3) | WireType.Varint;
const TAG_SOURCE = (2 << 3) | WireType.LengthDelimited;
const TAG_EVENT_TYPE = (3 << 3) | WireType.LengthDelimited;
const TAG_PAYLOAD = (4 << 3) | WireType.LengthDelimited;

const encoder = new TextEncoder();

/** Bytes of a varint holding a non-negative integer below 2^35. */
function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** Writes a non-negative integer below 2^31 (lengths, enum numbers). */
function writeVarint(buf: Uint8Array, offset: number, value: number): number {
  let o = offset;
  let v = value;
  while (v > 0x7f) {
    buf[o++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[o++] = v;
  return o;
}

/** At most three UTF-8 bytes per UTF-16 code unit (a surrogate pair's four bytes fit in six). */
const stringFieldMax = (value: string) =>
  value.length === 0 ? 0 : 1 + varintSize(value.length * 3) + value.length * 3;

const bodyMax = (e: EventInputFields) =>
  (e.origin ? 1 + varintSize(e.origin) : 0) +
  stringFieldMax(e.source) +
  stringFieldMax(e.eventType) +
  stringFieldMax(e.payload);

/**
 * Writes a length varint at `at` for `length` bytes already written `reserved` bytes further on,
 * moving them back when the varint is shorter than reserved: a string's UTF-8 length is known only
 * once written, and measuring it first would cost as much as writing it.
 */
function lengthBefore(buf: Uint8Array, at: number, reserved: number, length: number): number {
  const needed = varintSize(length);
  if (needed < reserved) buf.copyWithin(at + needed, at + reserved, at + reserved + length);
  writeVarint(buf, at, length);
  return at + needed + length;
}

function writeString(buf: Uint8Array, offset: number, tag: number, value: string): number {
  if (value.length === 0) return offset;
  buf[offset] = tag;
  const reserved = varintSize(value.length * 3);
  const start = offset + 1 + reserved;
  const { written } = encoder.encodeInto(value, buf.subarray(start, start + value.length * 3));
  return lengthBefore(buf, offset + 1, reserved, written);
}

/**
 * Whether `encodeEvents` writes the event exactly as toBinary would: string fields (a JS caller
 * may pass anything) and an origin that is a small non-negative integer.
 */
export const encodable = (e: EventInputFields): boolean =>
  typeof e.source === "string" &&
  typeof e.eventType === "string" &&
  typeof e.payload === "string" &&
  (e.origin === undefined || (Number.isInteger(e.origin) && e.origin >= 0 && e.origin < 2 ** 31));

/**
 * The `events` entries of an AppendRequest (tag, length, EventInput, for each event), byte for byte
 * what toBinary writes for them.
 */
export function encodeEvents(events: readonly EventInputFields[]): Uint8Array {
  const reservedLengths = new Array<number>(events.length);
  let capacity = 0;
  for (let i = 0; i < events.length; i++) {
    const max = bodyMax(events[i]!);
    reservedLengths[i] = varintSize(max);
    capacity += 1 + reservedLengths[i]! + max;
  }
  const buf = new Uint8Array(capacity);
  let o = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    buf[o++] = TAG_EVENTS;
    const reserved = reservedLengths[i]!;
    const start = o + reserved;
    let b = start;
    if (e.origin) {
      buf[b++] = TAG_ORIGIN;
      b = writeVarint(buf, b, e.origin);
    }
    b = writeString(buf, b, TAG_SOURCE, e.source);
    b = writeString(buf, b, TAG_EVENT_TYPE, e.eventType);
    b = writeString(buf, b, TAG_PAYLOAD, e.payload);
    o = lengthBefore(buf, o, reserved, b - start);
  }
  // Room was reserved for three bytes per UTF-16 unit; don't hold that while the batch is unacked.
  return o * 2 < capacity ? buf.slice(0, o) : buf.subarray(0, o);
}

/**
 * An AppendRequest whose events travel pre-encoded: `events` empty, one unknown field entry holding
 * them all. toBinary writes an unknown field as its tag followed by its data verbatim, so the data
 * is everything after the first events tag and the server reads an ordinary `repeated EventInput
 * events = 3` (after the other fields; field order does not matter to a protobuf reader). Only for
 * the binary codec, which the SDK's Node transport uses: JSON drops unknown fields.
 */
export function preEncodedAppendRequest(fields: {
  readonly batchId: bigint;
  readonly axonId: string;
  readonly events: readonly EventInputFields[];
  readonly expectedHead?: bigint | undefined;
  readonly idempotencyKey: string;
}): AppendRequest {
  const encoded = encodeEvents(fields.events);
  return {
    $typeName: "openaxon.v1.AppendRequest",
    batchId: fields.batchId,
    axonId: fields.axonId,
    events: [],
    expectedHead: fields.expectedHead,
    idempotencyKey: fields.idempotencyKey,
    ...(encoded.length > 0 && {
      $unknown: [{ no: 3, wireType: WireType.LengthDelimited, data: encoded.subarray(1) }],
    }),
  };
}
