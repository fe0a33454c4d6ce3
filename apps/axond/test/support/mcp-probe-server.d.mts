import type { Server } from "@modelcontextprotocol/sdk/server/index.js";

/** The probe's MCP server; `via` names the transport in the tool's answer. */
export function probeServer(via: string): Server;
