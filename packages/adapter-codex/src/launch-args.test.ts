import { describe, expect, it } from "vitest";
import { appServerArgs } from "./launch-args.js";

describe("appServerArgs", () => {
  it("runs the app server, with each MCP server as an inline TOML config override", () => {
    expect(
      appServerArgs({
        mcpServers: [
          {
            type: "stdio",
            name: "notes",
            command: "/usr/bin/node",
            args: ["srv.js", "--x"],
            env: { TOKEN: 'a"b' },
          },
          {
            type: "http",
            name: "docs.api",
            url: "http://127.0.0.1:9/mcp",
            headers: { Authorization: "Bearer gws_1" },
          },
        ],
      }),
    ).toEqual([
      "app-server",
      "-c",
      'mcp_servers.notes={command = "/usr/bin/node", args = ["srv.js", "--x"], env = {TOKEN = "a\\"b"}}',
      "-c",
      'mcp_servers."docs.api"={url = "http://127.0.0.1:9/mcp", http_headers = {Authorization = "Bearer gws_1"}}',
    ]);
    expect(appServerArgs({})).toEqual(["app-server"]);
  });
});
