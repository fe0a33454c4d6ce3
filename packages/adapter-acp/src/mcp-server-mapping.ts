import type { AgentCapabilities, McpServer } from "@agentclientprotocol/sdk";
import type { McpServerConfig } from "@openaxon/broker";

/**
 * The mount's MCP servers in ACP's shape (session/new, session/load and session/resume take the
 * same list). An HTTP server is offered only to an agent that advertises `mcpCapabilities.http`:
 * sending it anyway would leave the agent without tools the runtime promised, so start fails.
 */
export function acpMcpServers(
  servers: readonly McpServerConfig[],
  capabilities: AgentCapabilities,
): McpServer[] {
  return servers.map((server) => {
    if (server.type === "stdio") {
      return {
        name: server.name,
        command: server.command,
        args: [...server.args],
        env: Object.entries(server.env).map(([name, value]) => ({ name, value })),
      };
    }
    if (!capabilities.mcpCapabilities?.http) {
      throw new Error(
        `MCP server ${server.name} is an HTTP server, but the agent does not support HTTP MCP servers (its mcpCapabilities.http is not true)`,
      );
    }
    return {
      type: "http",
      name: server.name,
      url: server.url,
      headers: Object.entries(server.headers).map(([name, value]) => ({ name, value })),
    };
  });
}
