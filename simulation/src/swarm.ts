import fc from "fast-check";
import type { AgentBehaviour } from "./sim-agent.js";

/** Faults and disturbances whose rate a run draws (swarm testing: each run stresses a different mix). */
export const FAULT_KINDS = [
  "crashStore",
  "crashAgent",
  "disconnect",
  "suspend",
  "resume",
  "cancel",
  "answerPermission",
  "retryUnknown",
  "advanceClock",
  // UpdateRuntime: the agent's binary, args or model change under the running runtime.
  "update",
  // Not a fault: how much SQL a run does (some runs none), so the SQL commands do not crowd out the rest.
  "sql",
  // Not a fault either: how much a run sets retention, trims and reads around the trim line.
  "retention",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * One run's world: sizes, timings and policies, plus a rate (0–100) per fault kind. A fault command
 * runs only when its roll is below its kind's rate, so one run may crash the store every few steps
 * while the next never does and hammers disconnects instead.
 */
export interface Swarm {
  /** Seeds the rngs inside the world (ids). */
  readonly seed: number;
  /** Frames the server may send ahead of a subscriber (a TCP window). */
  readonly netWindow: number;
  /** Live events buffered per subscriber before it falls back to store reads. */
  readonly liveBufferLimit: number;
  readonly heartbeatMs: number;
  readonly agent: AgentBehaviour;
  readonly permissionPolicy: "auto_allow" | "ask" | "deny";
  /** The runtime suspends after this long idle; 0 = never. */
  readonly idleTimeSeconds: number;
  /** The retention axon a2 is created with (CreateAxon); none = keep everything until set. */
  readonly retention: { readonly maxEvents?: number; readonly maxAgeMs?: number } | undefined;
  /** How often the node runs a retention pass on its own (axond's --retention-interval); 0 = never. */
  readonly retentionIntervalMs: number;
  readonly rates: Readonly<Record<FaultKind, number>>;
}

export const swarmArb: fc.Arbitrary<Swarm> = fc.record({
  seed: fc.nat(),
  netWindow: fc.integer({ min: 1, max: 4 }),
  liveBufferLimit: fc.integer({ min: 1, max: 16 }),
  heartbeatMs: fc.constantFrom(15_000, 3_000),
  agent: fc.record({
    startDelayMs: fc.constantFrom(0, 0, 400, 3_000),
    restoreBy: fc.constantFrom("resume" as const, "load" as const),
  }),
  permissionPolicy: fc.constantFrom("ask" as const, "ask" as const, "auto_allow" as const, "deny" as const),
  idleTimeSeconds: fc.constantFrom(0, 20, 90),
  retention: fc.option(
    fc.oneof(
      fc.record({ maxEvents: fc.constantFrom(1, 2, 4) }),
      fc.record({ maxAgeMs: fc.constantFrom(2_000, 60_000) }),
    ),
    { nil: undefined },
  ),
  retentionIntervalMs: fc.constantFrom(0, 5_000, 30_000),
  rates: fc.record(
    Object.fromEntries(FAULT_KINDS.map((k) => [k, fc.constantFrom(0, 10, 30, 60, 100)])) as Record<
      FaultKind,
      fc.Arbitrary<number>
    >,
  ),
});

export function describeSwarm(swarm: Swarm): string {
  const rates = FAULT_KINDS.map((k) => `${k}=${swarm.rates[k]}`).join(" ");
  return (
    `swarm window=${swarm.netWindow} liveBuffer=${swarm.liveBufferLimit} heartbeat=${swarm.heartbeatMs}ms ` +
    `agentStart=${swarm.agent.startDelayMs}ms restore=${swarm.agent.restoreBy} policy=${swarm.permissionPolicy} ` +
    `idle=${swarm.idleTimeSeconds}s retention=${describeRetention(swarm.retention)} every=${swarm.retentionIntervalMs}ms rates: ${rates}`
  );
}

function describeRetention(retention: Swarm["retention"]): string {
  if (!retention) return "none";
  return retention.maxEvents ? `max_events=${retention.maxEvents}` : `max_age=${retention.maxAgeMs}ms`;
}
