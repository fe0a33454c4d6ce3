import type { AgentProtocolName, PermissionPolicyName, UpdateRuntimeInput } from "@openaxon/client";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { formatRuntimeJson } from "../format/runtime.js";

export interface RuntimeUpdateOptions {
  readonly axon?: string;
  readonly protocol?: AgentProtocolName;
  readonly agent?: string;
  /** `--env` replaces the mount's env. */
  readonly env?: Record<string, string>;
  readonly clearEnv?: boolean;
  readonly model?: string;
  readonly permission?: "auto" | "ask" | "deny";
  /** `--clear-args`: the agent gets no arguments (an empty `-- ` cannot say that). */
  readonly clearArgs?: boolean;
}

const permissionPolicies: Record<NonNullable<RuntimeUpdateOptions["permission"]>, PermissionPolicyName> = {
  auto: "auto_allow",
  ask: "ask",
  deny: "deny",
};

/** The flags as `runtimes.update`'s input: only what was given changes. */
export function runtimeUpdateFrom(
  agentArgs: readonly string[],
  options: RuntimeUpdateOptions,
): UpdateRuntimeInput {
  if (options.clearArgs && agentArgs.length > 0)
    throw new UsageError("give either --clear-args or -- ARGS, not both");
  if (options.clearEnv && options.env !== undefined)
    throw new UsageError("give either --clear-env or --env, not both");
  const input: UpdateRuntimeInput = {
    ...(options.axon !== undefined && { axonId: options.axon }),
    ...(options.protocol !== undefined && { protocol: options.protocol }),
    ...(options.agent !== undefined && { agentBinary: options.agent }),
    ...((agentArgs.length > 0 || options.clearArgs) && { launchArgs: [...agentArgs] }),
    ...(options.env !== undefined && { mountEnv: options.env }),
    ...(options.clearEnv && { mountEnv: {} }),
    ...(options.model !== undefined && { model: options.model }),
    ...(options.permission !== undefined && { permissionPolicy: permissionPolicies[options.permission] }),
  };
  const { axonId: _, ...changes } = input;
  if (Object.keys(changes).length === 0) {
    throw new UsageError(
      "nothing to change: give --protocol, --agent, -- ARGS, --env, --model or --permission",
    );
  }
  return input;
}

/** Prints the runtime as it is now; the agent itself switches at its next turn boundary. */
export async function runtimeUpdateCommand(
  context: CommandContext,
  id: string,
  agentArgs: readonly string[],
  options: RuntimeUpdateOptions,
): Promise<void> {
  const runtime = await context.client.runtimes.update(id, runtimeUpdateFrom(agentArgs, options));
  if (context.json) {
    await context.out.line(formatRuntimeJson(runtime));
    return;
  }
  const mount = runtime.mounts.find((m) => options.axon === undefined || m.axonId === options.axon);
  const model = mount?.model ? ` model ${mount.model}` : "";
  await context.out.line(
    `${context.colors.bold(runtime.id)} updated: ${mount?.protocol ?? "?"} ${mount?.agentBinary ?? "?"}${model}`,
  );
  await context.note(
    context.errColors.dim(
      "a running turn finishes on the old agent; the next turn runs on the new one (a new agent is primed with the earlier turns)",
    ),
  );
}
