import type { Timer } from "@openaxon/core";
import { type Deferred, deferred } from "./deferred.js";
import type { TurnInterruption } from "./drive-turn.js";
import type { QueuedTurn } from "./turn-queue.js";

/** The one turn the agent is working on, and what may end it without the agent's say. */
export interface RunningTurn {
  readonly turn: QueuedTurn;
  /** Resolved by a stop, an agent exit, or a cancel the agent did not honour in time. */
  readonly interruption: Deferred<TurnInterruption>;
  cancelRequested: boolean;
  cancelTimer?: Timer;
  /** Numbers the turn's ASK permission requests. */
  permissionCount: number;
}

export function runningTurn(turn: QueuedTurn): RunningTurn {
  return { turn, interruption: deferred(), cancelRequested: false, permissionCount: 0 };
}
