import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JOURNAL_DATA_START, JOURNAL_PAGE } from "./journal-file.js";
import { JournalSpace } from "./journal-space.js";

describe("JournalSpace", () => {
  // The journal's safety rests on this: a write never lands on a page whose commit is not yet
  // checkpointed, however records are sized and whenever the background checkpoints finish.
  it("never places a record over a commit that is not checkpointed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 64 }),
        fc.array(
          fc.record({ fraction: fc.double({ min: 0, max: 1, noNaN: true }), backgroundDone: fc.boolean() }),
          {
            minLength: 1,
            maxLength: 300,
          },
        ),
        (pages, writes) => {
          const end = JOURNAL_DATA_START + pages * JOURNAL_PAGE;
          const space = new JournalSpace(JOURNAL_DATA_START, end);
          const owner = new Map<number, number>();
          let checkpointed = 0;
          let commit = 0;
          for (const write of writes) {
            const length = Math.max(1, Math.floor(write.fraction * space.maxRecordBytes));
            const place = space.place(length);
            // What the backend does: checkpoint everything so far when told to.
            if (place.mustCheckpoint > checkpointed) checkpointed = commit;
            expect(place.offset).toBeGreaterThanOrEqual(JOURNAL_DATA_START);
            expect(place.offset % JOURNAL_PAGE).toBe(0);
            expect(place.offset + length).toBeLessThanOrEqual(end);
            commit++;
            for (let page = place.offset; page < place.offset + length; page += JOURNAL_PAGE) {
              expect(owner.get(page) ?? 0).toBeLessThanOrEqual(checkpointed);
              owner.set(page, commit);
            }
            space.written(place, commit);
            if (place.leavesHalf && write.backgroundDone) checkpointed = commit;
          }
        },
      ),
    );
  });

  it("asks for no checkpoint while the first lap fills, and takes records up to half the space", () => {
    const space = new JournalSpace(JOURNAL_DATA_START, JOURNAL_DATA_START + 8 * JOURNAL_PAGE);
    expect(space.maxRecordBytes).toBe(4 * JOURNAL_PAGE);
    expect(() => space.place(4 * JOURNAL_PAGE + 1)).toThrow(RangeError);
    const places = [1, 2, 3, 4, 5, 6, 7, 8].map((commit) => {
      const place = space.place(100);
      space.written(place, commit);
      return place;
    });
    expect(places.map((p) => p.mustCheckpoint)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(places.map((p) => p.leavesHalf)).toEqual([false, false, false, false, true, false, false, false]);
    // The second lap starts over the first half, which held commits 1..4.
    expect(space.place(100)).toMatchObject({
      offset: JOURNAL_DATA_START,
      mustCheckpoint: 4,
      leavesHalf: true,
    });
  });
});
