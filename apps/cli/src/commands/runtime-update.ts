import type {
  AgentProtocolName,
  PermissionPolicyName,
  RuntimeLifecycle,
  RuntimeLifecycleInput,
  UpdateRuntimeInput,
} from "@openaxon/client";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { formatRuntimeJson } from "../format/runtime.js";
import { DEFAULT_HOOK_DEADLINE_MS } from "./runtime-create.js";

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
  /** `--before-suspend` / `--after-resume`, split into argv; `--hook-deadline` in ms. */
  readonly beforeSuspend?: string[];
  readonly afterResume?: string[];
  readonly hookDeadline?: number;
  /** `--clear-before-suspend` / `--clear-after-resume`: remove the hook. */
  readonly clearBeforeSuspend?: boolean;
  readonly clearAfterResume?: boolean;
}

/** Whether the flags touch the hooks, which means the lifecycle (sent whole) must be read first. */
export function changesHooks(options: RuntimeUpdateOptions): boolean {
  return (
    options.beforeSuspend !== undefined ||
    options.afterResume !== undefined ||
    options.hookDeadline !== undefined ||
    options.clearBeforeSuspend === true ||
    options.clearAfterResume === true
  );
}

/**
 * The runtime's lifecycle with the hook flags applied. UpdateRuntime replaces the lifecycle whole,
 * so the idle settings and the other hook are carried over from `current`.
 */
export function lifecycleWithHooks(
  current: RuntimeLifecycle,
  options: RuntimeUpdateOptions,
): RuntimeLifecycleInput {
  if (options.hookDeadline !== undefined && !options.beforeSuspend && !options.afterResume) {
    throw new UsageError("--hook-deadline applies to --before-suspend or --after-resume; give one of them");
  }
  for (const [set, clear, name] of [
    [options.beforeSuspend, options.clearBeforeSuspend, "before-suspend"],
    [options.afterResume, options.clearAfterResume, "after-resume"],
  ] as const) {
    if (set !== undefined && clear)
      throw new UsageError(`give either --${name} or --clear-${name}, not both`);
  }
  const deadlineMs = options.hookDeadline ?? DEFAULT_HOOK_DEADLINE_MS;
  const hook = (
    given: string[] | undefined,
    clear: boolean | undefined,
    kept: RuntimeLifecycle["beforeSuspend"],
  ) => (given !== undefined ? { command: given, deadlineMs } : clear ? undefined : kept);
  const beforeSuspend = hook(options.beforeSuspend, options.clearBeforeSuspend, current.beforeSuspend);
  const afterResume = hook(options.afterResume, options.clearAfterResume, current.afterResume);
  return {
    idleTimeSeconds: current.idleTimeSeconds,
    onIdle: current.onIdle,
    resumeOnEvent: current.resumeOnEvent,
    ...(beforeSuspend && { beforeSuspend }),
    ...(afterResume && { afterResume }),
  };
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
  /** The runtime's lifecycle now; needed when the flags touch the hooks. */
  currentLifecycle?: RuntimeLifecycle,
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
    ...(currentLifecycle &&
      changesHooks(options) && { lifecycle: lifecycleWithHooks(currentLifecycle, options) }),
  };
  const { axonId: _, ...changes } = input;
  if (Object.keys(changes).length === 0) {
    throw new UsageError(
      "nothing to change: give --protocol, --agent, -- ARGS, --env, --model, --permission or a hook flag",
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
  // Read-modify-write: an update by someone else between the two calls is overwritten (lifecycle only).
  const current = changesHooks(options) ? (await context.client.runtimes.get(id)).lifecycle : undefined;
  const runtime = await context.client.runtimes.update(id, runtimeUpdateFrom(agentArgs, options, current));
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
