import { describe, expect, it } from "vitest";
import { collectMcpServer, collectMcpSetting } from "../parse.js";
import { runtimeInputFrom } from "./runtime-create.js";

const base = {
  axon: "axn_1",
  protocol: "stdio" as const,
  agent: "cat",
  permission: "auto" as const,
  wake: true,
};

describe("runtimeInputFrom", () => {
  it("maps the flags onto one mount and the runtime", () => {
    expect(
      runtimeInputFrom(["--jsonl", "-x"], {
        ...base,
        permission: "ask",
        idleShutdown: 30,
        wake: false,
        cwd: "rel/dir",
        env: { A: "1" },
        name: "n",
        networkPolicy: "gh",
        gateway: { GWS_A: { gateway: "anthropic", secret: "key" } },
        sandbox: "required",
      }),
    ).toEqual({
      name: "n",
      mounts: [
        {
          axonId: "axn_1",
          protocol: "stdio",
          agentBinary: "cat",
          launchArgs: ["--jsonl", "-x"],
          permissionPolicy: "ask",
        },
      ],
      lifecycle: { idleShutdownSeconds: 30, resumeOnEvent: false },
      env: { A: "1" },
      workingDirectory: `${process.cwd()}/rel/dir`,
      networkPolicy: "gh",
      gateways: { GWS_A: { gateway: "anthropic", secret: "key" } },
      sandbox: "required",
    });
  });

  it("never idles out unless asked, and leaves the rest to the server", () => {
    const input = runtimeInputFrom([], base);
    expect(input.lifecycle).toEqual({ idleSuspendSeconds: 0, resumeOnEvent: true });
    expect(input.mounts[0]?.permissionPolicy).toBe("auto_allow");
    expect(input).not.toHaveProperty("workingDirectory");
    expect(input).not.toHaveProperty("sandbox");
  });

  it("maps --model and the --mcp-* flags onto the mount, joining env and headers by server name", () => {
    const stdio = collectMcpServer("stdio");
    const http = collectMcpServer("http");
    const env = collectMcpSetting("--mcp-env");
    const header = collectMcpSetting("--mcp-header");
    const input = runtimeInputFrom([], {
      ...base,
      protocol: "acp",
      model: "claude-sonnet-4-5",
      mcpStdio: stdio("tools=npx -y  @acme/tools --flag", undefined),
      mcpHttp: http("remote=$" + "{GWS_R_URL}/mcp", undefined),
      mcpEnv: env("tools:TOKEN=$" + "{GWS_R}", env("tools:A=1=2", undefined)),
      mcpHeader: header("remote:Authorization=Bearer $" + "{GWS_R}", undefined),
    });
    expect(input.mounts[0]).toMatchObject({
      model: "claude-sonnet-4-5",
      mcpServers: [
        {
          type: "stdio",
          name: "tools",
          command: "npx",
          args: ["-y", "@acme/tools", "--flag"],
          env: { A: "1=2", TOKEN: "$" + "{GWS_R}" },
        },
        {
          type: "http",
          name: "remote",
          url: "$" + "{GWS_R_URL}/mcp",
          headers: { Authorization: "Bearer $" + "{GWS_R}" },
        },
      ],
    });
    expect(runtimeInputFrom([], base).mounts[0]).not.toHaveProperty("mcpServers");
  });

  it("refuses malformed --mcp-* flags and settings for servers that were not given", () => {
    expect(() => collectMcpServer("stdio")("tools", undefined)).toThrow(/--mcp-stdio takes NAME=COMMAND/);
    expect(() => collectMcpServer("http")("=http://x", undefined)).toThrow(/--mcp-http takes NAME=URL/);
    expect(() =>
      collectMcpServer("http")("a=http://y", [{ type: "http", name: "a", url: "http://x" }]),
    ).toThrow(/MCP server a is given twice/);
    expect(() => collectMcpSetting("--mcp-header")("nocolon=1", undefined)).toThrow(
      /--mcp-header takes SERVER:KEY=VALUE/,
    );
    expect(() => runtimeInputFrom([], { ...base, mcpEnv: { ghost: { A: "1" } } })).toThrow(
      /--mcp-env ghost:… names no --mcp-stdio server/,
    );
    expect(() =>
      runtimeInputFrom([], {
        ...base,
        mcpHttp: [{ type: "http", name: "r", url: "http://x" }],
        mcpEnv: { r: { A: "1" } },
      }),
    ).toThrow(/names no --mcp-stdio server/);
  });
});
