import type { KvOp } from "../kv-backend.js";

/** A value of `size` bytes that says which commit wrote it. */
const commitValue = (commit: number, size: number) => {
  const value = Buffer.alloc(Math.max(size, 8), commit % 251);
  value.writeUInt32LE(commit, 0);
  return value;
};

/** The ops of test commit `i` (journal-crash-child.ts writes them). */
export function journalCommitOps(i: number, sizes: readonly number[]): KvOp[] {
  return [
    { type: "put", key: `k!${i % 5}`, value: Buffer.from(String(i)) },
    { type: "put", key: `n!${String(i).padStart(8, "0")}`, value: commitValue(i, sizes[i % sizes.length]!) },
    ...(i > 3 ? [{ type: "del" as const, key: `n!${String(i - 3).padStart(8, "0")}` }] : []),
  ];
}

/** Every test key and its value after commits 1..`commits`, in key order, values as hex. */
export function journalCommitState(commits: number, sizes: readonly number[]): Array<[string, string]> {
  const state = new Map<string, string>();
  for (let i = 1; i <= commits; i++) {
    for (const op of journalCommitOps(i, sizes)) {
      if (op.type === "put") state.set(op.key, Buffer.from(op.value).toString("hex"));
      else state.delete(op.key);
    }
  }
  return [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
