import type { MemoryBackend } from "@openaxon/store";

/** An event as it lies on the simulated disk. */
export interface DiskEvent {
  readonly sequence: number;
  /** The sequence the key says; it must equal `sequence`. */
  readonly keySequence: number;
  readonly origin: number;
  readonly source: string;
  readonly eventType: string;
  readonly payload: string;
}

/**
 * The invariants' own reading of the disk: it decodes the store's key layout and event encoding
 * independently of the store's code (an oracle shares no code with what it checks), so a bug in the
 * store's decoding cannot hide a bug in its writing.
 *
 *   e!<axonId>!<sequence: 16 hex>  →  u8 version | f64 sequence | f64 timestamp | u8 origin |
 *                                     u32 len | source | u32 len | event type | payload
 */
export function eventsOnDisk(snapshot: MemoryBackend): Map<string, DiskEvent[]> {
  const byAxon = new Map<string, DiskEvent[]>();
  const entries = [...snapshot.snapshot()]
    .filter(([key]) => key.startsWith("e!"))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [key, value] of entries) {
    const cut = key.lastIndexOf("!");
    const axonId = key.slice(2, cut);
    const event = decodeDiskEvent(value, Number.parseInt(key.slice(cut + 1), 16));
    let list = byAxon.get(axonId);
    if (!list) {
      list = [];
      byAxon.set(axonId, list);
    }
    list.push(event);
  }
  return byAxon;
}

/** Idempotency keys recorded on disk, per axon. */
export function idempotencyKeysOnDisk(snapshot: MemoryBackend): Set<string> {
  const out = new Set<string>();
  for (const key of snapshot.snapshot().keys()) if (key.startsWith("i!")) out.add(key.slice(2));
  return out;
}

/** Decodes one event value (the key's sequence is passed for the consistency check). */
export function decodeDiskEvent(bytes: Uint8Array, keySequence: number): DiskEvent {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.readUInt8(0) !== 1) throw new Error(`event ${keySequence}: unknown encoding version ${buf[0]}`);
  const sequence = buf.readDoubleLE(1);
  const origin = buf.readUInt8(17);
  let o = 18;
  const sourceLength = buf.readUInt32LE(o);
  o += 4;
  const source = buf.toString("utf8", o, o + sourceLength);
  o += sourceLength;
  const typeLength = buf.readUInt32LE(o);
  o += 4;
  const eventType = buf.toString("utf8", o, o + typeLength);
  o += typeLength;
  return { sequence, keySequence, origin, source, eventType, payload: buf.toString("utf8", o) };
}
