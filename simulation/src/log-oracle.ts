import { crc32 } from "node:zlib";
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
 *   e!<axonId>!<sequence: 16 hex>  →  version 1: one event
 *       u8 1 | f64 sequence | f64 timestamp | u8 origin | u32 len | source | u32 len | type | payload
 *                                  →  version 2: one append's events (a chunk), keyed by the first
 *       u8 2 | f64 first | f64 timestamp | u32 count | count × (u8 origin | u32 len | source |
 *                                                           u32 len | type | u32 len | payload)
 *                                  →  version 3: version 2 with a CRC-32 of every later byte
 *       u8 3 | u32 crc32 | f64 first | f64 timestamp | u32 count | count × (as version 2)
 */
export function eventsOnDisk(snapshot: MemoryBackend): Map<string, DiskEvent[]> {
  const byAxon = new Map<string, DiskEvent[]>();
  const entries = [...snapshot.snapshot()]
    .filter(([key]) => key.startsWith("e!"))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [key, value] of entries) {
    const cut = key.lastIndexOf("!");
    const axonId = key.slice(2, cut);
    let list = byAxon.get(axonId);
    if (!list) {
      list = [];
      byAxon.set(axonId, list);
    }
    list.push(...decodeDiskValue(value, Number.parseInt(key.slice(cut + 1), 16)));
  }
  return byAxon;
}

/** What an axon retains on the disk: sequences first..head, and their events. */
export interface RetainedLog {
  /** The trim line: the oldest sequence a read may return (1 when never trimmed). */
  readonly first: number;
  /** The newest sequence: the last retained event's, or first - 1 when retention took them all. */
  readonly head: number;
  /** The events at or above the trim line, in key order. */
  readonly events: readonly DiskEvent[];
}

/** The log of an axon nothing was written to yet. */
export const EMPTY_LOG: RetainedLog = { first: 1, head: 0, events: [] };

/**
 * Each axon's trim line as the disk records it (`t!<axonId>` → JSON `{ firstSequence, … }`):
 * events below it were trimmed on purpose, whether or not their chunk is deleted yet.
 */
export function trimLinesOnDisk(snapshot: MemoryBackend): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of snapshot.snapshot()) {
    if (!key.startsWith("t!")) continue;
    const line = JSON.parse(Buffer.from(value).toString("utf8")) as { firstSequence?: unknown };
    if (typeof line.firstSequence !== "number" || !Number.isInteger(line.firstSequence)) {
      throw new Error(`trim line ${key} holds no integer firstSequence`);
    }
    out.set(key.slice(2), line.firstSequence);
  }
  return out;
}

/**
 * What every axon retains: its events at or above its trim line. A chunk that straddles the line
 * keeps its trimmed events on disk until the line passes it, and a pass cut short leaves chunks
 * below the line; neither counts as retained.
 */
export function retainedOnDisk(snapshot: MemoryBackend): Map<string, RetainedLog> {
  const lines = trimLinesOnDisk(snapshot);
  const out = new Map<string, RetainedLog>();
  const events = eventsOnDisk(snapshot);
  for (const axonId of new Set([...events.keys(), ...lines.keys()])) {
    const first = lines.get(axonId) ?? 1;
    const kept = (events.get(axonId) ?? []).filter((e) => e.sequence >= first);
    out.set(axonId, { first, head: kept.at(-1)?.sequence ?? first - 1, events: kept });
  }
  return out;
}

/** Idempotency keys recorded on disk, per axon. */
export function idempotencyKeysOnDisk(snapshot: MemoryBackend): Set<string> {
  const out = new Set<string>();
  for (const key of snapshot.snapshot().keys()) if (key.startsWith("i!")) out.add(key.slice(2));
  return out;
}

/**
 * Decodes one stored value into its events. `keySequence` of each is what the key says its
 * sequence should be (the key's sequence, plus its position in a chunk).
 */
export function decodeDiskValue(bytes: Uint8Array, keySequence: number): DiskEvent[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = buf.readUInt8(0);
  const str = (at: number): [string, number] => {
    const n = buf.readUInt32LE(at);
    return [buf.toString("utf8", at + 4, at + 4 + n), at + 4 + n];
  };
  if (version === 1) {
    const origin = buf.readUInt8(17);
    const [source, o1] = str(18);
    const typeLength = buf.readUInt32LE(o1);
    const eventType = buf.toString("utf8", o1 + 4, o1 + 4 + typeLength);
    const payload = buf.toString("utf8", o1 + 4 + typeLength);
    return [{ sequence: buf.readDoubleLE(1), keySequence, origin, source, eventType, payload }];
  }
  if (version === 2 || version === 3 || version === 4) {
    // Version 3 inserts the checksum after the version byte; the rest is laid out as version 2.
    // Version 4 (appends joined at group commit) adds each event's f64 timestamp after its origin.
    const at = version === 2 ? 1 : 5;
    if (version !== 2 && buf.readUInt32LE(1) !== crc32(buf.subarray(5))) {
      throw new Error(`event at key sequence ${keySequence}: chunk checksum mismatch`);
    }
    const first = buf.readDoubleLE(at);
    const count = buf.readUInt32LE(at + 16);
    const out: DiskEvent[] = [];
    let o = at + 20;
    for (let i = 0; i < count; i++) {
      const origin = buf.readUInt8(o);
      const [source, o1] = str(o + (version === 4 ? 9 : 1));
      const [eventType, o2] = str(o1);
      const [payload, o3] = str(o2);
      o = o3;
      out.push({ sequence: first + i, keySequence: keySequence + i, origin, source, eventType, payload });
    }
    return out;
  }
  throw new Error(`event at key sequence ${keySequence}: unknown encoding version ${version}`);
}
