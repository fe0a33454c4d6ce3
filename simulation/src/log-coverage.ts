import type { CoverageCounts } from "./coverage.js";
import type { DiskEvent } from "./log-oracle.js";

const parse = (payload: string): Record<string, unknown> => {
  try {
    return JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/** Counts what the turns and the runtime went through, read off a mount's final log. */
export function tallyLogCoverage(
  log: readonly DiskEvent[],
  brokerSource: string,
  coverage: CoverageCounts,
): void {
  const started = new Set<string>();
  /** A runtime.updated was written while the runtime was suspended (since its last suspension). */
  let updatedWhileSuspended = false;
  let suspended = false;
  for (const e of log) {
    const body = parse(e.payload);
    if (e.eventType === "turn.started" && e.source === brokerSource) started.add(String(body.turn_id));
    if (e.eventType === "turn.failed" && e.source === brokerSource) {
      const error = String(body.error ?? "");
      if (error.startsWith("interrupted")) coverage.interruptedTurn++;
      if (error.startsWith("agent process exited during the turn")) coverage.agentCrashMidTurn++;
    }
    if (e.eventType === "turn.completed" && e.source === brokerSource && body.stop_reason === "cancelled") {
      if (started.has(String(body.turn_id))) coverage.cancelRunningTurn++;
      else coverage.cancelQueuedTurn++;
    }
    if (e.eventType === "runtime.resumed" && String(body.reason ?? "").startsWith("woken"))
      coverage.wakeFromSuspend++;
    if (e.eventType === "runtime.suspended") suspended = true;
    if (e.eventType === "runtime.updated" && suspended) updatedWhileSuspended = true;
    if (e.eventType === "runtime.resumed" || e.eventType === "runtime.running") {
      if (updatedWhileSuspended) coverage.updateAcrossWake++;
      suspended = false;
      updatedWhileSuspended = false;
    }
    if (e.eventType === "session.primed" && e.source === brokerSource) coverage.handoffPrimed++;
    if (e.eventType === "runtime.suspended" && String(body.reason ?? "").startsWith("idle"))
      coverage.idleSuspend++;
  }
}
