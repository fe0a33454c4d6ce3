import { eventSize, type StoredEvent } from "../log-store.js";

/** One read as a property test draws it. */
export interface ModelRead {
  readonly after: number;
  readonly limit: number;
  readonly descending: boolean;
  readonly maxBytes?: number;
}

/**
 * What `LogStore.read` must return for `read`, computed from every event of the axon: the slice
 * after (or, descending, before) the cursor, cut at the limit, and at the first event that reaches
 * the byte budget (that event included, so a read always makes progress).
 */
export function modelSlice(all: readonly StoredEvent[], read: ModelRead): StoredEvent[] {
  const head = all.length;
  let expected = read.descending
    ? all.filter((e) => e.sequence < (read.after > 0 ? read.after : head + 1)).reverse()
    : all.filter((e) => e.sequence > read.after);
  expected = expected.slice(0, read.limit);
  if (read.maxBytes === undefined) return expected;
  let bytes = 0;
  const capped: StoredEvent[] = [];
  for (const e of expected) {
    capped.push(e);
    bytes += eventSize(e);
    if (bytes >= read.maxBytes) break;
  }
  return capped;
}
