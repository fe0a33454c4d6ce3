import type { McpServerConfig } from "@openaxon/broker";
import { findExecutable } from "@openaxon/broker/adapter-kit";
import { resolveMcpServers } from "./mcp-servers.js";
import type { MountSpec } from "./runtime-record.js";

/**
 * A mount's MCP servers for one start: binding references expanded to this start's tokens and
 * URLs, and stdio commands made absolute on the agent's PATH (ACP asks for an absolute path, and a
 * missing executable is better reported now, by name, than as a tool the agent silently lacks).
 */
export async function mcpServersForStart(
  mount: MountSpec,
  bindingVariables: Readonly<Record<string, string>>,
  cwd: string,
  agentEnv: Readonly<Record<string, string>>,
): Promise<McpServerConfig[]> {
  const servers = resolveMcpServers(mount.mcpServers ?? [], bindingVariables);
  return Promise.all(
    servers.map(async (server) => {
      if (server.type !== "stdio") return server;
      try {
        return { ...server, command: await findExecutable(server.command, cwd, agentEnv) };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`MCP server ${server.name}: ${reason.replace(/^agent binary/, "command")}`);
      }
    }),
  );
}
