/**
 * Where an axon's commits are in the stream: for each commit (in order) the axon sequence of its
 * first event and its stream sequence. Grown only contiguously (a commit is taken only if it
 * starts right after the last one known), so a gap in what was seen is never papered over: the
 * reader scans the subject from `coveredStreamSeq` instead.
 */
export class CommitIndex {
  private readonly firsts: number[] = [];
  private readonly streamSeqs: number[] = [];
  /** Axon sequence the next commit must start at. */
  private nextFirst = 1;
  /** Every commit of the axon up to this stream sequence is in the index. */
  coveredStreamSeq = 0;

  get head(): number {
    return this.nextFirst - 1;
  }

  /** Records a commit seen at `streamSeq`; false (and ignored) unless it continues the index. */
  add(streamSeq: number, first: number, count: number): boolean {
    if (streamSeq <= this.coveredStreamSeq) return true;
    if (count === 0) {
      this.coveredStreamSeq = streamSeq;
      return true;
    }
    if (first !== this.nextFirst) return false;
    this.firsts.push(first);
    this.streamSeqs.push(streamSeq);
    this.nextFirst = first + count;
    this.coveredStreamSeq = streamSeq;
    return true;
  }

  /** Position of the commit holding axon sequence `sequence` (1 <= sequence <= head). */
  positionOf(sequence: number): number {
    let lo = 0;
    let hi = this.firsts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firsts[mid]! <= sequence) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  streamSeqAt(position: number): number {
    return this.streamSeqs[position]!;
  }

  get commits(): number {
    return this.firsts.length;
  }
}
