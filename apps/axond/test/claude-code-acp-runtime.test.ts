import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  bundledClaudeCode,
  type ClaudeCodeTestHome,
  claudeCodeTestHome,
  FakeAnthropicServer,
  textReply,
  transcript,
} from "@openaxon/fake-anthropic";
import { AgentProtocol, OnIdle, RuntimeService, RuntimeStatus } from "@openaxon/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type AxonClient, connectAxonClient, payloadOf, reply, say } from "./support/axon-client.js";
import { type AxondProcess, startAxondProcess } from "./support/axond-process.js";

// The whole stack with a real agent: axond (child process) → runtime → broker → ACP adapter →
// claude-code-acp 0.16.2 (bundling Claude Code) → a fake Anthropic Messages API on loopback.

const AGENT_TIMEOUT = 120_000;
const IDLE_SECONDS = 2;

let dataDir: string;
let fake: FakeAnthropicServer;
let home: ClaudeCodeTestHome;
let axond: AxondProcess | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-acp-runtime-"));
  fake = await FakeAnthropicServer.start({ requiredApiKey: "sk-test-fake" });
  home = await claudeCodeTestHome(fake.url, "sk-test-fake");
});
afterEach(async () => {
  await axond?.stop("SIGTERM");
  axond = undefined;
  await fake.close();
  await home.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<{ axons: AxonClient; runtimes: Client<typeof RuntimeService> }> {
  // Claude Code calls the fake API on the host's loopback directly, which a sandbox cannot reach;
  // the sandboxed path (through the credential gateway) is claude-code-acp-gateway.test.ts.
  axond = await startAxondProcess({
    args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--sandbox", "off"],
  });
  return {
    axons: connectAxonClient(axond.url),
    runtimes: createClient(RuntimeService, createGrpcTransport({ baseUrl: axond.url })),
  };
}

describe.skipIf(process.platform !== "linux")("claude-code-acp through a runtime", () => {
  it(
    "answers a text turn; idles out; wakes into the same session; survives an axond SIGKILL between turns",
    async () => {
      let { axons, runtimes } = await start();
      const axonId = (await axons.createAxon({ name: "claude" })).axon!.id;
      const { runtime } = await runtimes.createRuntime({
        name: "claude",
        mounts: [
          {
            axonId,
            protocol: AgentProtocol.ACP,
            agentBinary: bundledClaudeCode().acpAgentBinary,
            env: home.env,
          },
        ],
        lifecycle: { afterIdle: { idleTimeSeconds: IDLE_SECONDS, onIdle: OnIdle.SUSPEND } },
      });
      const id = runtime!.id;

      // A text turn end to end.
      fake.enqueue(textReply("Noted: pineapple."));
      const t1 = await say(axons, axonId, "Remember the word pineapple");
      const first = await reply(axons, axonId, t1);
      expect(payloadOf(first.end)).toMatchObject({ stop_reason: "end_turn" });
      expect(first.text).toBe("Noted: pineapple.");
      const sessionId = first.events.find((e) => e.eventType === "session.started")!;
      const agentSessionId = payloadOf(sessionId).agent_session_id as string;

      // Idle: the runtime suspends itself (the agent process stops).
      await vi.waitFor(
        async () => {
          const status = (await runtimes.getRuntime({ id })).runtime!.status;
          if (status !== RuntimeStatus.SUSPENDED) throw new Error(`status ${RuntimeStatus[status]}`);
        },
        { timeout: 30_000, interval: 100 },
      );

      // A new message wakes it; the model's next request holds the first exchange.
      fake.enqueue(textReply("You said pineapple."));
      const t2 = await say(axons, axonId, "Which word did I ask you to remember?");
      const second = await reply(axons, axonId, t2);
      expect(second.text).toBe("You said pineapple.");
      const seen = transcript(fake.mainRequests().at(-1)!);
      expect(seen).toContain("user: Remember the word pineapple");
      expect(seen).toContain("assistant: Noted: pineapple.");
      expect(seen).toContain("user: Which word did I ask you to remember?");
      const sessions = second.events.filter((e) => e.eventType === "session.started").map(payloadOf);
      expect(sessions.at(-1)).toMatchObject({ agent_session_id: agentSessionId, restored_by: "resume" });
      expect(second.events.filter((e) => e.eventType.startsWith("runtime.")).map((e) => e.eventType)).toEqual(
        ["runtime.running", "runtime.suspended", "runtime.resumed"],
      );

      // axond is killed between turns (Claude Code has written its transcript), then restarted.
      await home.waitForTranscript(agentSessionId, "You said pineapple.");
      await axond!.stop("SIGKILL");
      ({ axons, runtimes } = await start());
      fake.enqueue(textReply("Still pineapple."));
      const t3 = await say(axons, axonId, "And now?");
      const third = await reply(axons, axonId, t3);
      expect(third.text).toBe("Still pineapple.");
      const later = transcript(fake.mainRequests().at(-1)!);
      expect(later).toContain("user: Remember the word pineapple");
      expect(later).toContain("assistant: You said pineapple.");
      expect(later).toContain("user: And now?");
      for (const trigger of [t1, t2, t3]) {
        const turnId = `turn_${trigger}`;
        const count = (type: string) =>
          third.events.filter((e) => e.eventType === type && payloadOf(e).turn_id === turnId).length;
        expect(count("turn.started"), turnId).toBe(1);
        expect(count("turn.completed"), turnId).toBe(1);
      }
    },
    AGENT_TIMEOUT,
  );
});
