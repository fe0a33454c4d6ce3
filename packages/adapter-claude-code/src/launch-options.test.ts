import { describe, expect, it } from "vitest";
import { launchOptionArgs } from "./launch-options.js";

describe("launchOptionArgs", () => {
  it("adds nothing when the mount sets neither model nor MCP servers", () => {
    expect(launchOptionArgs({})).toEqual([]);
    expect(launchOptionArgs({ mcpServers: [] })).toEqual([]);
  });

  it("passes the model as --model and the servers as one --mcp-config JSON string, last", () => {
    const args = launchOptionArgs({
      model: "claude-test-model",
      mcpServers: [
        { type: "stdio", name: "tools", command: "/usr/bin/node", args: ["s.mjs"], env: { A: "1" } },
        { type: "http", name: "remote", url: "http://h/mcp", headers: { Authorization: "Bearer t" } },
      ],
    });
    expect(args.slice(0, 3)).toEqual(["--model", "claude-test-model", "--mcp-config"]);
    expect(args).toHaveLength(4);
    expect(JSON.parse(args[3]!)).toEqual({
      mcpServers: {
        tools: { type: "stdio", command: "/usr/bin/node", args: ["s.mjs"], env: { A: "1" } },
        remote: { type: "http", url: "http://h/mcp", headers: { Authorization: "Bearer t" } },
      },
    });
  });
});
