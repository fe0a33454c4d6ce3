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

/** Tears the slot of the `index`th witness write since open (0-based). */
async function tear(dir: string, index: number): Promise<void> {
  const file = await open(commitWitnessPath(dir), "r+");
  await file.write(Buffer.alloc(20, 0xa5), 0, 20, witnessSlotOffset(index));
  await file.close();
}

const check = async (dir: string, levelCommits: number) =>
  decideCommitCheck(dir, commitWitnessPath(dir), levelCommits, await readCommitWitness(dir)).kind;

// The reasoning in decide-commit-check.ts, run against the real witness file: over any runs of
// checkpoints, the last one possibly torn by a crash, the witness reads the newest checkpoint that
// was not torn — the one before a torn write, never something older — a store holding what was
// checkpointed is never refused, and one holding less always is.
describe("commit witness", () => {
  it("never refuses a store holding its checkpoint and catches one holding less", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ steps: fc.array(fc.nat({ max: 3 }), { maxLength: 4 }), tearLast: fc.boolean() }),
          { minLength: 1, maxLength: 4 },
        ),
        async (runs) => {
          const dir = freshDir();
          await mkdir(dir);
          let durable = 0;
          for (const run of runs) {
            expect(await check(dir, durable)).toBe("ok");
            const witness = await CommitWitness.open(dir, durable);
            const checkpoints = [durable];
            for (const step of run.steps) {
              durable += step + 1;
              await witness.checkpoint(durable);
              checkpoints.push(durable);
            }
            await witness.close();
            const writes = checkpoints.length - 1;
            let readable = durable;
            if (run.tearLast && writes > 0) {
              await tear(dir, writes - 1);
              readable = checkpoints[checkpoints.length - 2]!;
            }
            expect(await readCommitWitness(dir)).toEqual({ kind: "acked", acked: readable, journaled: true });
            expect(await check(dir, durable)).toBe("ok");
            if (readable > 0) expect(await check(dir, readable - 1)).toBe("refuse");
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("reads the other slot when one is torn, and reports a file with both torn as unreadable", async () => {
    const dir = freshDir();
    await mkdir(dir);
    const witness = await CommitWitness.open(dir, 0);
    await witness.checkpoint(2);
    await witness.checkpoint(4);
    await witness.closed(4);
    await witness.close();
    expect(await readCommitWitness(dir)).toEqual({ kind: "acked", acked: 4, journaled: true, clean: true });
    await tear(dir, 2);
    expect(await readCommitWitness(dir)).toEqual({ kind: "acked", acked: 4, journaled: true });
    await tear(dir, 1);
    expect(await readCommitWitness(dir)).toMatchObject({ kind: "unreadable" });
    expect(await check(dir, 5)).toBe("refuse");
  });
});
