/**
 * What the commit witness (a small file beside LevelDB, commit-witness.ts) says about the newest
 * batch it knows to be acknowledged, or why it says nothing.
 */
export type WitnessReading =
  | { readonly kind: "acked"; readonly acked: number }
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
 * Did LevelDB lose acknowledged batches? `levelCommits` is the count LevelDB holds (m!commits, put in
 * every batch); the witness records commit numbers in a file outside LevelDB's write-ahead log.
 *
 * Why `levelCommits >= acked` is exactly the legal range (ClassicLevelBackend.writeDurable):
 *  - Batches are numbered L+1, L+2, ... from the count L LevelDB held at open, and at most one is in
 *    flight. Batch n goes to LevelDB (count n, sync) and, concurrently, to the witness as "n issued";
 *    it is acknowledged only once both are durable. So when "n issued" is durable, n-1 was
 *    acknowledged (or, for the first batch of a run, was in LevelDB at open): acked = n-1.
 *  - A clean close writes "n acknowledged" (acked = n) after the last batch was acknowledged.
 *  - A crash leaves the in-flight batch n in LevelDB, in the witness, in both or in neither: LevelDB
 *    holds n-1 or n, the witness says acked n-1. So LevelDB may legally be ahead of the witness
 *    (its write landed, the witness's did not) but never behind it.
 *  - A torn witness write damages one slot; the other slot holds an older number, which only
 *    weakens the check, never refuses a sound store.
 * The limit of writing both concurrently (instead of one after the other, doubling latency): after
 * a crash the newest acknowledged batch looks like one in flight, so losing exactly that batch and
 * nothing before it is not detected. Any older loss is, and after a clean close any loss is.
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
      "affected; only to accept the loss (lost sequences may then be reused), move the witness file aside",
  };
}
