import { describe, expect, it } from "vitest";
import { acpMcpServers } from "./mcp-server-mapping.js";

describe("acpMcpServers", () => {
  const stdio = {
    type: "stdio",
    name: "tools",
    command: "/usr/bin/node",
    args: ["s.mjs"],
    env: { A: "1" },
  } as const;
  const http = {
    type: "http",
    name: "remote",
    url: "http://h/mcp",
    headers: { Authorization: "Bearer t" },
  } as const;

  it("maps stdio servers to ACP's {name, command, args, env: [{name, value}]}", () => {
    expect(acpMcpServers([stdio], {})).toEqual([
      { name: "tools", command: "/usr/bin/node", args: ["s.mjs"], env: [{ name: "A", value: "1" }] },
    ]);
  });

  it("maps http servers to {type: http, …, headers: [{name, value}]} for an agent that supports them", () => {
    expect(acpMcpServers([http], { mcpCapabilities: { http: true } })).toEqual([
      {
        type: "http",
        name: "remote",
        url: "http://h/mcp",
        headers: [{ name: "Authorization", value: "Bearer t" }],
      },
    ]);
  });

  it("refuses an http server when the agent does not advertise mcpCapabilities.http", () => {
    expect(() => acpMcpServers([stdio, http], { mcpCapabilities: { sse: true } })).toThrow(
      /MCP server remote is an HTTP server, but the agent does not support HTTP MCP servers/,
    );
    expect(() => acpMcpServers([http], {})).toThrow(/mcpCapabilities\.http/);
  });
});
