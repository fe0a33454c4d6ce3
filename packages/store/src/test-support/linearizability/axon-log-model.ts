/**
 * The sequential specification of one axon's log, for `checkLinearizable`: what a single,
 * atomic, never-failing store would answer. Events are named by an id the history gives them (a
 * recorder uses the payload), so a read's answer can be compared event by event.
 */

import type { SequentialModel } from "./check-linearizable.js";

export type AppendOutcome =
  | {
      readonly kind: "appended";
      readonly firstSequence: number;
      readonly lastSequence: number;
      readonly duplicate: boolean;
    }
  /** `ExpectedHeadMismatchError`; `currentHead` as the error reported it, if it did. */
  | { readonly kind: "head_mismatch"; readonly currentHead?: number }
  /** No answer (timeout, connection lost): it may or may not have taken effect. */
  | { readonly kind: "unknown" };

export type AxonLogOperation =
  | {
      readonly kind: "append";
      readonly events: readonly string[];
      readonly expectedHead?: number;
      readonly idempotencyKey?: string;
      readonly outcome: AppendOutcome;
    }
  | {
      readonly kind: "read";
      readonly afterSequence: number;
      readonly limit: number;
      readonly descending?: boolean;
      /** What the read returned, in the order it returned them. */
      readonly events: ReadonlyArray<{ readonly sequence: number; readonly id: string }>;
    }
  /** `getAxon(id).headSequence`. */
  | { readonly kind: "head"; readonly head: number };

export interface AxonLogState {
  /** Event ids; sequence n is `log[n - 1]`. */
  readonly log: readonly string[];
  /** Idempotency key → the range its first append got. */
  readonly keys: ReadonlyMap<string, { readonly first: number; readonly last: number }>;
}

export const axonLogModel: SequentialModel<AxonLogState, AxonLogOperation> = {
  init: () => ({ log: [], keys: new Map() }),
  step: stepAxonLog,
  key: (state) =>
    `${state.log.join("\u0001")}\u0002${[...state.keys].map(([k, r]) => `${k}=${r.first}`).join("\u0001")}`,
};

export function stepAxonLog(state: AxonLogState, op: AxonLogOperation): AxonLogState | undefined {
  switch (op.kind) {
    case "append":
      return stepAppend(state, op);
    case "read":
      return sameEvents(modelRead(state, op), op.events) ? state : undefined;
    case "head":
      return op.head === state.log.length ? state : undefined;
  }
}

/** The store's order of decisions: the idempotency key first, then the expected head, then append. */
function stepAppend(
  state: AxonLogState,
  op: Extract<AxonLogOperation, { kind: "append" }>,
): AxonLogState | undefined {
  const { outcome } = op;
  const head = state.log.length;
  const original = op.idempotencyKey === undefined ? undefined : state.keys.get(op.idempotencyKey);
  if (original) {
    if (outcome.kind === "unknown") return state;
    const same =
      outcome.kind === "appended" &&
      outcome.duplicate &&
      outcome.firstSequence === original.first &&
      outcome.lastSequence === original.last;
    return same ? state : undefined;
  }
  if (op.expectedHead !== undefined && op.expectedHead !== head) {
    if (outcome.kind === "unknown") return state;
    const matches =
      outcome.kind === "head_mismatch" && (outcome.currentHead === undefined || outcome.currentHead === head);
    return matches ? state : undefined;
  }
  if (outcome.kind === "head_mismatch") return undefined;
  const first = head + 1;
  const last = head + op.events.length;
  if (
    outcome.kind === "appended" &&
    (outcome.duplicate || outcome.firstSequence !== first || outcome.lastSequence !== last)
  ) {
    return undefined;
  }
  const keys =
    op.idempotencyKey === undefined
      ? state.keys
      : new Map(state.keys).set(op.idempotencyKey, { first, last });
  return { log: [...state.log, ...op.events], keys };
}

/** What `LogStore.read` returns from this log (without a byte budget). */
export function modelRead(
  state: AxonLogState,
  options: { readonly afterSequence: number; readonly limit: number; readonly descending?: boolean },
): Array<{ sequence: number; id: string }> {
  const all = state.log.map((id, i) => ({ sequence: i + 1, id }));
  if (!options.descending) return all.slice(options.afterSequence, options.afterSequence + options.limit);
  const below = options.afterSequence === 0 ? all : all.slice(0, Math.max(0, options.afterSequence - 1));
  return below.reverse().slice(0, options.limit);
}

function sameEvents(
  expected: ReadonlyArray<{ sequence: number; id: string }>,
  actual: ReadonlyArray<{ sequence: number; id: string }>,
): boolean {
  return (
    expected.length === actual.length &&
    expected.every((e, i) => e.sequence === actual[i]!.sequence && e.id === actual[i]!.id)
  );
}
