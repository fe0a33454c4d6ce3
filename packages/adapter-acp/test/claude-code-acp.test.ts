import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PermissionRequest } from "@openaxon/broker";
import { processGroupAlive } from "@openaxon/broker/adapter-kit";
import { AdapterDriver, type Decide, refuseToAsk, textOf } from "@openaxon/broker/test-support";
import {
  bundledClaudeCode,
  type ClaudeCodeTestHome,
  claudeCodeTestHome,
  errorReply,
  FakeAnthropicServer,
  slowTextReply,
  textReply,
  toolUseReply,
  transcript,
} from "@openaxon/fake-anthropic";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AcpAdapter } from "../src/index.js";

// The real claude-code-acp 0.16.2 (bundling Claude Code 2.1.44) against a fake Messages API.
const AGENT_TIMEOUT = 90_000;

let fake: FakeAnthropicServer;
let claudeHome: ClaudeCodeTestHome;
let cwd: string;
let adapter: AcpAdapter;
let driver: AdapterDriver;

beforeEach(async () => {
  fake = await FakeAnthropicServer.start({ requiredApiKey: "sk-test-fake" });
  claudeHome = await claudeCodeTestHome(fake.url, "sk-test-fake");
  cwd = await mkdtemp(join(tmpdir(), "openaxon-acp-cwd-"));
  adapter = new AcpAdapter({ agentBinary: bundledClaudeCode().acpAgentBinary, launchArgs: [] });
  driver = new AdapterDriver(adapter, { cwd, env: claudeHome.env });
});

afterEach(async () => {
  await adapter.stop();
  await fake.close();
  await claudeHome.cleanup();
  await rm(cwd, { recursive: true, force: true });
});

describe("AcpAdapter with claude-code-acp", () => {
  it(
    "runs a text turn: the reply streams as message chunks and the turn completes with end_turn",
    async () => {
      const session = await driver.start();
      expect(session.restoredBy).toBe("new");
      expect(session.sessionId).not.toBe("");
      fake.enqueue(slowTextReply(["Hello ", "from ", "the fake model."], 0));

      const outputs = await driver.runTurn("Say hello");

      expect(textOf(outputs)).toBe("Hello from the fake model.");
      expect(outputs.filter((o) => o.type === "message_chunk").length).toBeGreaterThan(1);
      expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "end_turn" });
      const [request] = fake.mainRequests();
      expect(request?.headers["x-api-key"]).toBe("sk-test-fake");
      expect(transcript(request!)).toContain("user: Say hello");
    },
    AGENT_TIMEOUT,
  );

  it(
    "asks permission for a tool call; allowed, the tool runs and its result goes back to the model",
    async () => {
      await driver.start();
      fake.enqueue(
        toolUseReply("Bash", { command: "echo hi > hi.txt", description: "Write hi" }),
        textReply("Wrote it."),
      );
      const asked: PermissionRequest[] = [];
      const allow: Decide = async (request) => {
        asked.push(request);
        const option = request.options.find((o) => o.kind === "allow_once")!;
        return { outcome: "selected", optionId: option.optionId };
      };

      const outputs = await driver.runTurn("Write hi to hi.txt", allow);

      expect(asked).toHaveLength(1);
      const toolCallAt = driver.timeline.indexOf(`tool_call ${asked[0]?.toolCall.toolCallId}`);
      expect(toolCallAt).toBeGreaterThanOrEqual(0);
      expect(toolCallAt).toBeLessThan(driver.timeline.indexOf(`permission ${asked[0]?.toolCall.toolCallId}`));
      expect(asked[0]?.toolCall.input).toEqual({ command: "echo hi > hi.txt", description: "Write hi" });
      expect(asked[0]?.options.map((o) => o.kind)).toContain("reject_once");
      expect(await readFile(join(cwd, "hi.txt"), "utf8")).toBe("hi\n");
      const toolCallId = asked[0]?.toolCall.toolCallId;
      expect(outputs).toContainEqual(
        expect.objectContaining({ type: "tool_call", toolCallId, kind: "execute" }),
      );
      expect(outputs).toContainEqual(
        expect.objectContaining({ type: "tool_call_update", toolCallId, status: "completed" }),
      );
      expect(textOf(outputs)).toBe("Wrote it.");
      expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "end_turn" });
      expect(transcript(fake.mainRequests()[1]!)).toContain("tool_result ok");
    },
    AGENT_TIMEOUT,
  );

  it(
    "denied, the tool does not run and the model is told it was refused",
    async () => {
      await driver.start();
      fake.enqueue(toolUseReply("Bash", { command: "echo hi > hi.txt", description: "Write hi" }));
      const deny: Decide = async () => ({ outcome: "rejected" });

      const first = await driver.runTurn("Write hi to hi.txt", deny);

      expect(first.at(-1)?.type).toBe("completed");
      expect(existsSync(join(cwd, "hi.txt"))).toBe(false);
      // claude-code-acp ends the turn on a refusal; the model sees it with the next message.
      fake.enqueue(textReply("Understood, I will not write it."));
      const second = await driver.runTurn("Why did that not work?");
      expect(textOf(second)).toBe("Understood, I will not write it.");
      const seen = transcript(fake.mainRequests().at(-1)!);
      expect(seen).toMatch(/tool_result error: .*refused permission/);
    },
    AGENT_TIMEOUT,
  );

  it(
    "cancels a turn while the model is still streaming; the turn completes as cancelled and the session goes on",
    async () => {
      await driver.start();
      const chunks = Array.from({ length: 40 }, (_, i) => `chunk${i} `);
      fake.enqueue(slowTextReply(chunks, 250));

      const outputs = await driver.runTurn("Tell me a long story", refuseToAsk, (output) => {
        if (output.type === "message_chunk") void adapter.cancel();
      });

      expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "cancelled" });
      expect(textOf(outputs).length).toBeLessThan(chunks.join("").length);
      fake.enqueue(textReply("Still here."));
      expect(textOf(await driver.runTurn("Are you there?"))).toBe("Still here.");
    },
    AGENT_TIMEOUT,
  );

  it(
    "fails the turn when the model API rejects the request, and the next turn works",
    async () => {
      await driver.start();
      fake.enqueue(errorReply(400, "invalid_request_error", "max_tokens: bogus value"));

      await expect(driver.runTurn("Hello")).rejects.toThrow(
        /session\/prompt failed: .*max_tokens: bogus value/,
      );
      fake.enqueue(textReply("Recovered."));
      expect(textOf(await driver.runTurn("Hello again"))).toBe("Recovered.");
    },
    AGENT_TIMEOUT,
  );

  it(
    "restores the session after stop with session/resume: the model's next request holds the first exchange",
    async () => {
      const first = await driver.start();
      fake.enqueue(textReply("Noted: pineapple."));
      await driver.runTurn("Remember the word pineapple");
      await adapter.stop();

      const restored = await driver.start(first.sessionId);

      expect(restored.note).toBeUndefined();
      expect(restored).toEqual({ sessionId: first.sessionId, restoredBy: "resume" });
      fake.enqueue(textReply("You said pineapple."));
      expect(textOf(await driver.runTurn("Which word did I ask you to remember?"))).toBe(
        "You said pineapple.",
      );
      const seen = transcript(fake.mainRequests().at(-1)!);
      expect(seen).toContain("user: Remember the word pineapple");
      expect(seen).toContain("assistant: Noted: pineapple.");
      expect(seen).toContain("user: Which word did I ask you to remember?");

      // A second suspend and wake keeps the whole conversation under the same session id.
      await adapter.stop();
      expect(await driver.start(first.sessionId)).toEqual({
        sessionId: first.sessionId,
        restoredBy: "resume",
      });
      fake.enqueue(textReply("Still pineapple."));
      await driver.runTurn("And now?");
      const later = transcript(fake.mainRequests().at(-1)!);
      expect(later).toContain("user: Remember the word pineapple");
      expect(later).toContain("assistant: You said pineapple.");
      expect(later).toContain("user: And now?");
    },
    AGENT_TIMEOUT,
  );

  it(
    "fails the turn when the agent is killed mid-turn, reports the exit, and restarts into the same session",
    async () => {
      const first = await driver.start();
      fake.enqueue(textReply("Noted: kiwi."));
      await driver.runTurn("Remember the word kiwi");
      await claudeHome.waitForTranscript(first.sessionId, "Noted: kiwi.");
      fake.enqueue(
        slowTextReply(
          Array.from({ length: 40 }, (_, i) => `part${i} `),
          250,
        ),
      );
      const pid = adapter.agentPid!;

      const turn = driver.runTurn("Tell me a long story", refuseToAsk, (output) => {
        if (output.type === "message_chunk") process.kill(pid, "SIGKILL");
      });

      await expect(turn).rejects.toThrow(/killed by SIGKILL/);
      expect(driver.exits).toEqual([{ code: null, signal: "SIGKILL" }]);
      // As the broker does after a crash: start again with the session id it keeps in the axon.
      const session = await driver.start(first.sessionId);
      expect(session).toEqual({ sessionId: first.sessionId, restoredBy: "resume" });
      fake.enqueue(textReply("Back again."));
      expect(textOf(await driver.runTurn("Hello?"))).toBe("Back again.");
      expect(transcript(fake.mainRequests().at(-1)!)).toContain("user: Remember the word kiwi");
    },
    AGENT_TIMEOUT,
  );

  it(
    "stop() ends the agent and every process it started",
    async () => {
      await driver.start();
      fake.enqueue(textReply("Hi."));
      await driver.runTurn("Hi");
      const pid = adapter.agentPid!;
      expect(processGroupAlive(pid)).toBe(true);

      await adapter.stop();
      await adapter.stop();

      expect(processGroupAlive(pid)).toBe(false);
      expect(driver.exits).toEqual([]);
    },
    AGENT_TIMEOUT,
  );
});
