import type { Origin, StoredEvent } from "./log-store.js";

// Binary layout (little endian), version 1:
//   u8 version | f64 sequence | f64 timestampMs | u8 origin
//   u32 sourceLength | source | u32 eventTypeLength | eventType | payload (rest)
// Hand-rolled rather than JSON: replay decodes millions of events and this avoids re-escaping the
// JSON payload inside another JSON document.
const VERSION = 1;
const HEADER = 1 + 8 + 8 + 1;

export function encodeEvent(event: StoredEvent): Uint8Array {
  const source = Buffer.from(event.source, "utf8");
  const eventType = Buffer.from(event.eventType, "utf8");
  const payload = Buffer.from(event.payload, "utf8");
  const buf = Buffer.allocUnsafe(HEADER + 4 + source.length + 4 + eventType.length + payload.length);
  let o = buf.writeUInt8(VERSION, 0);
  o = buf.writeDoubleLE(event.sequence, o);
  o = buf.writeDoubleLE(event.timestampMs, o);
  o = buf.writeUInt8(event.origin, o);
  o = buf.writeUInt32LE(source.length, o);
  o += source.copy(buf, o);
  o = buf.writeUInt32LE(eventType.length, o);
  o += eventType.copy(buf, o);
  payload.copy(buf, o);
  return buf;
}

export function decodeEvent(axonId: string, bytes: Uint8Array): StoredEvent {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = buf.readUInt8(0);
  if (version !== VERSION) throw new Error(`unknown event encoding version ${version}`);
  let o = 1;
  const sequence = buf.readDoubleLE(o);
  o += 8;
  const timestampMs = buf.readDoubleLE(o);
  o += 8;
  const origin = buf.readUInt8(o) as Origin;
  o += 1;
  const sourceLength = buf.readUInt32LE(o);
  o += 4;
  const source = buf.toString("utf8", o, o + sourceLength);
  o += sourceLength;
  const eventTypeLength = buf.readUInt32LE(o);
  o += 4;
  const eventType = buf.toString("utf8", o, o + eventTypeLength);
  o += eventTypeLength;
  const payload = buf.toString("utf8", o);
  return { axonId, sequence, timestampMs, origin, source, eventType, payload };
}
