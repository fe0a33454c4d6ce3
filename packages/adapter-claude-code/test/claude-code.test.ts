import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PermissionDecision } from "@openaxon/broker";
import {
  type AdapterDriver,
  type AdapterInWorld,
  adapterInFakeModelWorld,
  type Decide,
  describeAdapterContract,
  type FakeModelWorld,
  textOf,
} from "@openaxon/broker/test-support";
import { bundledClaudeCode, textReply, toolUseReply, transcript } from "@openaxon/fake-anthropic";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClaudeCodeAdapter } from "../src/index.js";
import { DENIED_MESSAGE } from "../src/permission-mapping.js";

// The real Claude Code 2.1.44 CLI (bundled by @anthropic-ai/claude-agent-sdk 0.2.44) against a
// fake Messages API.
const AGENT_TIMEOUT = 90_000;

const newAdapter = () =>
  new ClaudeCodeAdapter({ agentBinary: process.execPath, launchArgs: [bundledClaudeCode().cliJs] });

describeAdapterContract(
  "ClaudeCodeAdapter with Claude Code",
  () => adapterInFakeModelWorld("claude-code", newAdapter),
  {
    resumedAs: "cli-resume",
    apiError: /turn failed: API Error: 400 .*max_tokens: bogus value/,
    timeoutMs: AGENT_TIMEOUT,
  },
);

describe("ClaudeCodeAdapter with Claude Code: stream-json specifics", () => {
  let subject: AdapterInWorld<ClaudeCodeAdapter>;
  let world: FakeModelWorld;
  let adapter: ClaudeCodeAdapter;
  let driver: AdapterDriver;

  beforeEach(async () => {
    subject = await adapterInFakeModelWorld("claude-code", newAdapter);
    ({ world, adapter, driver } = subject);
  });

  afterEach(() => subject.close());

  it(
    "streams thinking as thought chunks before the reply; session ids are Claude Code's UUIDs",
    async () => {
      const session = await driver.start();
      expect(session.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      world.fake.enqueue({
        type: "text",
        chunks: ["Hello ", "from ", "the fake model."],
        thinking: "Greet them.",
      });

      const outputs = await driver.runTurn("Say hello");

      expect(outputs[0]).toEqual({ type: "thought_chunk", text: "Greet them." });
      expect(textOf(outputs)).toBe("Hello from the fake model.");
    },
    AGENT_TIMEOUT,
  );

  it(
    "denied, the tool does not run and the model is told so within the same turn",
    async () => {
      await driver.start();
      world.fake.enqueue(
        toolUseReply("Bash", { command: "echo hi > hi.txt", description: "Write hi" }),
        textReply("Understood, I will not write it."),
      );
      const deny: Decide = async () => ({ outcome: "rejected" });

      const outputs = await driver.runTurn("Write hi to hi.txt", deny);

      expect(existsSync(join(world.cwd, "hi.txt"))).toBe(false);
      expect(outputs).toContainEqual(expect.objectContaining({ type: "tool_call_update", status: "failed" }));
      expect(textOf(outputs)).toBe("Understood, I will not write it.");
      expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "end_turn" });
      expect(transcript(world.fake.mainRequests().at(-1)!)).toContain(`tool_result error: ${DENIED_MESSAGE}`);
    },
    AGENT_TIMEOUT,
  );

  it(
    "cancelling while a permission request is pending ends the turn as cancelled without running the tool",
    async () => {
      await driver.start();
      world.fake.enqueue(toolUseReply("Bash", { command: "echo hi > hi.txt", description: "Write hi" }));
      const neverDecided: Decide = () => {
        void adapter.cancel();
        return new Promise<PermissionDecision>(() => undefined);
      };

      const outputs = await driver.runTurn("Write hi to hi.txt", neverDecided);

      expect(outputs.at(-1)).toEqual({ type: "completed", stopReason: "cancelled" });
      expect(existsSync(join(world.cwd, "hi.txt"))).toBe(false);
      world.fake.enqueue(textReply("Ready."));
      expect(textOf(await driver.runTurn("Next?"))).toBe("Ready.");
      // Nothing but the two turns reached the model: the withdrawn request started no turn of its own.
      expect(world.fake.mainRequests()).toHaveLength(2);
    },
    AGENT_TIMEOUT,
  );

  it(
    "starts a new session with a note when Claude Code has no such session to resume",
    async () => {
      const session = await driver.start("00000000-0000-4000-8000-000000000000");

      expect(session.restoredBy).toBe("new");
      expect(session.sessionId).not.toBe("00000000-0000-4000-8000-000000000000");
      expect(session.note).toMatch(/No conversation found/);
      expect(driver.exits).toEqual([]);
      world.fake.enqueue(textReply("Fresh start."));
      expect(textOf(await driver.runTurn("Hello?"))).toBe("Fresh start.");
    },
    AGENT_TIMEOUT,
  );
});
