/**
 * What the commit witness (a small file beside LevelDB, commit-witness.ts) says about the newest
 * batch it knows to be acknowledged, or why it says nothing.
 */
export type WitnessReading =
  /**
   * `journaled`: a checkpoint of a store with a write-ahead journal, which must then exist.
   * `clean`: the store was closed cleanly after that checkpoint, so its journal holds nothing newer.
   */
  | { readonly kind: "acked"; readonly acked: number; readonly journaled?: true; readonly clean?: true }
  /** No witness file: a new store, or one written before the witness existed. */
  | { readonly kind: "missing" }
  /** The file exists but neither slot is intact. */
  | { readonly kind: "unreadable"; readonly detail: string };

export type CommitCheck =
  | { readonly kind: "ok" }
  | {
      readonly kind: "refuse";
      readonly reason: string;
      /** Commits the witness knows acknowledged that LevelDB no longer holds, when known. */
      readonly lost?: { readonly from: number; readonly to: number };
    };

/**
 * Did LevelDB lose commits it held durably? `levelCommits` is the count LevelDB holds (m!commits, put
 * in every batch), read before the write-ahead journal is replayed; the witness records the
 * checkpoint, a commit number LevelDB held durably, in a file outside LevelDB.
 *
 * Why `levelCommits >= acked` is exactly the legal range (ClassicLevelBackend):
 *  - The witness is written only after LevelDB holds every commit up to its number durably (a
 *    checkpoint fdatasyncs LevelDB's logs first), so a sound store never holds fewer. Checked
 *    before the replay: the journal may already have overwritten the records of those commits, so
 *    replaying what it still holds could not give them back and would hide their loss.
 *  - Commits after the checkpoint are in the journal, whole, before they are acknowledged, and the
 *    replay at open writes them back into LevelDB (decide-journal-replay.ts).
 *  - Witness writes alternate between two slots, so a torn write leaves the checkpoint before it,
 *    which only weakens the check, never refuses a sound store.
 * Stores written before the journal recorded "n issued" per commit (acked = n - 1) and "n
 * acknowledged" at a clean close; the same inequality holds for them.
 */
export function decideCommitCheck(
  storePath: string,
  witnessPath: string,
  levelCommits: number,
  witness: WitnessReading,
): CommitCheck {
  if (witness.kind === "missing") return { kind: "ok" };
  if (witness.kind === "unreadable") {
    return {
      kind: "refuse",
      reason:
        `the commit witness ${witnessPath} is damaged (${witness.detail}), so it cannot tell whether ` +
        `the store in ${storePath} lost acknowledged writes. Run axond verify on the data dir; if it ` +
        "finds no damage, move the witness file aside and start again (a new one is written)",
    };
  }
  if (levelCommits >= witness.acked) return { kind: "ok" };
  const lost = { from: levelCommits + 1, to: witness.acked };
  const count = witness.acked - levelCommits;
  return {
    kind: "refuse",
    lost,
    reason:
      `the store in ${storePath} lost acknowledged writes: LevelDB holds ${levelCommits} commits but ` +
      `${witnessPath} records ${witness.acked} as acknowledged, so ${count} acknowledged ` +
      `commit${count === 1 ? "" : "s"} (${lost.from}..${lost.to}) are gone (typically a write-ahead ` +
      "log cut short by a crash or a lying disk). Starting would hand their sequence numbers out " +
      "again. Restore the data dir from a backup; run axond verify on it to see which axons are " +
      "affected; only to accept the loss (lost sequences may then be reused), move the witness file " +
      "and the write-ahead journal (OPENAXON-JOURNAL) aside",
  };
}
