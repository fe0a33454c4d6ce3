import { SECRET_KEY_ENV } from "./registry/secret-box.js";

export interface AgentGatewayBindingEnv {
  /** Env-var prefix of the binding. */
  readonly prefix: string;
  /** The binding's URL as the agent reaches it (inside a sandbox: via the bridge port). */
  readonly url: string;
  /** The binding's `gws_…` token. */
  readonly token: string;
}

export interface AgentNetworkEnvOptions {
  /** The runtime's proxy URL as the agent reaches it (`RuntimeProxyAccess.proxyUrl(hostPort)`). */
  readonly proxyUrl: string;
  readonly bindings?: readonly AgentGatewayBindingEnv[];
}

const PROXY_VARS = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"];
const NO_PROXY_VARS = ["NO_PROXY", "no_proxy"];

/** Names a binding prefix may not produce: they would hijack the agent's plumbing. */
const RESERVED = new Set([
  ...PROXY_VARS.map((v) => v.toUpperCase()),
  "NO_PROXY",
  "PATH",
  "HOME",
  "USER",
  "SHELL",
  "PWD",
  "TMPDIR",
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "NODE_OPTIONS",
  "NODE_USE_ENV_PROXY",
  SECRET_KEY_ENV,
]);

/** Checks a binding's env-var prefix; returns an error message or undefined. */
export function bindingPrefixError(prefix: string): string | undefined {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(prefix)) return `binding prefix "${prefix}" must match [A-Z_][A-Z0-9_]*`;
  if (RESERVED.has(prefix) || RESERVED.has(`${prefix}_URL`) || prefix.startsWith("OPENAXON_")) {
    return `binding prefix "${prefix}" collides with a reserved environment variable`;
  }
  return undefined;
}

/**
 * The network part of an agent's environment:
 * - `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and their lowercase twins: the runtime's proxy URL
 *   (its credential identifies the runtime to the proxy);
 * - `NO_PROXY`/`no_proxy`: loopback, so the gateway URLs are called directly;
 * - `NODE_USE_ENV_PROXY=1`: newer Node versions then honour the proxy vars in fetch;
 * - per binding, `$PREFIX_URL` (gateway URL) and `$PREFIX` (the `gws_…` token).
 * Never a secret value.
 */
export function agentNetworkEnv(options: AgentNetworkEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PROXY_VARS) env[name] = options.proxyUrl;
  for (const name of NO_PROXY_VARS) env[name] = "127.0.0.1,localhost,::1";
  env.NODE_USE_ENV_PROXY = "1";
  for (const binding of options.bindings ?? []) {
    const error = bindingPrefixError(binding.prefix);
    if (error) throw new Error(error);
    env[`${binding.prefix}_URL`] = binding.url;
    env[binding.prefix] = binding.token;
  }
  return env;
}

/**
 * Removes what an agent must never inherit from the server's environment: the secret-store key
 * and any proxy settings the runtime is about to replace.
 */
export function withoutServerSecrets(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name.startsWith("OPENAXON_")) continue;
    if (PROXY_VARS.includes(name) || NO_PROXY_VARS.includes(name)) continue;
    out[name] = value;
  }
  return out;
}
