import type { AppendOptions, AppendResult } from "@openaxon/store";
import { type CommitInfo, headAfter } from "./commit-headers.js";

/** What one attempt at appending does, given the axon's last commit as the stream leader has it. */
export type AppendDecision =
  | { readonly kind: "duplicate"; readonly result: AppendResult }
  | { readonly kind: "head_mismatch"; readonly currentHead: number }
  /** Publish with first sequence `first`, expecting the subject's last stream sequence unchanged. */
  | { readonly kind: "publish"; readonly first: number; readonly timestampMs: number };

/**
 * Pure: the idempotency key first (a retry of an acknowledged append answers duplicate even if the
 * head moved since), then the expected head, then the next sequences. `indexed` is the result the
 * idempotency bucket holds for the key, if any.
 */
export function decideAppend(input: {
  readonly last: CommitInfo;
  readonly options: AppendOptions | undefined;
  readonly indexed: AppendResult | undefined;
  readonly now: number;
}): AppendDecision {
  const { last, options, indexed } = input;
  // The genesis commit carries no key and no events.
  const key = options?.idempotencyKey;
  if (key !== undefined) {
    if (last.idempotencyKey === key) return { kind: "duplicate", result: resultOf(last, true) };
    if (indexed) return { kind: "duplicate", result: { ...indexed, duplicate: true } };
  }
  const head = headAfter(last);
  if (options?.expectedHead !== undefined && options.expectedHead !== head) {
    return { kind: "head_mismatch", currentHead: head };
  }
  // Timestamps never go backwards along an axon, whatever the nodes' clocks say.
  return { kind: "publish", first: head + 1, timestampMs: Math.max(input.now, last.timestampMs) };
}

export function resultOf(info: CommitInfo, duplicate: boolean): AppendResult {
  return {
    firstSequence: info.first,
    lastSequence: headAfter(info),
    timestampMs: info.timestampMs,
    duplicate,
  };
}
