/**
 * What a SimAgent does in a turn travels in the prompt itself: the command that publishes a
 * `user.message` writes the script into its content, e.g. `p12 do:chunk,ask,tool end:end_turn`.
 * So a trace shows what each turn was meant to do, and a replay needs nothing beside the log.
 */
export const AGENT_STEPS = ["chunk", "thought", "plan", "tool", "ask", "throw", "crash", "stubborn"] as const;
export type AgentStepKind = (typeof AGENT_STEPS)[number];

export const STOP_REASONS = ["end_turn", "max_tokens", "refusal"] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export interface AgentScript {
  readonly steps: readonly AgentStepKind[];
  readonly stopReason: StopReason;
}

export function encodeScript(tag: string, script: AgentScript): string {
  return `${tag} do:${script.steps.join(",")} end:${script.stopReason}`;
}

/** Anything that is not a script (e.g. a block-content prompt) is one chunk and `end_turn`. */
export function decodeScript(text: string): AgentScript {
  const steps = /\bdo:([a-z,]*)/.exec(text)?.[1];
  const stop = /\bend:([a-z_]+)/.exec(text)?.[1];
  const parsed = (steps ?? "chunk")
    .split(",")
    .filter((s): s is AgentStepKind => (AGENT_STEPS as readonly string[]).includes(s));
  return {
    steps: parsed,
    stopReason: (STOP_REASONS as readonly string[]).includes(stop ?? "") ? (stop as StopReason) : "end_turn",
  };
}
