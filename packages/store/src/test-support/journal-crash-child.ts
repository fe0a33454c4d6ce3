/**
 * ClassicLevelBackend in a child process writing numbered commits until the parent SIGKILLs it
 * (issue-10-write-ahead-journal.test.ts). Commit i puts `k!<i % 5>` = i and `n!<i>` = a value of
 * `sizes[i % sizes.length]` bytes, and deletes `n!<i - 3>`; `journalCommitState` computes the same.
 * Usage: node --conditions=source --import tsx journal-crash-child.ts <path> <journal bytes> <sizes,...> <first>
 * stdout: one line per acknowledged commit, its number, starting at <first>.
 */
import { ClassicLevelBackend } from "../classic-level-backend.js";
import { journalCommitOps } from "./journal-commits.js";

const [path, journalBytes, sizes, first] = process.argv.slice(2);
if (!path || !journalBytes || !sizes || !first) {
  throw new Error("usage: journal-crash-child.ts <path> <journal bytes> <sizes> <first>");
}
const backend = await ClassicLevelBackend.open(path, { journalBytes: Number(journalBytes) });
const valueSizes = sizes.split(",").map(Number);
for (let i = Number(first); ; i++) {
  await backend.writeDurable(journalCommitOps(i, valueSizes));
  process.stdout.write(`${i}\n`);
}
