import type { Clock } from "@openaxon/core";
import type { AgentAdapter } from "./agent-adapter.js";
import type { BrokerLogger } from "./broker-observer.js";
import type { PendingPermissions } from "./pending-permissions.js";
import type { RunningTurn } from "./running-turn.js";

export interface TurnCancellation {
  readonly adapter: AgentAdapter;
  readonly clock: Clock;
  /** How long the agent has to end a cancelled turn before the broker ends it (and restarts the agent). */
  readonly graceMs: number;
  readonly permissions: PendingPermissions;
  readonly logger: BrokerLogger;
}

/**
 * `turn.cancel` for the running turn: waiting permission requests are rejected, the agent is asked
 * to stop, and once the grace period is over the turn ends as cancelled whatever the agent does.
 * A second cancel changes nothing.
 */
export function cancelRunningTurn(running: RunningTurn, cancellation: TurnCancellation): void {
  if (running.cancelRequested) return;
  running.cancelRequested = true;
  cancellation.permissions.rejectAll();
  cancellation.adapter
    .cancel()
    .catch((error: unknown) =>
      cancellation.logger.warn({ err: error, turnId: running.turn.turnId }, "agent cancel failed"),
    );
  running.cancelTimer = cancellation.clock.setTimer(cancellation.graceMs, () =>
    running.interruption.resolve({ kind: "completed", stopReason: "cancelled", restartAgent: true }),
  );
}
