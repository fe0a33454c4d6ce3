import type { DiskEvent } from "./log-oracle.js";

/**
 * The agent configuration a SimAgent runs with: what UpdateRuntime changes in the simulation. Every
 * SimAgent stamps it into what it writes (`cfg<…>` in its outputs and in its session's note), so
 * the log itself says which agent wrote what.
 */
export interface AgentConfig {
  readonly binary: string;
  readonly args: readonly string[];
  readonly model: string | null;
}

export const configLabel = (c: AgentConfig): string => `${c.binary}|${c.args.join(" ")}|${c.model ?? ""}`;

/** How a SimAgent stamps its configuration into a text it writes. */
export const stamp = (c: AgentConfig): string => `cfg<${configLabel(c)}>`;

const STAMP = /cfg<([^>]*)>/;

// Kept apart from @openaxon/protocol on purpose (see checker.ts): origins as the proto's numbers.
const SYSTEM = 4;
const AGENT = 2;

const parse = (payload: string): Record<string, unknown> => {
  try {
    const value = JSON.parse(payload) as unknown;
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** The fields of a `runtime.updated` change the simulation varies, and where they live in a config. */
const FIELDS = {
  "mount.agent_binary": "binary",
  "mount.launch_args": "args",
  "mount.model": "model",
} as const satisfies Record<string, keyof AgentConfig>;

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Invariant 18 on a mount's log: the configuration in force at any sequence is the initial one with
 * every `runtime.updated` before it applied. Then
 * - each `runtime.updated` changes what is in force (its `old` is the current value): an update is
 *   announced once, never twice, and none was lost before it (a lost one shows as a stale `old`);
 * - every agent output of a turn, and every `session.started`, carries the configuration in force
 *   where it lies, and a turn's outputs the configuration in force at its `turn.started`: no turn
 *   runs on two agents, and nothing of the old agent follows `runtime.updated`;
 * - after an update the new agent cannot resume from (`resume_session: false`), a `session.primed`
 *   comes before any answer of the new agent: the history is primed.
 */
export function handoffProblems(
  log: readonly DiskEvent[],
  initial: AgentConfig,
  brokerSource: string,
): string[] {
  const problems: string[] = [];
  let config: AgentConfig = initial;
  const startedOn = new Map<string, { config: string; seq: number }>();
  /** An agent-changing update not yet followed by `session.primed`. */
  let unprimed: number | undefined;
  for (const e of log) {
    const body = parse(e.payload);
    if (e.origin === SYSTEM && e.eventType === "runtime.updated") {
      const next: Record<string, unknown> = { ...config };
      for (const change of (body.changes as Array<{ field: string; old: unknown; new: unknown }>) ?? []) {
        const key = FIELDS[change.field as keyof typeof FIELDS];
        if (!key) continue;
        if (!same(change.old, config[key])) {
          problems.push(
            `seq ${e.sequence}: runtime.updated changes ${change.field} from ${JSON.stringify(change.old)}, but ${JSON.stringify(config[key])} is in force (announced twice, or an earlier update was never announced)`,
          );
        }
        next[key] = change.new ?? null;
      }
      config = next as unknown as AgentConfig;
      if (body.resume_session === false) unprimed = e.sequence;
      continue;
    }
    const turnId = typeof body.turn_id === "string" ? body.turn_id : undefined;
    if (e.origin === SYSTEM && e.source === brokerSource) {
      if (e.eventType === "turn.started" && turnId)
        startedOn.set(turnId, { config: configLabel(config), seq: e.sequence });
      if (e.eventType === "session.primed") unprimed = undefined;
      if (e.eventType === "session.started") {
        const on = STAMP.exec(String(body.note ?? ""))?.[1];
        if (on !== undefined && on !== configLabel(config)) {
          problems.push(
            `seq ${e.sequence}: session.started of the agent [${on}] where the log puts [${configLabel(config)}] in force (an old agent after runtime.updated, or an update never announced)`,
          );
        }
      }
      if (
        e.eventType === "turn.completed" &&
        turnId &&
        body.stop_reason !== "cancelled" &&
        unprimed !== undefined &&
        (startedOn.get(turnId)?.seq ?? 0) > unprimed
      ) {
        problems.push(
          `seq ${e.sequence}: ${turnId} started after the hand-off at seq ${unprimed} and was answered without session.primed (the old agent ran it, or the new one was not primed)`,
        );
      }
      continue;
    }
    if (e.origin !== AGENT || !turnId) continue;
    const on = STAMP.exec(e.payload)?.[1];
    if (on === undefined) continue;
    const started = startedOn.get(turnId);
    if (started !== undefined && on !== started.config) {
      problems.push(
        `seq ${e.sequence}: ${turnId} started on [${started.config}] but the agent [${on}] answered it`,
      );
    }
    if (on !== configLabel(config)) {
      problems.push(
        `seq ${e.sequence}: the agent [${on}] wrote ${e.eventType} of ${turnId} where the log puts [${configLabel(config)}] in force (an old agent after runtime.updated, or an update never announced)`,
      );
    }
    if (unprimed !== undefined && (started?.seq ?? 0) > unprimed) {
      problems.push(
        `seq ${e.sequence}: ${turnId} ran on the new agent without session.primed after the hand-off at seq ${unprimed}`,
      );
    }
  }
  return problems;
}

/** Whether an update the new agent cannot resume from lies after the newest `session.started`. */
export function agentChangedSinceSession(log: readonly DiskEvent[], brokerSource: string): boolean {
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i]!;
    if (e.origin !== SYSTEM) continue;
    if (e.eventType === "session.started" && e.source === brokerSource) return false;
    if (e.eventType === "runtime.updated" && parse(e.payload).resume_session === false) return true;
  }
  return false;
}
