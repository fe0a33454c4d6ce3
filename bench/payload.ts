/** A realistic ~150-byte JSON payload, different for every event. */
export function benchPayload(i: number): string {
  return JSON.stringify({
    kind: "file.edit",
    path: `src/components/widget-${i % 997}.tsx`,
    user: `user-${i % 31}`,
    lines: { added: i % 17, removed: i % 5 },
    note: "benchmark event with a body of typical size",
    n: i,
  });
}

/** Replays compare every this many events' payload with what was published. */
export const SPOT_CHECK_EVERY = 4096;

/** Throws unless `payload` is what the bench published as event `sequence` (payload index sequence - 1). */
export function spotCheck(sequence: number, payload: string): void {
  if (payload !== benchPayload(sequence - 1)) {
    throw new Error(`event ${sequence} came back with payload ${payload.slice(0, 80)}…`);
  }
}
