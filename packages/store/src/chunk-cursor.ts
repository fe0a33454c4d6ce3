import { chunkLayout } from "./event-codec.js";
import { EVENT_SIZE_OVERHEAD } from "./log-store.js";

/**
 * Steps through a chunk's events without decoding their strings, exposing where each field lies
 * in the chunk. A wire encoder can then copy the stored UTF-8 straight into its message instead of
 * decoding it into strings and encoding those again, which is most of what replay costs. The
 * chunk must already be verified (chunkProblem): the cursor trusts its lengths.
 */
export class ChunkCursor {
  /** The chunk, as a Buffer over the same memory. */
  readonly bytes: Buffer;
  sequence = 0;
  timestampMs = 0;
  origin = 0;
  sourceStart = 0;
  sourceEnd = 0;
  typeStart = 0;
  typeEnd = 0;
  payloadStart = 0;
  payloadEnd = 0;
  private offset: number;
  private remaining: number;
  private readonly perEventTime: boolean;

  constructor(chunk: Uint8Array) {
    this.bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const layout = chunkLayout(chunk);
    this.sequence = layout.firstSequence - 1;
    this.timestampMs = layout.timestampMs;
    this.remaining = layout.count;
    this.perEventTime = layout.perEventTime;
    this.offset = layout.eventsAt;
  }

  /** Moves to the next event; false once past the last. */
  next(): boolean {
    if (this.remaining === 0) return false;
    this.remaining--;
    this.sequence++;
    const buf = this.bytes;
    let o = this.offset;
    this.origin = buf[o]!;
    o += 1;
    if (this.perEventTime) {
      this.timestampMs = buf.readDoubleLE(o);
      o += 8;
    }
    this.sourceStart = o + 4;
    this.sourceEnd = o = this.sourceStart + buf.readUInt32LE(o);
    this.typeStart = o + 4;
    this.typeEnd = o = this.typeStart + buf.readUInt32LE(o);
    this.payloadStart = o + 4;
    this.payloadEnd = o = this.payloadStart + buf.readUInt32LE(o);
    this.offset = o;
    return true;
  }

  /**
   * The current event's size for read budgets: eventSize, with its text fields counted in UTF-8
   * bytes rather than UTF-16 code units (never less than eventSize), so no string is decoded.
   */
  get size(): number {
    const text =
      this.sourceEnd -
      this.sourceStart +
      (this.typeEnd - this.typeStart) +
      (this.payloadEnd - this.payloadStart);
    return text + EVENT_SIZE_OVERHEAD;
  }
}
