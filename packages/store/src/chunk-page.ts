import { decodeChunk } from "./event-codec.js";
import type { StoredEvent } from "./log-store.js";

/** Events `from..to` (inclusive) of one stored chunk, still encoded. */
export interface ChunkSlice {
  readonly chunk: Uint8Array;
  readonly from: number;
  readonly to: number;
}

/**
 * A page of an axon's events as the store holds them: slices of verified chunks, consecutive and in
 * ascending order. Replay reads these so that the wire encoder can transcode the stored bytes
 * (ChunkCursor) rather than decode every string only to encode it again.
 */
export interface ChunkPage {
  readonly axonId: string;
  readonly slices: readonly ChunkSlice[];
  /** Events in the page. */
  readonly count: number;
  /** The last event's sequence (0 for an empty page). */
  readonly lastSequence: number;
  /** The events' sizes summed as ChunkCursor#size measures them (UTF-8 text + overhead). */
  readonly bytes: number;
}

/** The page's events, decoded (for consumers that need them as objects). */
export function chunkPageEvents(page: ChunkPage): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (const slice of page.slices) {
    for (const event of decodeChunk(page.axonId, slice.chunk, slice.from, slice.to)) out.push(event);
  }
  return out;
}
