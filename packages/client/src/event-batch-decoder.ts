import { Code, ConnectError } from "@connectrpc/connect";
import { EventRecord, originName, toSafeNumber } from "./convert.js";
import type { AxonEvent } from "./types.js";

/**
 * Decodes the bytes of an `openaxon.v1.EventBatch` straight into events, reading the seven known
 * fields of each `Event` by hand and skipping any other. A generic protobuf decoder builds an
 * intermediate message per event and decodes every string through reflection; during a replay of
 * millions of events that, not the network, is what limits a client. The results are the same as
 * protobuf-es's `fromBinary` followed by `toEvent` (a property test holds them equal).
 */
export function decodeEventBatch(bytes: Uint8Array): AxonEvent[] {
  const reader = new WireReader(bytes);
  const strings = new RepeatedStrings();
  const events: AxonEvent[] = [];
  while (reader.pos < reader.end) {
    const tag = reader.uint32();
    if (tag === EVENT_TAG) {
      const length = reader.length();
      events.push(decodeEvent(reader, reader.pos + length, strings));
    } else reader.skip(tag);
  }
  return events;
}

/** The `uint64` in field 1 of a message such as CaughtUp or Heartbeat (0 when absent). */
export function decodeFirstUint64(bytes: Uint8Array, field: string): number {
  return decodeUint64Fields(bytes, [field])[0] ?? 0;
}

/** The `uint64`s in fields 1…n of a message such as FellBehind, in field order (0 when absent). */
export function decodeUint64Fields(bytes: Uint8Array, fields: readonly string[]): number[] {
  const reader = new WireReader(bytes);
  const values = fields.map(() => 0);
  while (reader.pos < reader.end) {
    const tag = reader.uint32();
    const index = (tag >>> 3) - 1;
    if (index >= 0 && index < fields.length && (tag & 7) === VARINT)
      values[index] = reader.uint64(fields[index]!);
    else reader.skip(tag);
  }
  return values;
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
/** EventBatch.events: field 1, length-delimited. */
const EVENT_TAG = (1 << 3) | LENGTH_DELIMITED;

function decodeEvent(reader: WireReader, end: number, strings: RepeatedStrings): AxonEvent {
  if (end > reader.end) throw malformed("an event runs past the end of its batch");
  let sequence = 0;
  let axonId = "";
  let timestampMs = 0;
  let origin = 0;
  let source = "";
  let eventType = "";
  let payload = "";
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag) {
      case (1 << 3) | VARINT:
        sequence = reader.uint64("sequence");
        break;
      case (2 << 3) | LENGTH_DELIMITED:
        axonId = strings.axonId.read(reader);
        break;
      case (3 << 3) | VARINT:
        timestampMs = reader.int64("timestamp_ms");
        break;
      case (4 << 3) | VARINT:
        origin = reader.int32();
        break;
      case (5 << 3) | LENGTH_DELIMITED:
        source = strings.source.read(reader);
        break;
      case (6 << 3) | LENGTH_DELIMITED:
        eventType = strings.eventType.read(reader);
        break;
      case (7 << 3) | LENGTH_DELIMITED:
        payload = reader.string(reader.length());
        break;
      default:
        if (tag >>> 3 >= 1 && tag >>> 3 <= 7)
          throw malformed(`event field ${tag >>> 3} has wire type ${tag & 7}`);
        reader.skip(tag);
    }
  }
  if (reader.pos !== end) throw malformed("an event's last field runs past the event");
  return new EventRecord(sequence, axonId, timestampMs, originName(origin), source, eventType, payload);
}

const utf8 = new TextDecoder();

/** A cursor over protobuf bytes that refuses to read past the end. */
class WireReader {
  pos = 0;
  readonly end: number;

  constructor(readonly bytes: Uint8Array) {
    this.end = bytes.length;
  }

  /** A varint of at most 32 significant bits (tags, lengths). */
  uint32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.byte();
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result >>> 0;
    }
    // Longer varints hold bits a 32-bit field drops; consume them.
    for (let i = 0; i < 5; i++) if (this.byte() < 0x80) return result >>> 0;
    throw malformed("a varint is longer than 10 bytes");
  }

  /** An int32 (enums): sign-extended, so negative values arrive as 10-byte varints. */
  int32(): number {
    return this.uint32() | 0;
  }

  /** A uint64 as a number, refusing values a number cannot hold exactly. */
  uint64(field: string): number {
    const start = this.pos;
    const value = this.uint49();
    if (value !== undefined) return value;
    this.pos = start;
    return toSafeNumber(this.bigVarint(), field);
  }

  /** An int64 as a number (two's complement on the wire), refusing values beyond ±2^53. */
  int64(field: string): number {
    const start = this.pos;
    const value = this.uint49();
    if (value !== undefined) return value;
    this.pos = start;
    return toSafeNumber(BigInt.asIntN(64, this.bigVarint()), field);
  }

  length(): number {
    const length = this.uint32();
    if (this.pos + length > this.end) throw malformed("a field's length runs past the end of the message");
    return length;
  }

  string(length: number): string {
    const start = this.pos;
    this.pos += length;
    return utf8.decode(this.bytes.subarray(start, start + length));
  }

  skip(tag: number): void {
    switch (tag & 7) {
      case VARINT:
        this.bigVarint();
        return;
      case FIXED64:
        this.advance(8);
        return;
      case LENGTH_DELIMITED: {
        const length = this.length(); // before reading pos: length() moves it past the varint
        this.pos += length;
        return;
      }
      case FIXED32:
        this.advance(4);
        return;
      default:
        throw malformed(`unsupported wire type ${tag & 7} in field ${tag >>> 3}`);
    }
  }

  /** A varint of at most 7 bytes (49 bits: always a safe number), or undefined if it is longer. */
  private uint49(): number | undefined {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      const byte = this.byte();
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 0x80;
    }
    return undefined;
  }

  private bigVarint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.byte();
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, result);
    }
    throw malformed("a varint is longer than 10 bytes");
  }

  private byte(): number {
    if (this.pos >= this.end) throw malformed("the message ends inside a varint");
    return this.bytes[this.pos++]!;
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw malformed("a fixed-width field runs past the end of the message");
    this.pos += n;
  }
}

/**
 * Axon id, source and event type repeat from one event to the next; comparing a few bytes with the
 * previous event's is cheaper than decoding them again.
 */
class RepeatedString {
  private bytes: Uint8Array | undefined;
  private value = "";

  read(reader: WireReader): string {
    const length = reader.length();
    const start = reader.pos;
    const previous = this.bytes;
    if (previous !== undefined && previous.length === length && length <= 256) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (previous[i] !== reader.bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) {
        reader.pos += length;
        return this.value;
      }
    }
    this.value = reader.string(length);
    this.bytes = reader.bytes.subarray(start, start + length);
    return this.value;
  }
}

class RepeatedStrings {
  readonly axonId = new RepeatedString();
  readonly source = new RepeatedString();
  readonly eventType = new RepeatedString();
}

function malformed(what: string): ConnectError {
  return new ConnectError(`malformed Subscribe response: ${what}`, Code.Internal);
}
