import { existsSync } from "node:fs";
import { join } from "node:path";
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
import { AcpAdapter } from "../src/index.js";

// The real claude-code-acp 0.16.2 (bundling Claude Code 2.1.44) against a fake Messages API.
const AGENT_TIMEOUT = 90_000;

const newAdapter = () => new AcpAdapter({ agentBinary: bundledClaudeCode().acpAgentBinary, launchArgs: [] });

describeAdapterContract("AcpAdapter with claude-code-acp", () => adapterInFakeModelWorld("acp", newAdapter), {
  resumedAs: "resume",
  apiError: /session\/prompt failed: .*max_tokens: bogus value/,
  timeoutMs: AGENT_TIMEOUT,
});

describe("AcpAdapter with claude-code-acp: ACP specifics", () => {
  let subject: AdapterInWorld<AcpAdapter>;
  let world: FakeModelWorld;
  let driver: AdapterDriver;

  beforeEach(async () => {
    subject = await adapterInFakeModelWorld("acp", newAdapter);
    ({ world, driver } = subject);
  });

  afterEach(() => subject.close());

  it(
    "denied, the tool does not run and the model is told it was refused",
    async () => {
      await driver.start();
      world.fake.enqueue(toolUseReply("Bash", { command: "echo hi > hi.txt", description: "Write hi" }));
      const deny: Decide = async () => ({ outcome: "rejected" });

      const first = await driver.runTurn("Write hi to hi.txt", deny);

      expect(first.at(-1)?.type).toBe("completed");
      expect(existsSync(join(world.cwd, "hi.txt"))).toBe(false);
      // claude-code-acp ends the turn on a refusal; the model sees it with the next message.
      world.fake.enqueue(textReply("Understood, I will not write it."));
      const second = await driver.runTurn("Why did that not work?");
      expect(textOf(second)).toBe("Understood, I will not write it.");
      const seen = transcript(world.fake.mainRequests().at(-1)!);
      expect(seen).toMatch(/tool_result error: .*refused permission/);
    },
    AGENT_TIMEOUT,
  );
});
