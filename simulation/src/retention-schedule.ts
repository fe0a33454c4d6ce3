import type { Clock } from "@openaxon/core";

/**
 * axond's retention schedule (apps/axond/src/retention-schedule.ts) on the node's virtual clock:
 * a pass every `intervalMs`, the next armed when one ends, so passes never overlap. axond's own
 * schedule uses the process's timers, which the simulated world may not; this is the same rhythm
 * on a clock scope, so a power cut kills it with the node.
 */
export function scheduleRetention(clock: Clock, intervalMs: number, pass: () => Promise<unknown>): void {
  const arm = () => {
    clock.setTimer(intervalMs, () => {
      pass().then(arm, arm);
    });
  };
  arm();
}
