import { alignToPage, JOURNAL_PAGE } from "./journal-file.js";

/** Where a record goes, and what must be checkpointed before it may be written there. */
export interface JournalPlace {
  readonly offset: number;
  readonly length: number;
  /**
   * The newest commit whose record the write may overwrite: LevelDB must hold it durably (a
   * checkpoint at or past it) before the write starts. 0 when the space holds nothing needed.
   */
  readonly mustCheckpoint: number;
  /** The write moves into the other half: time to checkpoint the half it leaves, in the background. */
  readonly leavesHalf: boolean;
}

/**
 * The journal's records area as a ring of two halves, written front to back. A half is entered
 * only once every commit it holds from its previous lap is checkpointed; leaving a half starts the
 * checkpoint that frees it, so by the time the writer comes round again it is normally done and a
 * write never waits for it. Pure bookkeeping: the backend does the I/O.
 */
export class JournalSpace {
  private readonly mid: number;
  private position: number;
  private half: 0 | 1 = 0;
  /** The newest commit with bytes in each half. */
  private readonly newest: [number, number] = [0, 0];

  constructor(
    private readonly start: number,
    private readonly end: number,
  ) {
    this.mid = start + Math.floor((end - start) / 2 / JOURNAL_PAGE) * JOURNAL_PAGE;
    this.position = start;
  }

  /** The largest record the ring takes; larger commits bypass the journal. */
  get maxRecordBytes(): number {
    return Math.min(this.mid - this.start, this.end - this.mid);
  }

  place(length: number): JournalPlace {
    if (length > this.maxRecordBytes)
      throw new RangeError(`a ${length}-byte record does not fit the journal`);
    const offset = this.position + length > this.end ? this.start : this.position;
    const last = this.halfOf(offset + length - 1);
    const first = this.halfOf(offset);
    // Entering a half means its previous lap's records are about to be overwritten.
    let mustCheckpoint = 0;
    for (const half of [first, last]) {
      if (half !== this.half) mustCheckpoint = Math.max(mustCheckpoint, this.newest[half]);
    }
    return { offset, length, mustCheckpoint, leavesHalf: last !== this.half };
  }

  /** Records that commit `commit` was written where `place` said. */
  written(place: JournalPlace, commit: number): void {
    const first = this.halfOf(place.offset);
    const last = this.halfOf(place.offset + place.length - 1);
    this.newest[first] = commit;
    this.newest[last] = commit;
    this.half = last;
    this.position = place.offset + alignToPage(place.length);
  }

  private halfOf(offset: number): 0 | 1 {
    return offset < this.mid ? 0 : 1;
  }
}
