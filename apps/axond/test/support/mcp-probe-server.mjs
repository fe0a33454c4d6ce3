#!/usr/bin/env node
// A tiny MCP server on the official SDK with one tool, `add`. Run as a program it speaks MCP over
// stdio (what an agent spawns); imported, `probeServer()` gives a server for an HTTP transport.
// The tool's answer carries what the server saw, so a test reads it back in the model's next
// request: the sum, where the call came through, and the kind of token its env held (never more
// than the token's prefix, so a secret could not leak through the answer).
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

export function probeServer(via) {
  const server = new Server({ name: "openaxon-probe", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      {
        name: "add",
        description: "Adds two numbers.",
        inputSchema: {
          type: "object",
          properties: { a: { type: "number" }, b: { type: "number" } },
          required: ["a", "b"],
        },
      },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    if (request.params.name !== "add") throw new Error(`no tool ${request.params.name}`);
    const { a, b } = request.params.arguments ?? {};
    const token = process.env.PROBE_TOKEN ?? "";
    const text = `sum=${Number(a) + Number(b)} via=${via} token=${token === "" ? "none" : token.slice(0, 4)}`;
    return { content: [{ type: "text", text }] };
  });
  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await probeServer("stdio").connect(new StdioServerTransport());
}
