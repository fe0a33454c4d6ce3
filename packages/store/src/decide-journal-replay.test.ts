import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideJournalReplay } from "./decide-journal-replay.js";

const decide = (checkpoint: number, levelCommits: number, found: number[]) =>
  decideJournalReplay({ journalPath: "/data/OPENAXON-JOURNAL", checkpoint, levelCommits, found });

describe("decideJournalReplay", () => {
  it("replays the commits after the checkpoint in order, ignoring stale records", () => {
    expect(decide(4, 5, [7, 2, 5, 3, 6, 4])).toEqual({ kind: "replay", numbers: [5, 6, 7] });
    expect(decide(4, 4, [1, 2, 3, 4])).toEqual({ kind: "replay", numbers: [] });
    expect(decide(0, 0, [])).toEqual({ kind: "replay", numbers: [] });
  });

  it("refuses a journal with a gap after the checkpoint, naming the missing commits", () => {
    const decision = decide(4, 4, [5, 6, 9]);
    expect(decision.kind).toBe("refuse");
    expect(decision.kind === "refuse" && decision.reason).toMatch(
      /\/data\/OPENAXON-JOURNAL is damaged: .* checkpoint 4, but 7\.\.8 are missing/,
    );
    expect(decide(4, 4, [6, 7]).kind).toBe("refuse");
    expect(decide(4, 4, [5, 5, 6]).kind).toBe("refuse");
  });

  it("refuses when LevelDB holds commits the journal does not end with", () => {
    const decision = decide(4, 9, [5, 6]);
    expect(decision.kind === "refuse" && decision.reason).toMatch(/LevelDB holds 9 commits .* ends at 6/);
  });

  it("replays exactly checkpoint+1..newest for any journal that kept them all", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1000 }),
        fc.nat({ max: 50 }),
        fc.nat({ max: 50 }),
        fc.nat(),
        (cp, stale, fresh, seed) => {
          const numbers = [
            ...Array.from({ length: Math.min(stale, cp) }, (_, i) => cp - i),
            ...Array.from({ length: fresh }, (_, i) => cp + 1 + i),
          ];
          const shuffled = numbers
            .map((n, i) => [((i + 1) * (seed + 7919)) % 104729, n] as const)
            .sort((a, b) => a[0] - b[0]);
          const decision = decide(
            cp,
            cp + Math.min(fresh, seed % 3),
            shuffled.map(([, n]) => n),
          );
          expect(decision).toEqual({
            kind: "replay",
            numbers: Array.from({ length: fresh }, (_, i) => cp + 1 + i),
          });
        },
      ),
    );
  });
});
