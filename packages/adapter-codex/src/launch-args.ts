import type { AgentLaunch, McpServerConfig } from "@openaxon/broker";

/**
 * What follows the mount's own argv: the `app-server` subcommand, then one `-c` override per MCP
 * server (`mcp_servers.<name>={…}` as an inline TOML table, Codex's documented config shape), so
 * the per-start gateway tokens they may carry stay off the disk.
 */
export function appServerArgs(launch: Pick<AgentLaunch, "mcpServers">): string[] {
  const args = ["app-server"];
  for (const server of launch.mcpServers ?? []) args.push("-c", mcpServerOverride(server));
  return args;
}

export function mcpServerOverride(server: McpServerConfig): string {
  const table =
    server.type === "stdio"
      ? { command: server.command, args: server.args, env: server.env }
      : { url: server.url, http_headers: server.headers };
  return `mcp_servers.${tomlKey(server.name)}=${tomlValue(table)}`;
}

// TOML basic strings share JSON's escapes for everything JSON.stringify emits.
function tomlValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([key, item]) => `${tomlKey(key)} = ${tomlValue(item)}`).join(", ")}}`;
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}
