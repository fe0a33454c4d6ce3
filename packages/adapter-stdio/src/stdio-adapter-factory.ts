import type { AgentAdapter, AgentLaunch, LaunchCommand } from "@openaxon/broker";
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
 * (`axon runtime create --protocol stdio --agent my-agent -- --jsonl --model x`). A wrapped launch
 * (sandbox) is rebuilt from its unwrapped argv without the flag.
 */
export function stdioAdapterFactory(
  launch: AgentLaunch,
  extra: Omit<StdioAdapterOptions, "agentBinary" | "launchArgs" | "mode"> = {},
): AgentAdapter {
  const { command, jsonl } = stdioCommand(launch);
  return createStdioAdapter({ ...extra, ...command, mode: jsonl ? "jsonl" : "per-turn" });
}

/** The command to spawn for a stdio mount, without the `--jsonl` marker, and whether it was there. */
export function stdioCommand(launch: AgentLaunch): {
  readonly command: LaunchCommand;
  readonly jsonl: boolean;
} {
  if (launch.wrapping) {
    const [binary = "", ...args] = launch.wrapping.argv;
    if (args[0] !== JSONL_FLAG) return { command: launch, jsonl: false };
    return { command: launch.wrapping.wrap([binary, ...args.slice(1)]), jsonl: true };
  }
  if (launch.launchArgs[0] !== JSONL_FLAG) return { command: launch, jsonl: false };
  return {
    command: { agentBinary: launch.agentBinary, launchArgs: launch.launchArgs.slice(1) },
    jsonl: true,
  };
}
