import { mkdir, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommitWitness, commitWitnessPath, readCommitWitness, witnessSlotOffset } from "./commit-witness.js";
import { decideCommitCheck } from "./decide-commit-check.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "openaxon-witness-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirs = 0;
const freshDir = () => join(root, `${dirs++}`);

async function tear(dir: string, number: number): Promise<void> {
  const file = await open(commitWitnessPath(dir), "r+");
  await file.write(Buffer.alloc(20, 0xa5), 0, 20, witnessSlotOffset(number));
  await file.close();
}

const check = async (dir: string, levelCommits: number) =>
  decideCommitCheck(dir, commitWitnessPath(dir), levelCommits, await readCommitWitness(dir)).kind;

/** How a crash leaves the batch in flight: in LevelDB or not, in the witness, not, or torn. */
const inFlight = fc.record({
  level: fc.boolean(),
  witness: fc.constantFrom("none", "written", "torn"),
});

// The reasoning in decide-commit-check.ts, run against the real witness file: over any sequence of
// runs ending cleanly or in a crash (with the batch in flight landing anywhere), a sound store is
// never refused, and LevelDB behind what was acknowledged is (by one after a clean close, by two
// after a crash).
describe("commit witness", () => {
  it("never refuses a sound store and catches lost acknowledged batches", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ batches: fc.nat({ max: 4 }), crash: fc.option(inFlight) }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (runs) => {
          const dir = freshDir();
          await mkdir(dir);
          let level = 0;
          let acked = 0;
          let cleanEnd = true;
          for (const run of runs) {
            expect(await check(dir, level)).toBe("ok");
            const witness = await CommitWitness.open(dir, level);
            let commits = level;
            for (let i = 0; i < run.batches; i++) {
              const n = commits + 1;
              await witness.issued(n);
              level = n;
              commits = n;
              acked = n;
            }
            if (run.crash) {
              const n = commits + 1;
              if (run.crash.witness === "written") await witness.issued(n);
              await witness.close();
              if (run.crash.witness === "torn") await tear(dir, n);
              if (run.crash.level) level = n;
              cleanEnd = false;
            } else {
              await witness.acknowledged(commits);
              await witness.close();
              cleanEnd = true;
            }
          }
          expect(await check(dir, level)).toBe("ok");
          const detectable = cleanEnd ? acked - 1 : acked - 2;
          if (detectable >= 0) expect(await check(dir, detectable)).toBe("refuse");
        },
      ),
      { numRuns: 40 },
    );
  });

  it("reads the other slot when one is torn, and reports a file with both torn as unreadable", async () => {
    const dir = freshDir();
    await mkdir(dir);
    const witness = await CommitWitness.open(dir, 0);
    await witness.issued(1);
    await witness.issued(2);
    await witness.close();
    expect(await readCommitWitness(dir)).toEqual({ kind: "acked", acked: 1 });
    await tear(dir, 2);
    expect(await readCommitWitness(dir)).toEqual({ kind: "acked", acked: 0 });
    await tear(dir, 1);
    expect(await readCommitWitness(dir)).toMatchObject({ kind: "unreadable" });
    expect(await check(dir, 5)).toBe("refuse");
  });
});
