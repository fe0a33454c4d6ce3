import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { PermissionDecision } from "@openaxon/broker";
import { type Decide, describeAdapterContract, textOf } from "@openaxon/broker/test-support";
import { functionCallReply, textReply, transcript } from "@openaxon/fake-openai";
import { afterEach, describe, expect, it } from "vitest";
import { type CodexWorld, codexLaunch, codexWorld, contractTranscript } from "./codex-world.js";
import { addServer } from "./fixtures/mcp-add-server.mjs";

// The real Codex CLI 0.171.0 from npm (`codex app-server`) against a fake Responses API.
const AGENT_TIMEOUT = 90_000;
const MCP_ADD_SERVER = fileURLToPath(new URL("./fixtures/mcp-add-server.mjs", import.meta.url));

describeAdapterContract("CodexAdapter with Codex", () => codexWorld(), {
  resumedAs: "resume",
  apiError: /Codex turn failed: max_tokens: bogus value/,
  timeoutMs: AGENT_TIMEOUT,
});

describe("CodexAdapter with Codex: app-server specifics (issue 14)", () => {
  let world: CodexWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it(
    "declined, the command does not run and the model is told so within the same turn",
    async () => {
      world = await codexWorld();
      const { driver, fake } = world;
      await driver.start();
      fake.enqueue(
        functionCallReply("exec_command", { cmd: "echo hi > hi.txt" }),
        textReply("Understood, I will not write it."),
      );
      const deny: Decide = async () => ({ outcome: "rejected" });

      const outputs = await driver.runTurn("Write hi to hi.txt", deny);

      expect(existsSync(join(world.cwd, "hi.txt"))).toBe(false);
      expect(outputs).toContainEqual(expect.objectContaining({ type: "tool_call_update", status: "failed" }));
      expect(textOf(outputs)).toBe("Understood, I will not write it.");
      expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "end_turn" });
      expect(transcript(fake.mainRequests().at(-1)!)).toMatch(/function_call_output: .*rejected by user/);
    },
    AGENT_TIMEOUT,
  );

  it(
    "cancelling while an approval is pending ends the turn as cancelled without running the command",
    async () => {
      world = await codexWorld();
      const { driver, fake, adapter } = world;
      await driver.start();
      fake.enqueue(functionCallReply("exec_command", { cmd: "echo hi > hi.txt" }));
      const neverDecided: Decide = () => {
        void adapter.cancel();
        return new Promise<PermissionDecision>(() => undefined);
      };

      const outputs = await driver.runTurn("Write hi to hi.txt", neverDecided);

      expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "cancelled" });
      expect(existsSync(join(world.cwd, "hi.txt"))).toBe(false);
      fake.enqueue(textReply("Ready."));
      expect(textOf(await driver.runTurn("Next?"))).toBe("Ready.");
      expect(fake.mainRequests()).toHaveLength(2);
    },
    AGENT_TIMEOUT,
  );

  it(
    "streams reasoning as thought chunks before the reply, and asks the model the mount names",
    async () => {
      world = await codexWorld(codexLaunch({ model: "gpt-mount-model" }));
      const { driver, fake } = world;
      await driver.start();
      fake.enqueue(textReply("Hello.", { reasoning: "Greet them." }));

      const outputs = await driver.runTurn("Say hello");

      expect(outputs[0]).toEqual({ type: "thought_chunk", text: "Greet them." });
      expect(textOf(outputs)).toBe("Hello.");
      expect(fake.mainRequests()[0]?.body?.model).toBe("gpt-mount-model");
    },
    AGENT_TIMEOUT,
  );

  it(
    "starts a new thread with a note when Codex has no such thread to resume",
    async () => {
      world = await codexWorld();
      const { driver, fake } = world;
      const missing = "01a24600-0000-7000-8000-000000000000";

      const session = await driver.start(missing);

      expect(session.restoredBy).toBe("new");
      expect(session.sessionId).not.toBe(missing);
      expect(session.note).toMatch(/Session could not be restored: Codex refused thread\/resume/);
      expect(driver.exits).toEqual([]);
      fake.enqueue(textReply("Fresh start."));
      expect(textOf(await driver.runTurn("Hello?"))).toBe("Fresh start.");
      expect(contractTranscript(fake.mainRequests()[0]!)).toContain("user: Hello?");
    },
    AGENT_TIMEOUT,
  );

  it(
    "gives Codex the mount's MCP servers: the model calls the tool, the desk approves it, the result goes back",
    async () => {
      world = await codexWorld(
        codexLaunch({
          mcpServers: [
            {
              type: "stdio",
              name: "calc",
              command: process.execPath,
              args: [MCP_ADD_SERVER],
              env: { PROBE_TOKEN: "gws_probe" },
            },
          ],
        }),
      );
      const { driver, fake } = world;
      await driver.start();
      // Codex offers an MCP server's tools to the model in a namespace `mcp__<server>`.
      fake.enqueue(
        functionCallReply("add", { a: 2, b: 3 }, { namespace: "mcp__calc" }),
        textReply("It is 5."),
      );
      const asked: string[] = [];
      const allow: Decide = async (request) => {
        asked.push(`${request.toolCall.title} ${JSON.stringify(request.toolCall.input)}`);
        return { outcome: "selected", optionId: "allow" };
      };

      const outputs = await driver.runTurn("What is 2 + 3?", allow);

      const offered = fake.mainRequests()[0]?.body?.tools as {
        type: string;
        name?: string;
        tools?: { name: string }[];
      }[];
      expect(offered.find((tool) => tool.name === "mcp__calc")?.tools?.map((tool) => tool.name)).toEqual([
        "add",
      ]);
      expect(asked).toEqual(['calc/add {"a":2,"b":3}']);
      const call = outputs.find((o) => o.type === "tool_call");
      expect(call).toMatchObject({ title: "calc/add", kind: "other" });
      expect(
        driver.timeline.indexOf(`tool_call ${call?.type === "tool_call" ? call.toolCallId : ""}`),
      ).toBeLessThan(driver.timeline.findIndex((entry) => entry.startsWith("permission")));
      expect(outputs).toContainEqual(
        expect.objectContaining({ type: "tool_call_update", status: "completed" }),
      );
      expect(transcript(fake.mainRequests()[1]!)).toContain("sum=5 via=stdio token=gws_");
      expect(textOf(outputs)).toBe("It is 5.");
    },
    AGENT_TIMEOUT,
  );

  it(
    "gives Codex an HTTP MCP server with the mount's headers: the tool call reaches it authorised",
    async () => {
      const http = await startHttpAddServer("Bearer gws_http_token");
      try {
        world = await codexWorld(
          codexLaunch({
            mcpServers: [
              {
                type: "http",
                name: "remote",
                url: `${http.url}/mcp`,
                headers: { Authorization: "Bearer gws_http_token" },
              },
            ],
          }),
        );
        const { driver, fake } = world;
        await driver.start();
        fake.enqueue(
          functionCallReply("add", { a: 4, b: 5 }, { namespace: "mcp__remote" }),
          textReply("It is 9."),
        );
        const allow: Decide = async () => ({ outcome: "selected", optionId: "allow" });

        const outputs = await driver.runTurn("What is 4 + 5?", allow);

        expect(transcript(fake.mainRequests()[1]!)).toContain("sum=9 via=http");
        expect(http.authorizations.length).toBeGreaterThan(0);
        expect(new Set(http.authorizations)).toEqual(new Set(["Bearer gws_http_token"]));
        expect(textOf(outputs)).toBe("It is 9.");
      } finally {
        await new Promise<void>((resolve) => {
          http.server.close(() => resolve());
          http.server.closeAllConnections();
        });
      }
    },
    AGENT_TIMEOUT,
  );
});

/** The `add` server over Streamable HTTP on 127.0.0.1, refusing requests without `authorization`. */
async function startHttpAddServer(authorization: string) {
  const authorizations: string[] = [];
  const server = createServer(async (req, res) => {
    authorizations.push(req.headers.authorization ?? "");
    if (req.headers.authorization !== authorization) {
      res.writeHead(401).end();
      return;
    }
    // Stateless: a server and transport per request, JSON answers (no SSE stream to keep open).
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on("close", () => void transport.close());
    await addServer("http").connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, authorizations };
}
