/**
 * A concurrent workload on one axon, for recording histories on any `LogStore` (or several
 * instances sharing one log, e.g. axond nodes on one JetStream cluster): writers append batches
 * with shared idempotency keys and racing expected heads, readers read both ways and ask for the
 * head while the writers run. Plans are drawn by fast-check, so a failing history shrinks.
 */

import fc from "fast-check";
import { StoreFailedError } from "../../errors.js";
import type { LogStore } from "../../log-store.js";
import { userEvent } from "../user-event.js";
import type { HistoryRecorder } from "./history-recorder.js";

export interface WriterStep {
  readonly size: number;
  /** Keys are shared by all writers, so some appends are retries of another writer's. */
  readonly key: number | undefined;
  /** `seen`: expect the head this writer last saw (races the others); `empty`: expect 0. */
  readonly expect: "none" | "seen" | "empty";
}

export type ReaderStep =
  | { readonly kind: "read"; readonly after: number; readonly limit: number; readonly descending: boolean }
  | { readonly kind: "head" };

export interface LogWorkloadPlan {
  readonly writers: readonly (readonly WriterStep[])[];
  readonly readers: readonly (readonly ReaderStep[])[];
}

export function logWorkloadPlan(
  sizes: { readonly writers?: number; readonly readers?: number; readonly steps?: number } = {},
): fc.Arbitrary<LogWorkloadPlan> {
  const writerStep: fc.Arbitrary<WriterStep> = fc.record({
    size: fc.integer({ min: 1, max: 3 }),
    key: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined, freq: 2 }),
    expect: fc.constantFrom("none", "none", "seen", "empty"),
  });
  const readerStep: fc.Arbitrary<ReaderStep> = fc.oneof(
    fc.record({
      kind: fc.constant("read" as const),
      after: fc.integer({ min: 0, max: 24 }),
      limit: fc.integer({ min: 1, max: 40 }),
      descending: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("head" as const) }),
  );
  const steps = sizes.steps ?? 6;
  return fc.record({
    writers: fc.array(fc.array(writerStep, { minLength: 1, maxLength: steps }), {
      minLength: 1,
      maxLength: sizes.writers ?? 6,
    }),
    readers: fc.array(fc.array(readerStep, { minLength: 1, maxLength: steps }), {
      minLength: 1,
      maxLength: sizes.readers ?? 3,
    }),
  });
}

export interface WorkloadClient {
  readonly name: string;
  readonly store: LogStore;
}

/**
 * Runs the plan on `axonId`: writer and reader i use client i mod clients.length; readers repeat
 * their steps until the writers are done (at most 4 rounds), then every client reads the whole
 * log once more. Unanswered calls (StoreFailedError) are recorded as such and the workload goes on.
 */
export async function runLogWorkload(input: {
  readonly plan: LogWorkloadPlan;
  readonly clients: readonly WorkloadClient[];
  readonly axonId: string;
  readonly recorder: HistoryRecorder;
}): Promise<void> {
  const { plan, clients, axonId, recorder } = input;
  const client = (i: number) => clients[i % clients.length]!;
  const tolerate = (error: unknown) => {
    if (!(error instanceof StoreFailedError)) throw error;
  };
  let writing = true;
  const writers = plan.writers.map(async (steps, w) => {
    const { name, store } = client(w);
    let seen = 0;
    for (const [n, step] of steps.entries()) {
      const events = Array.from({ length: step.size }, (_, i) => userEvent({ w, n, i }));
      const options = {
        ...(step.key === undefined ? {} : { idempotencyKey: `k${step.key}` }),
        ...(step.expect === "none" ? {} : { expectedHead: step.expect === "empty" ? 0 : seen }),
      };
      await recorder.append(name, store, axonId, events, options).catch(tolerate);
      seen = await recorder.head(name, store, axonId).catch((error) => {
        tolerate(error);
        return seen;
      });
    }
  });
  const readers = plan.readers.map(async (steps, r) => {
    const { name, store } = client(r + 1);
    for (let round = 0; round < 4 && (round === 0 || writing); round++) {
      for (const step of steps) {
        const done =
          step.kind === "head"
            ? recorder.head(name, store, axonId)
            : recorder.read(name, store, axonId, {
                afterSequence: step.after,
                limit: step.limit,
                descending: step.descending,
              });
        await done.catch(tolerate);
      }
    }
  });
  await Promise.all(writers);
  writing = false;
  await Promise.all(readers);
  for (const { name, store } of clients) {
    await recorder.read(name, store, axonId, { afterSequence: 0, limit: 100_000 }).catch(tolerate);
  }
}
