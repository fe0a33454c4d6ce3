import type { KvOp } from "./kv-backend.js";

/**
 * The ops of several commits as one batch that writes each key once: the last op on a key wins,
 * at the place its key was first written. A batch is applied atomically, so the store ends in the
 * same state as with every op applied in order; what shrinks is the batch. N appends to one axon
 * in a group commit rewrite its head record N times: merged, they write N chunks and one head.
 */
export function mergeOps(groups: readonly (readonly KvOp[])[]): KvOp[] {
  const byKey = new Map<string, KvOp>();
  for (const ops of groups) for (const op of ops) byKey.set(op.key, op);
  return [...byKey.values()];
}
