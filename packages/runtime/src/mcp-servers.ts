import type { AgentProtocolName, McpServerConfig } from "@openaxon/broker";
import { expandBindingReferences } from "./agent-env.js";

/**
 * A mount's MCP servers as configured (and stored): the same shape the agent gets, but values may
 * still hold `${PREFIX}` / `${PREFIX_URL}` references to the runtime's gateway bindings.
 */
export type McpServerSpec = McpServerConfig;

/** Claude Code names MCP tools `mcp__<server>__<tool>` and the Messages API caps tool names at 64. */
const SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REFERENCE = /\$\{([^}]*)\}/g;
export const MAX_MODEL_LENGTH = 256;

/** The names `${…}` may refer to: `PREFIX` and `PREFIX_URL` of every gateway binding. */
export function bindingVariableNames(prefixes: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const prefix of prefixes) names.add(prefix).add(`${prefix}_URL`);
  return names;
}

/**
 * Why a mount's MCP servers are unusable, or undefined. `field` is the mount's path
 * (`mounts[0]`); messages name the exact field, e.g. `mounts[0].mcp_servers[1].http.headers`.
 */
export function mcpServersError(
  servers: readonly McpServerSpec[],
  protocol: AgentProtocolName,
  bindingVariables: ReadonlySet<string>,
  field: string,
): string | undefined {
  if (servers.length > 0 && protocol === "stdio") {
    return `${field}.mcp_servers: a stdio agent has no channel to receive MCP servers; use AGENT_PROTOCOL_ACP or AGENT_PROTOCOL_CLAUDE_CODE, or configure the servers in the agent itself`;
  }
  // Refused here rather than when the agent starts, so the caller hears it from CreateRuntime.
  if (servers.length > 0 && protocol === "pi") {
    return `${field}.mcp_servers: Pi has no MCP client; remove the mount's MCP servers, or give Pi an MCP extension in its own configuration`;
  }
  const seen = new Set<string>();
  for (const [i, server] of servers.entries()) {
    const at = `${field}.mcp_servers[${i}]`;
    if (!SERVER_NAME.test(server.name)) {
      return `${at}.name ${JSON.stringify(server.name)} must be 1–64 characters of A-Z, a-z, 0-9, _ and -`;
    }
    if (seen.has(server.name)) return `${at}.name ${server.name} is used twice in this mount`;
    seen.add(server.name);
    const problem = server.type === "stdio" ? stdioError(server, at) : httpError(server, at);
    if (problem) return problem;
    for (const [where, value] of referencingValues(server, at)) {
      const unknown = unknownReference(value, bindingVariables);
      if (unknown !== undefined) {
        const known = [...bindingVariables].sort().join(", ") || "none: the runtime has no gateway bindings";
        return `${where} refers to \${${unknown}}, which is not a gateway binding variable of this runtime (known: ${known})`;
      }
    }
  }
  return undefined;
}

function stdioError(server: Extract<McpServerSpec, { type: "stdio" }>, at: string): string | undefined {
  if (server.command.trim() === "") return `${at}.stdio.command is required: the MCP server's executable`;
  if (server.command.includes("\0")) return `${at}.stdio.command contains a NUL character`;
  for (const [name, value] of Object.entries(server.env)) {
    if (name === "" || name.includes("=") || name.includes("\0")) {
      return `${at}.stdio.env: variable name ${JSON.stringify(name)} is empty or contains = or NUL`;
    }
    if (value.includes("\0")) return `${at}.stdio.env: the value of ${name} contains a NUL character`;
  }
  if (server.args.some((arg) => arg.includes("\0"))) return `${at}.stdio.args: an argument contains NUL`;
  return undefined;
}

function httpError(server: Extract<McpServerSpec, { type: "http" }>, at: string): string | undefined {
  // References are checked separately; parse with them standing in for a URL or a token.
  const sample = server.url.replace(REFERENCE, (_, name: string) =>
    name.endsWith("_URL") ? "http://binding.invalid" : "token",
  );
  let url: URL | undefined;
  try {
    url = new URL(sample);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    return `${at}.http.url ${JSON.stringify(server.url)} must be an http(s) URL (or start with \${PREFIX_URL} of a gateway binding)`;
  }
  for (const [name, value] of Object.entries(server.headers)) {
    if (!HEADER_NAME.test(name))
      return `${at}.http.headers: ${JSON.stringify(name)} is not a valid header name`;
    if (/[\r\n\0]/.test(value)) return `${at}.http.headers: the value of ${name} contains CR, LF or NUL`;
  }
  return undefined;
}

/** The values where a binding reference may appear, with the field each one is at. */
function referencingValues(server: McpServerSpec, at: string): [string, string][] {
  if (server.type === "stdio") {
    return [
      ...server.args.map((arg, i): [string, string] => [`${at}.stdio.args[${i}]`, arg]),
      ...Object.entries(server.env).map(([name, value]): [string, string] => [
        `${at}.stdio.env.${name}`,
        value,
      ]),
    ];
  }
  return [
    [`${at}.http.url`, server.url],
    ...Object.entries(server.headers).map(([name, value]): [string, string] => [
      `${at}.http.headers.${name}`,
      value,
    ]),
  ];
}

/**
 * The first `${NAME}` in `value` that is not a binding variable. Unlike the agent's env (where an
 * unknown `${…}` may be meant for a shell), nothing expands these later, so an unknown reference is
 * a mistake — most likely a secret someone meant to keep out of the record.
 */
function unknownReference(value: string, known: ReadonlySet<string>): string | undefined {
  for (const match of value.matchAll(REFERENCE)) {
    if (!known.has(match[1]!)) return match[1]!;
  }
  return undefined;
}

/** Why a model name is unusable, or undefined. Names are the agent's business; only shape is checked. */
export function modelError(model: string | undefined, field: string): string | undefined {
  if (model === undefined) return undefined;
  if (model.length > MAX_MODEL_LENGTH) return `${field}.model is longer than ${MAX_MODEL_LENGTH} characters`;
  // It becomes an argv element, an env value and a JSON-RPC string: no blanks or control characters.
  if (!/^[\x21-\x7e]+$/.test(model)) {
    return `${field}.model ${JSON.stringify(model)} must be printable ASCII without spaces, e.g. claude-sonnet-4-5`;
  }
  return undefined;
}

/** The servers as the agent gets them: binding references replaced by this start's token and URL. */
export function resolveMcpServers(
  servers: readonly McpServerSpec[],
  variables: Readonly<Record<string, string>>,
): McpServerConfig[] {
  const expand = (value: string) => expandBindingReferences(value, variables);
  const expandAll = (record: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(record).map(([name, value]) => [name, expand(value)]));
  return servers.map((server) =>
    server.type === "stdio"
      ? { ...server, args: server.args.map(expand), env: expandAll(server.env) }
      : { ...server, url: expand(server.url), headers: expandAll(server.headers) },
  );
}
