import { isAbsolute } from "node:path";
import type { AgentProtocolName } from "@openaxon/broker";
import { envNameError } from "./agent-env.js";
import { InvalidRuntimeError } from "./errors.js";
import { lifecycleHooksError } from "./hooks/plan-hook.js";
import { bindingVariableNames, mcpServersError, modelError } from "./mcp-servers.js";
import type { CreateRuntimeInput } from "./runtime-record.js";

export const MAX_RUNTIME_NAME_LENGTH = 256;

/**
 * The rules a runtime's configuration must follow, checked before anything is created. Messages name
 * the field as the API spells it, so a client can point at the mistake.
 */
export function validateRuntimeInput(
  input: CreateRuntimeInput,
  available: readonly AgentProtocolName[],
): void {
  if (input.name.length > MAX_RUNTIME_NAME_LENGTH) {
    fail(`name is ${input.name.length} characters long; at most ${MAX_RUNTIME_NAME_LENGTH} are allowed`);
  }
  if (input.mounts.length === 0) {
    fail("mounts is empty: a runtime needs at least one mount (an axon and the agent that answers there)");
  }
  checkDirectory(input.workingDirectory, "working_directory");
  checkEnv(input.env, "env");
  const bindingVariables = bindingVariableNames(Object.keys(input.gateways ?? {}));
  const seen = new Set<string>();
  input.mounts.forEach((mount, i) => {
    const field = `mounts[${i}]`;
    if (mount.axonId === "") fail(`${field}.axon_id is required`);
    if (seen.has(mount.axonId)) {
      fail(`${field}.axon_id ${mount.axonId} is mounted twice; a runtime runs one agent per axon`);
    }
    seen.add(mount.axonId);
    if (!available.includes(mount.protocol)) {
      fail(
        `${field}.protocol ${mount.protocol} is not available on this server (available: ${available.join(", ") || "none"})`,
      );
    }
    if (mount.agentBinary.trim() === "") {
      fail(`${field}.agent_binary is required: the agent executable, e.g. claude-code-acp or /usr/bin/cat`);
    }
    checkDirectory(mount.workingDirectory, `${field}.working_directory`);
    checkEnv(mount.env, `${field}.env`);
    const problem =
      mcpServersError(mount.mcpServers ?? [], mount.protocol, bindingVariables, field) ??
      modelError(mount.model, field);
    if (problem) fail(problem);
  });
  const { idleTimeSeconds } = input.lifecycle;
  if (!Number.isInteger(idleTimeSeconds) || idleTimeSeconds < 0) {
    fail(`lifecycle.after_idle.idle_time_seconds must be a whole number of seconds ≥ 0 (0 = never)`);
  }
  const hookProblem = lifecycleHooksError(input.lifecycle);
  if (hookProblem) fail(hookProblem);
}

function checkDirectory(path: string | undefined, field: string): void {
  if (path !== undefined && !isAbsolute(path)) {
    fail(`${field} ${JSON.stringify(path)} must be an absolute path (or empty for the default)`);
  }
}

function checkEnv(env: Readonly<Record<string, string>>, field: string): void {
  for (const [name, value] of Object.entries(env)) {
    const problem = envNameError(name);
    if (problem) fail(`${field}: ${problem}`);
    if (value.includes("\0")) fail(`${field}: the value of ${name} contains a NUL character`);
  }
}

function fail(message: string): never {
  throw new InvalidRuntimeError(message);
}
