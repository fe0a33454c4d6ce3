import type { AgentAdapter, AgentLaunch } from "@openaxon/broker";
import { JsonlStdioAdapter } from "./jsonl-adapter.js";
import { PerTurnStdioAdapter } from "./per-turn-adapter.js";
import type { StdioAdapterOptions } from "./stdio-options.js";

/** The launch-args marker that selects jsonl mode for a mount; it is not passed to the agent. */
export const JSONL_FLAG = "--jsonl";

export function createStdioAdapter(options: StdioAdapterOptions): AgentAdapter {
  return options.mode === "jsonl" ? new JsonlStdioAdapter(options) : new PerTurnStdioAdapter(options);
}

/**
 * The factory the runtime uses for `AGENT_PROTOCOL_STDIO` mounts. A mount only has a binary and
 * launch args, so a leading `--jsonl` in the launch args selects jsonl mode
 * (`axon runtime create --protocol stdio --agent my-agent -- --jsonl --model x`).
 */
export function stdioAdapterFactory(
  launch: AgentLaunch,
  extra: Omit<StdioAdapterOptions, "agentBinary" | "launchArgs" | "mode"> = {},
): AgentAdapter {
  const jsonl = launch.launchArgs[0] === JSONL_FLAG;
  return createStdioAdapter({
    ...extra,
    agentBinary: launch.agentBinary,
    launchArgs: jsonl ? launch.launchArgs.slice(1) : launch.launchArgs,
    mode: jsonl ? "jsonl" : "per-turn",
  });
}
