import type { AgentLaunch, McpServerConfig } from "@openaxon/broker";

/**
 * The flags that carry a mount's model and MCP servers to Claude Code: `--model <name>` and
 * `--mcp-config <json>` (Claude Code reads a JSON string or a file; a string keeps the per-start
 * gateway tokens off the disk). They go last: `--mcp-config` takes several values, so it must not
 * be followed by anything that is not a flag.
 */
export function launchOptionArgs(launch: Pick<AgentLaunch, "model" | "mcpServers">): string[] {
  const args: string[] = [];
  if (launch.model !== undefined) args.push("--model", launch.model);
  const servers = launch.mcpServers ?? [];
  if (servers.length > 0) args.push("--mcp-config", JSON.stringify(mcpConfig(servers)));
  return args;
}

/** Claude Code's `.mcp.json` shape: servers keyed by name. */
export function mcpConfig(servers: readonly McpServerConfig[]): { mcpServers: Record<string, unknown> } {
  return {
    mcpServers: Object.fromEntries(
      servers.map((server) => [
        server.name,
        server.type === "stdio"
          ? { type: "stdio", command: server.command, args: server.args, env: server.env }
          : { type: "http", url: server.url, headers: server.headers },
      ]),
    ),
  };
}
