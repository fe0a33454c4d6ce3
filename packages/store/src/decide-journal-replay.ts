/**
 * What to replay from the write-ahead journal at open, decided from commit numbers alone.
 *
 * LevelDB is written without its own sync while the journal is in use, so after a crash it may
 * hold any subset of the commits after the last checkpoint (a torn log can even keep a later commit
 * and lose an earlier one). The journal holds every commit after the checkpoint, each whole before
 * it was acknowledged, and a record is overwritten only after a checkpoint made it durable in
 * LevelDB. Replaying all of them, in order, over whatever LevelDB kept gives back exactly the state
 * after the newest: each op writes a whole value, so for every key the last write wins.
 *
 * That holds only if the records after the checkpoint run without a gap from checkpoint + 1, and
 * LevelDB holds nothing newer than the newest record. Anything else means the journal or LevelDB is
 * damaged, and the store is refused rather than served with commits missing.
 */
export type JournalReplay =
  | { readonly kind: "replay"; readonly numbers: readonly number[] }
  | { readonly kind: "refuse"; readonly reason: string };

export function decideJournalReplay(input: {
  readonly journalPath: string;
  /** The newest commit known durable in LevelDB (the witness's checkpoint). */
  readonly checkpoint: number;
  /** The commit count LevelDB holds now (m!commits). */
  readonly levelCommits: number;
  /** Commit numbers of the intact records found in the journal, any order, stale ones included. */
  readonly found: readonly number[];
}): JournalReplay {
  const { journalPath, checkpoint, levelCommits } = input;
  const numbers = input.found.filter((n) => n > checkpoint).sort((a, b) => a - b);
  if (numbers.length === 0) return { kind: "replay", numbers };
  for (const [i, n] of numbers.entries()) {
    const expected = checkpoint + 1 + i;
    if (n === expected) continue;
    const missing = n > expected ? `${expected}..${n - 1} are missing` : `${n} appears twice`;
    return {
      kind: "refuse",
      reason:
        `the write-ahead journal ${journalPath} is damaged: it should hold every commit after the ` +
        `checkpoint ${checkpoint}, but ${missing}. The store may have lost acknowledged writes. ` +
        "Restore the data dir from a backup; run axond verify on it to see which axons are affected",
    };
  }
  const newest = numbers[numbers.length - 1]!;
  if (levelCommits > newest) {
    return {
      kind: "refuse",
      reason:
        `LevelDB holds ${levelCommits} commits but the write-ahead journal ${journalPath} ends at ` +
        `${newest}: one of them does not belong to this store, or was damaged. Restore the data dir ` +
        "from a backup; run axond verify on it to see which axons are affected",
    };
  }
  return { kind: "replay", numbers };
}
