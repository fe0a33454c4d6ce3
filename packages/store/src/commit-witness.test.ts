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

// The reasoning in decide-commit-check.ts, run against the real witness file: over any runs of
// checkpoints, the last one possibly torn by a crash, a store holding what was checkpointed is
// never refused, and one holding less than the newest intact checkpoint always is.
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
          const slots: Array<number | undefined> = [0, 0];
          for (const run of runs) {
            expect(await check(dir, durable)).toBe("ok");
            const witness = await CommitWitness.open(dir, durable);
            slots[0] = durable;
            slots[1] = durable;
            let last: number | undefined;
            for (const step of run.steps) {
              durable += step + 1;
              await witness.checkpoint(durable);
              slots[durable % 2] = durable;
              last = durable;
            }
            await witness.close();
            if (run.tearLast && last !== undefined) {
              await tear(dir, last);
              slots[last % 2] = undefined;
            }
            const proven = Math.max(...slots.filter((n) => n !== undefined));
            expect(await readCommitWitness(dir)).toEqual({ kind: "acked", acked: proven, journaled: true });
            expect(await check(dir, durable)).toBe("ok");
            if (proven > 0) expect(await check(dir, proven - 1)).toBe("refuse");
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
    await witness.checkpoint(1);
    await witness.checkpoint(2);
    await witness.close();
    expect(await readCommitWitness(dir)).toEqual({ kind: "acked", acked: 2, journaled: true });
    await tear(dir, 2);
    expect(await readCommitWitness(dir)).toEqual({ kind: "acked", acked: 1, journaled: true });
    await tear(dir, 1);
    expect(await readCommitWitness(dir)).toMatchObject({ kind: "unreadable" });
    expect(await check(dir, 5)).toBe("refuse");
  });
});
