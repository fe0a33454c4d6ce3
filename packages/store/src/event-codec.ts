import { crc32 } from "node:zlib";
import type { Origin, StoredEvent } from "./log-store.js";

// One stored value holds consecutive events of one axon (a chunk): an append's, or several appends'
// that became durable in the same group commit. One LevelDB entry per append or more, instead of
// per event, is what makes batched publishing and replay cheap. Binary layout (little endian),
// version 3, for events sharing one timestamp:
//   u8 version | u32 crc32 | f64 firstSequence | f64 timestampMs | u32 count
//   count × ( u8 origin | u32 n | source | u32 n | eventType | u32 n | payload )   (strings UTF-8)
// The CRC-32 covers every byte after it, so a flipped or truncated chunk is caught on read
// (LevelDB's own block checksums are not verified on reads by classic-level). Version 2 is the
// same without the CRC field; such chunks stay readable, unverified. Version 4 is version 3 with
// each event's own timestamp (f64) after its origin byte, and the header's timestampMs that of the
// first event; it is written only when the events' timestamps differ (merged appends).
// Hand-rolled rather than JSON: replay decodes millions of events and this avoids re-escaping the
// JSON payload inside another JSON document.
const VERSION = 3;
const PER_EVENT_TIME_VERSION = 4;
const LEGACY_VERSION = 2;
const CRC_AT = 1;
/** Offset of firstSequence; timestampMs and count follow at +8 and +16. */
const fieldsAt = (version: number) => (version === LEGACY_VERSION ? 1 : 5);
const HEADER = 1 + 4 + 8 + 8 + 4;

/** Encodes consecutive events of one axon as one chunk (version 4 only if their timestamps differ). */
export function encodeChunk(events: readonly StoredEvent[]): Uint8Array {
  const first = events[0]!;
  let perEventTime = false;
  for (const e of events) if (e.timestampMs !== first.timestampMs) perEventTime = true;
  let size = HEADER;
  for (const e of events) {
    size +=
      1 + 12 + Buffer.byteLength(e.source) + Buffer.byteLength(e.eventType) + Buffer.byteLength(e.payload);
  }
  if (perEventTime) size += 8 * events.length;
  const buf = Buffer.allocUnsafe(size);
  let o = buf.writeUInt8(perEventTime ? PER_EVENT_TIME_VERSION : VERSION, 0) + 4;
  o = buf.writeDoubleLE(first.sequence, o);
  o = buf.writeDoubleLE(first.timestampMs, o);
  o = buf.writeUInt32LE(events.length, o);
  for (const e of events) {
    o = buf.writeUInt8(e.origin, o);
    if (perEventTime) o = buf.writeDoubleLE(e.timestampMs, o);
    o = writeString(buf, e.source, o);
    o = writeString(buf, e.eventType, o);
    o = writeString(buf, e.payload, o);
  }
  buf.writeUInt32LE(crc32(buf.subarray(CRC_AT + 4)), CRC_AT);
  return buf;
}

// Buffer#write and #toString validate arguments and look up the encoding on every call, which
// costs as much as the copy for short strings; utf8Write/utf8Slice are the methods they end in.
type FastUtf8 = Buffer & {
  utf8Write?: (value: string, offset: number, length: number) => number;
  utf8Slice?: (start: number, end: number) => string;
};
const proto = Buffer.prototype as FastUtf8;
const utf8Write =
  typeof proto.utf8Write === "function"
    ? (buf: Buffer, value: string, offset: number) =>
        (buf as FastUtf8).utf8Write!(value, offset, buf.length - offset)
    : (buf: Buffer, value: string, offset: number) => buf.write(value, offset, "utf8");
const utf8Slice =
  typeof proto.utf8Slice === "function"
    ? (buf: Buffer, start: number, end: number) => (buf as FastUtf8).utf8Slice!(start, end)
    : (buf: Buffer, start: number, end: number) => buf.toString("utf8", start, end);

function writeString(buf: Buffer, value: string, offset: number): number {
  const n = value.length === 0 ? 0 : utf8Write(buf, value, offset + 4);
  buf.writeUInt32LE(n, offset);
  return offset + 4 + n;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Offset of the header fields; throws on an unknown version. */
const truncated = (buf: Buffer) => new Error(`chunk of ${buf.length} bytes is truncated`);

function checkVersion(buf: Buffer): number {
  const version = buf.length > 0 ? buf.readUInt8(0) : -1;
  if (version !== VERSION && version !== PER_EVENT_TIME_VERSION && version !== LEGACY_VERSION) {
    throw new Error(`unknown event encoding version ${version}`);
  }
  if (buf.length < fieldsAt(version) + 20) throw truncated(buf);
  return fieldsAt(version);
}

/**
 * Why the chunk cannot be trusted (checksum mismatch, truncated, unknown version), or undefined if
 * it is intact. Version 2 chunks carry no checksum and only get the structural checks.
 */
export function chunkProblem(bytes: Uint8Array): string | undefined {
  const buf = asBuffer(bytes);
  try {
    const at = checkVersion(buf);
    if (buf.readUInt8(0) !== LEGACY_VERSION) {
      const stored = buf.readUInt32LE(CRC_AT);
      const actual = crc32(buf.subarray(CRC_AT + 4));
      if (stored !== actual) return `checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)})`;
    }
    checkStructure(buf, at);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Walks every event's fields as decodeChunk does and fails where it would, without decoding them:
 * verifying a chunk before reading it must not cost a second decode of every string.
 */
function checkStructure(buf: Buffer, at: number): void {
  const skip = buf.readUInt8(0) === PER_EVENT_TIME_VERSION ? 9 : 1; // origin (and timestamp)
  const count = buf.readUInt32LE(at + 16);
  let o = at + 20;
  for (let i = 0; i < count; i++) {
    o += skip;
    for (let field = 0; field < 3; field++) {
      if (o + 4 > buf.length) throw truncated(buf);
      o += 4 + buf.readUInt32LE(o);
    }
    if (o > buf.length) throw truncated(buf);
  }
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;

/** True for chunks written before checksums (version 2): readable, but not verifiable. */
export function isLegacyChunk(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0] === LEGACY_VERSION;
}

/** Sequence of the chunk's first event, read from the header only. */
export function chunkFirstSequence(bytes: Uint8Array): number {
  const buf = asBuffer(bytes);
  return buf.readDoubleLE(checkVersion(buf));
}

/** Sequence of the chunk's last event, read from the header only. */
export function chunkLastSequence(bytes: Uint8Array): number {
  const buf = asBuffer(bytes);
  const at = checkVersion(buf);
  return buf.readDoubleLE(at) + buf.readUInt32LE(at + 16) - 1;
}

/** The chunk's events' stored bytes (storedEventBytes summed): the chunk less its header and timestamps. */
export function chunkStoredBytes(bytes: Uint8Array): number {
  const buf = asBuffer(bytes);
  const at = checkVersion(buf);
  const timestamps = buf.readUInt8(0) === PER_EVENT_TIME_VERSION ? 8 * buf.readUInt32LE(at + 16) : 0;
  return buf.length - (at + 20) - timestamps;
}

/** The timestamp of the chunk's first event, read from the header only. */
export function chunkTimestamp(bytes: Uint8Array): number {
  const buf = asBuffer(bytes);
  return buf.readDoubleLE(checkVersion(buf) + 8);
}

/** Where a chunk's events start, and the header fields that apply to all of them. */
export interface ChunkLayout {
  readonly firstSequence: number;
  /** The first event's timestamp; every event's, unless `perEventTime`. */
  readonly timestampMs: number;
  readonly count: number;
  /** Each event carries its own timestamp (f64) after its origin byte (version 4). */
  readonly perEventTime: boolean;
  /** Offset of the first event. */
  readonly eventsAt: number;
}

/** The chunk's header, for readers that walk its events themselves (ChunkCursor). */
export function chunkLayout(bytes: Uint8Array): ChunkLayout {
  const buf = asBuffer(bytes);
  const at = checkVersion(buf);
  return {
    firstSequence: buf.readDoubleLE(at),
    timestampMs: buf.readDoubleLE(at + 8),
    count: buf.readUInt32LE(at + 16),
    perEventTime: buf.readUInt8(0) === PER_EVENT_TIME_VERSION,
    eventsAt: at + 20,
  };
}

/** Decodes the chunk's events with `from <= sequence <= to`, in ascending order. */
export function decodeChunk(
  axonId: string,
  bytes: Uint8Array,
  from = 0,
  to = Number.MAX_SAFE_INTEGER,
): StoredEvent[] {
  const buf = asBuffer(bytes);
  const at = checkVersion(buf);
  const perEventTime = buf.readUInt8(0) === PER_EVENT_TIME_VERSION;
  const first = buf.readDoubleLE(at);
  let timestampMs = buf.readDoubleLE(at + 8);
  const count = buf.readUInt32LE(at + 16);
  const out: StoredEvent[] = [];
  let o = at + 20;
  for (let i = 0; i < count; i++) {
    const sequence = first + i;
    if (sequence > to) break;
    const origin = buf[o] as Origin;
    o += 1;
    if (perEventTime) {
      if (o + 8 > buf.length) throw truncated(buf);
      timestampMs = buf.readDoubleLE(o);
      o += 8;
    }
    const sourceLength = buf.readUInt32LE(o);
    const sourceStart = o + 4;
    o = sourceStart + sourceLength;
    const typeLength = buf.readUInt32LE(o);
    const typeStart = o + 4;
    o = typeStart + typeLength;
    const payloadLength = buf.readUInt32LE(o);
    const payloadStart = o + 4;
    o = payloadStart + payloadLength;
    if (o > buf.length) throw truncated(buf);
    if (sequence < from) continue;
    out.push({
      axonId,
      sequence,
      timestampMs,
      origin,
      source: utf8Slice(buf, sourceStart, sourceStart + sourceLength),
      eventType: utf8Slice(buf, typeStart, typeStart + typeLength),
      payload: utf8Slice(buf, payloadStart, payloadStart + payloadLength),
    });
  }
  return out;
}

/** Splits one append into chunks of at most `maxEvents` events and about `maxBytes` bytes. */
/** Most events one chunk holds (splitIntoChunks' default): readers size their first read by it. */
export const CHUNK_MAX_EVENTS = 256;
/** Payload bytes past which splitIntoChunks starts a new chunk (one event may exceed it alone). */
export const CHUNK_MAX_BYTES = 1024 * 1024;

export function splitIntoChunks(
  events: readonly StoredEvent[],
  maxEvents = CHUNK_MAX_EVENTS,
  maxBytes = CHUNK_MAX_BYTES,
): StoredEvent[][] {
  const chunks: StoredEvent[][] = [];
  let current: StoredEvent[] = [];
  let bytes = 0;
  for (const e of events) {
    const size = e.payload.length + e.source.length + e.eventType.length;
    if (current.length > 0 && (current.length >= maxEvents || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
