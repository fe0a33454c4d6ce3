/** What loading an axon found on disk about where its events end. */
export interface HeadEvidence {
  /** First sequence of the oldest chunk, if any. */
  readonly oldestFirst: number | undefined;
  /** Last sequence of the newest chunk, if any. */
  readonly newestLast: number | undefined;
  /** The high-water mark written with every append; undefined for axons written before it existed. */
  readonly headRecord: number | undefined;
  /** The trim line (keys.trimLine): events below it were trimmed on purpose. Default 1. */
  readonly firstSequence?: number;
}

export type RecoveredHead =
  | { readonly head: number; readonly damage?: undefined }
  /** The axon is damaged: reads of the affected range fail, and it takes no more writes. */
  | { readonly head: number; readonly damage: { from: number; to: number; detail: string } };

/**
 * Decides an axon's head from what is on disk. The head never moves back below the recorded
 * high-water mark: if events up to it are missing, handing their sequences out again would give two
 * different events one sequence, so the axon is reported damaged instead.
 */
export function recoverHead(evidence: HeadEvidence): RecoveredHead {
  const { oldestFirst, newestLast, headRecord } = evidence;
  const line = evidence.firstSequence ?? 1;
  // Everything below the trim line is gone on purpose (chunks that straddle it may remain), so the
  // events found end at the trim line at least.
  const found = Math.max(newestLast ?? 0, line - 1);
  if (oldestFirst !== undefined && oldestFirst > line) {
    return {
      head: Math.max(found, headRecord ?? 0),
      damage: { from: line, to: oldestFirst - 1, detail: `events ${line}..${oldestFirst - 1} are missing` },
    };
  }
  if (headRecord === undefined || headRecord === found) return { head: found };
  if (headRecord > found) {
    return {
      head: headRecord,
      damage: {
        from: found + 1,
        to: headRecord,
        detail: `the axon acknowledged events up to ${headRecord} but only ${found} are on disk`,
      },
    };
  }
  return {
    head: found,
    damage: {
      from: headRecord + 1,
      to: found,
      detail: `events after the recorded head ${headRecord} are on disk (up to ${found})`,
    },
  };
}
