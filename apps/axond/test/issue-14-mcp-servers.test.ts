// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${GWS_…} binding references are the feature.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  bundledClaudeCode,
  type ClaudeCodeTestHome,
  claudeCodeTestHome,
  FakeAnthropicServer,
  textReply,
  toolUseReply,
  transcript,
} from "@openaxon/fake-anthropic";
import { AgentProtocol, AuthMechanismType, RuntimeStatus } from "@openaxon/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAll } from "./support/axon-client.js";
import { type AxondProcess, startAxondProcess } from "./support/axond-process.js";
import { payloadOf, reply, say, serviceClients } from "./support/gateway-e2e.js";
import { probeServer } from "./support/mcp-probe-server.mjs";

// Issue 14, items 3 and 4, end to end with real processes: axond (child process) → runtime →
// adapter → the real agent (claude-code-acp 0.16.2 over ACP, or the Claude Code 2.1.44 CLI in
// stream-json) → the fake Anthropic API, which asks for the mount's MCP tools:
//  - `probe`, a stdio MCP server (official @modelcontextprotocol/sdk) the agent spawns, whose env
//    references the binding as ${GWS_PROBE} and so holds the gws_ token, not the secret;
//  - `remote`, the same tool over Streamable HTTP, reached as ${GWS_PROBE_URL}/mcp with
//    "Bearer ${GWS_PROBE}": the credential gateway swaps the token for the secret, which only the
//    MCP server ever sees.
// The tools' answers come back in the model's next request, and the mount's `model` is the model
// of every conversation request. Sandbox off: Claude Code calls the fake on the host's loopback.

const AGENT_TIMEOUT = 150_000;
const MODEL = "claude-probe-model-1";
const PROBE = fileURLToPath(new URL("./support/mcp-probe-server.mjs", import.meta.url));

let dataDir: string;
let secret: string;
let fake: FakeAnthropicServer;
let home: ClaudeCodeTestHome;
let mcpHttp: { server: Server; url: string; authorizations: string[] };
let axond: AxondProcess | undefined;

/** The probe over Streamable HTTP, answering only requests that carry the real secret. */
async function startHttpProbe(): Promise<typeof mcpHttp> {
  const authorizations: string[] = [];
  const server = createServer(async (req, res) => {
    authorizations.push(req.headers.authorization ?? "");
    if (req.headers.authorization !== `Bearer ${secret}`) {
      res.writeHead(401).end();
      return;
    }
    // Stateless: a server and transport per request, JSON answers (no SSE stream to keep open).
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on("close", () => void transport.close());
    await probeServer("http").connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, authorizations };
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-issue-14-mcp-"));
  secret = `mcp-secret-${randomBytes(16).toString("hex")}`;
  fake = await FakeAnthropicServer.start({ requiredApiKey: "sk-test-fake" });
  home = await claudeCodeTestHome(fake.url, "sk-test-fake");
  mcpHttp = await startHttpProbe();
});
afterEach(async () => {
  await axond?.stop("SIGTERM");
  axond = undefined;
  await fake.close();
  await new Promise((resolve) => mcpHttp.server.close(resolve));
  await home.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

const agents = [
  {
    protocol: AgentProtocol.ACP,
    label: "claude-code-acp over ACP",
    agentBinary: () => bundledClaudeCode().acpAgentBinary,
    launchArgs: () => [] as string[],
  },
  {
    protocol: AgentProtocol.CLAUDE_CODE,
    label: "the Claude Code CLI in stream-json",
    agentBinary: () => process.execPath,
    launchArgs: () => [bundledClaudeCode().cliJs],
  },
];

describe.skipIf(process.platform !== "linux")("issue 14: MCP servers and model per mount", () => {
  describe.each(agents)("$label", (agent) => {
    it(
      "the agent calls a stdio and an HTTP MCP server's tool; secrets stay behind the gateway; the model is the mount's",
      async () => {
        axond = await startAxondProcess({
          args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--sandbox", "off"],
        });
        const { axons, runtimes, secrets, gateways } = serviceClients(axond.url);
        await secrets.createSecret({ name: "probe", value: secret });
        await gateways.createGatewayConfig({
          name: "probe",
          endpoint: mcpHttp.url,
          authMechanism: { type: AuthMechanismType.BEARER },
        });
        const axonId = (await axons.createAxon({ name: "mcp" })).axon!.id;
        const { runtime } = await runtimes.createRuntime({
          name: "mcp",
          mounts: [
            {
              axonId,
              protocol: agent.protocol,
              agentBinary: agent.agentBinary(),
              launchArgs: agent.launchArgs(),
              env: home.env,
              model: MODEL,
              mcpServers: [
                {
                  name: "probe",
                  transport: {
                    case: "stdio",
                    value: { command: process.execPath, args: [PROBE], env: { PROBE_TOKEN: "${GWS_PROBE}" } },
                  },
                },
                {
                  name: "remote",
                  transport: {
                    case: "http",
                    value: { url: "${GWS_PROBE_URL}/mcp", headers: { Authorization: "Bearer ${GWS_PROBE}" } },
                  },
                },
              ],
            },
          ],
          gateways: { GWS_PROBE: { gateway: "probe", secret: "probe" } },
        });
        expect(runtime).toMatchObject({ status: RuntimeStatus.RUNNING });
        // The record keeps the references, never what they expand to.
        expect(runtime!.mounts[0]!.mcpServers[1]!.transport).toMatchObject({
          case: "http",
          value: { url: "${GWS_PROBE_URL}/mcp", headers: { Authorization: "Bearer ${GWS_PROBE}" } },
        });
        expect(runtime!.mounts[0]!.model).toBe(MODEL);

        fake.enqueue(
          toolUseReply("mcp__probe__add", { a: 2, b: 3 }),
          toolUseReply("mcp__remote__add", { a: 4, b: 5 }),
          textReply("2 + 3 = 5 and 4 + 5 = 9."),
        );
        const turn = await reply(
          axons,
          axonId,
          await say(axons, axonId, "Add 2 and 3, then 4 and 5"),
          90_000,
        );
        expect(payloadOf(turn.end)).toMatchObject({ stop_reason: "end_turn" });
        expect(turn.text).toBe("2 + 3 = 5 and 4 + 5 = 9.");

        const main = fake.mainRequests();
        expect(main.length).toBe(3);
        const offered = main[0]!.body?.tools?.map((t) => t.name) ?? [];
        expect(offered).toEqual(expect.arrayContaining(["mcp__probe__add", "mcp__remote__add"]));
        // The stdio server ran with the binding's gws_ token; the HTTP one answered through the
        // gateway, which presented the secret upstream (and only ever the secret).
        const seen = transcript(main.at(-1)!);
        expect(seen).toContain("tool_result ok: sum=5 via=stdio token=gws_");
        expect(seen).toContain("tool_result ok: sum=9 via=http token=none");
        expect(mcpHttp.authorizations.length).toBeGreaterThan(0);
        expect(new Set(mcpHttp.authorizations)).toEqual(new Set([`Bearer ${secret}`]));
        // The mount's model is the model of the whole conversation.
        expect(main.map((r) => r.body?.model)).toEqual([MODEL, MODEL, MODEL]);

        // The axon shows both MCP tool calls (an agent may announce a call more than once, as
        // its input streams in), each completed; the secret is in none of its events.
        const events = await readAll(axons, axonId);
        const payloads = (type: string) => events.filter((e) => e.eventType === type).map(payloadOf);
        const callIds = new Set(payloads("turn.tool_call").map((c) => c.tool_call_id));
        expect(callIds.size).toBe(2);
        expect(JSON.stringify(payloads("turn.tool_call"))).toMatch(/probe[\s\S]*remote/);
        const completed = payloads("turn.tool_call_update").filter((u) => u.status === "completed");
        expect(new Set(completed.map((u) => u.tool_call_id))).toEqual(callIds);
        expect(JSON.stringify(events.map((e) => e.payload))).not.toContain(secret);
      },
      AGENT_TIMEOUT,
    );
  });
});
