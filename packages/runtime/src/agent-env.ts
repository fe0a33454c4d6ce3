/**
 * The environment an agent process gets. Nothing of the server's environment passes by default —
 * axond's own settings (OPENAXON_API_KEYS, OPENAXON_SECRET_KEY, cloud credentials, provider keys)
 * must never reach an agent — except a short allowlist of variables that make a Unix program
 * behave normally. The runtime's env and then the mount's env are layered on top (explicit
 * configuration wins; `${PREFIX}` / `${PREFIX_URL}` of a gateway binding are expanded in their
 * values), then the network variables (proxy and bindings: the runtime's configuration cannot
 * route around the egress proxy), and the runtime's markers last, so an agent cannot hide from the
 * orphan reaper.
 */

/** Taken from the server's environment when set there. */
export const INHERITED_ENV_NAMES = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
] as const;

/** Used when neither the server nor the runtime sets PATH. */
export const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

/** Identifies the agent's runtime (useful to the agent, e.g. for `axon` calls). */
export const RUNTIME_ID_ENV = "OPENAXON_RUNTIME_ID";
/** The axon the agent's broker reads. */
export const AXON_ID_ENV = "OPENAXON_AXON_ID";
/** Marks every process a runtime host started, so leftovers can be found and killed (see agent-reaper). */
export const AGENT_HOST_ENV = "OPENAXON_AGENT_HOST";

/**
 * The mount's `model`, for every agent: the only way a stdio agent learns it (ACP and Claude Code
 * agents are told through their protocol too). Unset when the mount names no model.
 */
export const MODEL_ENV = "OPENAXON_MODEL";

/** Names the runtime sets itself; a runtime or mount env may not use them. */
export const RESERVED_ENV_NAMES: readonly string[] = [RUNTIME_ID_ENV, AXON_ID_ENV, AGENT_HOST_ENV, MODEL_ENV];

export interface AgentEnvInput {
  /** The server's environment (process.env in axond). Only the allowlist is read. */
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
  readonly runtimeEnv: Readonly<Record<string, string>>;
  readonly mountEnv: Readonly<Record<string, string>>;
  readonly runtimeId: string;
  readonly axonId: string;
  /** The value of OPENAXON_AGENT_HOST for this server's data dir. */
  readonly agentHost: string;
  /** HOME when nothing else sets it. */
  readonly workingDirectory: string;
  /** HTTP(S)_PROXY & co. and the bindings' `$PREFIX_URL` / `$PREFIX` (see agentNetworkEnv). */
  readonly networkEnv?: Readonly<Record<string, string>>;
  /** `PREFIX` and `PREFIX_URL` of every binding: what `${NAME}` in env values may refer to. */
  readonly bindingVariables?: Readonly<Record<string, string>>;
  /**
   * The agent runs in a sandbox where the host is read-only: the inherited HOME is replaced by this
   * writable directory and the inherited TMPDIR dropped (the sandbox has a private /tmp). A HOME
   * the runtime or mount sets explicitly is kept (and bound writable by the sandbox).
   */
  readonly sandboxHome?: string;
  /** The mount's model, exported as OPENAXON_MODEL. */
  readonly model?: string;
}

export function agentEnv(input: AgentEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV_NAMES) {
    const value = input.hostEnv[name];
    if (value !== undefined && value !== "") env[name] = value;
  }
  env.PATH ??= DEFAULT_PATH;
  env.HOME ??= input.workingDirectory;
  if (input.sandboxHome !== undefined) {
    env.HOME = input.sandboxHome;
    delete env.TMPDIR;
  }
  const variables = input.bindingVariables ?? {};
  for (const layer of [input.runtimeEnv, input.mountEnv]) {
    for (const [name, value] of Object.entries(layer)) env[name] = expandBindingReferences(value, variables);
  }
  Object.assign(env, input.networkEnv);
  env[RUNTIME_ID_ENV] = input.runtimeId;
  env[AXON_ID_ENV] = input.axonId;
  env[AGENT_HOST_ENV] = input.agentHost;
  if (input.model !== undefined) env[MODEL_ENV] = input.model;
  return env;
}

/**
 * The HOME the runtime or mount configures explicitly (the mount wins), or undefined when the
 * agent would inherit the server's.
 */
export function configuredHome(
  runtimeEnv: Readonly<Record<string, string>>,
  mountEnv: Readonly<Record<string, string>>,
): string | undefined {
  return mountEnv.HOME ?? runtimeEnv.HOME;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${NAME}` by the value of a gateway binding variable (`PREFIX` or `PREFIX_URL`), so a
 * runtime can say `ANTHROPIC_BASE_URL=${GWS_ANTHROPIC_URL}` and `ANTHROPIC_API_KEY=${GWS_ANTHROPIC}`
 * without knowing the per-start URL and token. Only binding variables are expanded; any other
 * `${…}` stays as written (it may be meant for a shell). The stored env keeps the references.
 */
export function expandBindingReferences(value: string, variables: Readonly<Record<string, string>>): string {
  return value.replace(REFERENCE, (whole, name: string) =>
    Object.hasOwn(variables, name) ? variables[name]! : whole,
  );
}

/** Why an env variable name is unusable, or undefined if it is fine. */
export function envNameError(name: string): string | undefined {
  if (name === "") return "env variable names must not be empty";
  if (name.includes("=") || name.includes("\0"))
    return `env variable name ${JSON.stringify(name)} contains = or NUL`;
  if (RESERVED_ENV_NAMES.includes(name)) return `env variable ${name} is set by the runtime itself`;
  return undefined;
}
