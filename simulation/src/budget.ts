import type { MutantName } from "@openaxon/core";
import type { InvariantNumber } from "./invariants.js";

/**
 * What `npm test` runs: a short, fixed budget, deterministic from its seed (a few seconds). The
 * nightly budget is one flag away: `npm run sim -- --runs 2000 --require-coverage`.
 */
export const CI_BUDGET = { seed: 11, runs: 200 } as const;

/**
 * The mutant suite: each mutant must be caught within `runs` simulations from `seed`. The rarest
 * catch, runtime-wake-missed, needs a suspend racing a waiting trigger: 294 runs from seed 1 since
 * the SQL commands joined the mix (30 before; seed 4 missed it in 250 runs even then).
 */
export const MUTANT_BUDGET = { seed: 1, runs: 400 } as const;

/** Which invariants may catch each mutant (catching it for another reason would be luck, not proof). */
export const MUTANT_CATCHERS: Record<MutantName, readonly InvariantNumber[]> = {
  "ack-before-durable": [2, 4, 6],
  "handoff-off-by-one": [4, 5, 8],
  "read-uncommitted": [4, 5],
  "sequence-reuse-after-restart": [1, 2, 4, 6, 8],
  "idempotency-not-durable": [3],
  "expected-head-ignored": [11],
  "broker-forgets-cursor": [8],
  "turn-while-running": [6],
  "wake-without-session": [7],
  "runtime-wake-missed": [8],
  "runtime-not-restarted-on-boot": [8],
  "sql-batch-not-atomic": [13],
  "reads-ignore-trim-line": [15, 16, 17],
  "trim-before-durable": [15, 16, 17],
};
