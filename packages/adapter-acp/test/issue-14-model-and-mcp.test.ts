import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentLaunch, AgentSession, TurnOutput } from "@openaxon/broker";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AcpAdapter } from "../src/index.js";

// Issue 14 over ACP with the scripted agent (SDK 2.x, a real process): the paths claude-code-acp
// does not take — the standard "model" config option, an agent with no model selection, an agent
// without HTTP MCP support — and the mount's servers sent again when a session is restored.
// claude-code-acp itself is driven in apps/axond/test/issue-14-mcp-servers.test.ts.
const agentScript = fileURLToPath(new URL("./fixtures/scripted-acp-agent.mjs", import.meta.url));

let cwd: string;
let adapter: AcpAdapter | undefined;
let logs: string[];

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "openaxon-acp-issue-14-"));
  logs = [];
});

afterEach(async () => {
  await adapter?.stop();
  await rm(cwd, { recursive: true, force: true });
});

const stdioServer = {
  type: "stdio",
  name: "tools",
  command: "/usr/bin/env",
  args: ["tool"],
  env: { TOKEN: "gws_x" },
} as const;
const httpServer = {
  type: "http",
  name: "remote",
  url: "http://127.0.0.1:9/mcp",
  headers: { A: "b" },
} as const;

function start(
  launch: Pick<AgentLaunch, "model" | "mcpServers">,
  env: Record<string, string>,
  resumeSessionId?: string,
): Promise<AgentSession> {
  adapter = new AcpAdapter({ agentBinary: process.execPath, launchArgs: [agentScript], ...launch });
  return adapter.start({
    cwd,
    env: { PATH: process.env.PATH ?? "", SCRIPTED_ACP_RESTORE: "load", ...env },
    onLog: (line) => logs.push(line),
    ...(resumeSessionId === undefined ? {} : { resumeSessionId }),
  });
}

async function describeSession(): Promise<{ model?: string; mcpServers: unknown[] }> {
  const outputs: TurnOutput[] = [];
  const requestPermission = () => Promise.reject(new Error("unexpected permission request"));
  for await (const output of adapter!.prompt({ turnId: "t", content: "describe-session", requestPermission }))
    outputs.push(output);
  return JSON.parse(outputs.flatMap((o) => (o.type === "message_chunk" ? [o.text] : [])).join(""));
}

describe("AcpAdapter: model and MCP servers (scripted ACP agent)", () => {
  it("selects the model through the 'model' config option, again after session/load", async () => {
    const env = { SCRIPTED_ACP_MODELS: "small,large", SCRIPTED_ACP_MCP_HTTP: "1" };
    const launch = { model: "large", mcpServers: [stdioServer, httpServer] };
    const first = await start(launch, env);
    const expectedServers = [
      { name: "tools", command: "/usr/bin/env", args: ["tool"], env: [{ name: "TOKEN", value: "gws_x" }] },
      { type: "http", name: "remote", url: "http://127.0.0.1:9/mcp", headers: [{ name: "A", value: "b" }] },
    ];
    expect(await describeSession()).toEqual({ model: "large", mcpServers: expectedServers });
    await adapter!.stop();

    // A new agent process restores the session: the servers and the model are sent again.
    const restored = await start(launch, env, first.sessionId);
    expect(restored).toMatchObject({ sessionId: first.sessionId, restoredBy: "load" });
    expect(await describeSession()).toEqual({ model: "large", mcpServers: expectedServers });
  });

  it("without a model the agent keeps its default, and no servers means an empty list", async () => {
    await start({}, { SCRIPTED_ACP_MODELS: "small,large" });
    expect(await describeSession()).toEqual({ model: "small", mcpServers: [] });
  });

  it("fails the start when the agent's model option does not offer the model", async () => {
    await expect(start({ model: "huge" }, { SCRIPTED_ACP_MODELS: "small,large" })).rejects.toThrow(
      "the agent does not offer model huge (its model option offers: small, large)",
    );
    expect(adapter!.agentPid).toBeUndefined();
  });

  it("says in the agent log when the agent offers no model selection, and starts anyway", async () => {
    await start({ model: "large" }, {});
    expect(logs).toContain(
      'openaxon: model large not applied: the agent offers no model selection over ACP (no "model" config option, no session/set_model); it uses its default',
    );
    expect(await describeSession()).toEqual({ mcpServers: [] });
  });

  it("fails the start when an HTTP MCP server is given to an agent without mcpCapabilities.http", async () => {
    await expect(start({ mcpServers: [stdioServer, httpServer] }, {})).rejects.toThrow(
      /MCP server remote is an HTTP server, but the agent does not support HTTP MCP servers/,
    );
  });
});
