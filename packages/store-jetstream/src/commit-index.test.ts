import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CommitIndex } from "./commit-index.js";

describe("CommitIndex", () => {
  it("finds the commit holding any sequence, and refuses commits that would leave a gap or overlap", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 40 }), (counts) => {
        const index = new CommitIndex();
        const model: Array<{ first: number; streamSeq: number }> = [];
        let next = 1;
        counts.forEach((count, i) => {
          const streamSeq = i + 1;
          // A commit that does not start right after the head is refused, whatever it claims.
          if (count > 0) expect(index.add(streamSeq, next + 1, count)).toBe(false);
          expect(index.add(streamSeq, next, count)).toBe(true);
          if (count > 0) model.push({ first: next, streamSeq });
          next += count;
        });
        expect(index.head).toBe(next - 1);
        expect(index.commits).toBe(model.length);
        for (let sequence = 1; sequence < next; sequence++) {
          const expected = model.findLast((c) => c.first <= sequence)!;
          expect(index.streamSeqAt(index.positionOf(sequence))).toBe(expected.streamSeq);
        }
        // Seen again (the feed and a scan both deliver it): ignored, not refused.
        expect(index.add(1, 1, 1)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
