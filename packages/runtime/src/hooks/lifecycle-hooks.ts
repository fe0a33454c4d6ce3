import type { AxonLink } from "@openaxon/broker";
import { describeError } from "@openaxon/broker";
import { findExecutable } from "@openaxon/broker/adapter-kit";
import type { Clock } from "@openaxon/core";
import { agentEnv, configuredHome } from "../agent-env.js";
import { announce, RuntimeEventType } from "../runtime-events.js";
import type { RuntimeLogger } from "../runtime-logger.js";
import type { AttachedNetwork, RuntimeNetwork } from "../runtime-network.js";
import type { RuntimeRecord } from "../runtime-record.js";
import { ensureDirectory } from "../working-directory.js";
import { type HookOutcome, hookEventPayload, hookFor } from "./plan-hook.js";
import { runHook } from "./run-hook.js";

/** What running a hook takes from the runtime (a subset of HostedRuntimeDeps). */
export interface LifecycleHookDeps {
  readonly link: AxonLink;
  readonly clock: Clock;
  readonly logger: RuntimeLogger;
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
  readonly agentHost: string;
  readonly network?: RuntimeNetwork;
  readonly sandboxHome: string;
}

/**
 * Runs the runtime's hook for a transition, if it has one, and writes its `runtime.hook` event into
 * every mounted axon. Never throws: a hook that cannot start, fails or times out is reported in the
 * event and the transition goes on. The hook gets what the runtime's agents get: the runtime's
 * working directory and env (with the network env and gateway bindings), and — when the agents
 * are sandboxed — the same bubblewrap sandbox, on a network attached just for the hook (no agent
 * runs at either hook point) and released when it ends.
 */
export async function runLifecycleHook(
  record: RuntimeRecord,
  transition: "suspend" | "resume",
  deps: LifecycleHookDeps,
  signal?: AbortSignal,
): Promise<HookOutcome | undefined> {
  const hook = hookFor(record.lifecycle, transition);
  if (hook === undefined || signal?.aborted) return undefined;
  const started = deps.clock.now();
  let network: AttachedNetwork | undefined;
  let outcome: HookOutcome;
  try {
    if (deps.network) network = await deps.network.attach(record);
    const sandboxed = network?.sandbox === "bubblewrap";
    const cwd = record.workingDirectory;
    await ensureDirectory(cwd);
    const home = configuredHome(record.env, {}) ?? (sandboxed ? deps.sandboxHome : undefined);
    if (sandboxed && home !== undefined) await ensureDirectory(home);
    const env = agentEnv({
      hostEnv: deps.hostEnv,
      runtimeEnv: record.env,
      mountEnv: {},
      runtimeId: record.id,
      // The runtime's first mount: a hook belongs to the runtime, but scripts may expect the variable.
      axonId: record.mounts[0]?.axonId ?? "",
      agentHost: deps.agentHost,
      workingDirectory: cwd,
      ...(network && { networkEnv: network.env, bindingVariables: network.bindingVariables }),
      ...(sandboxed && { sandboxHome: home }),
    });
    const [executable, ...args] = hook.spec.command as [string, ...string[]];
    const resolved = await findExecutable(executable, cwd, env);
    const launch = network
      ? network.launch({
          protocol: record.mounts[0]?.protocol ?? "stdio",
          agentBinary: executable,
          resolvedBinary: resolved,
          launchArgs: args,
          cwd,
          ...(home !== undefined && { home }),
        })
      : { agentBinary: resolved, launchArgs: args };
    deps.logger.info({ runtimeId: record.id, hook: hook.name, command: executable }, "runtime hook started");
    outcome = await runHook({
      clock: deps.clock,
      file: launch.agentBinary,
      args: launch.launchArgs,
      cwd,
      env,
      deadlineMs: hook.spec.deadlineMs,
      ...(signal && { signal }),
    });
  } catch (error) {
    outcome = {
      exitCode: null,
      signal: null,
      timedOut: false,
      durationMs: deps.clock.now() - started,
      outputTail: "",
      truncated: false,
      error: describeError(error),
    };
  } finally {
    network?.release();
  }
  deps.logger.info(
    {
      runtimeId: record.id,
      hook: hook.name,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      timedOut: outcome.timedOut,
      durationMs: outcome.durationMs,
    },
    "runtime hook ended",
  );
  await announce(
    deps.link,
    record.mounts.map((m) => m.axonId),
    RuntimeEventType.Hook,
    hookEventPayload(record.id, hook.name, hook.spec, outcome),
    deps.logger,
  );
  return outcome;
}
