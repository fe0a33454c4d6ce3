import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import {
  bundledClaudeCode,
  type ClaudeCodeTestHome,
  claudeCodeTestHome,
  FakeAnthropicServer,
  textReply,
  transcript,
} from "@openaxon/fake-anthropic";
import { AgentProtocol, Origin, RuntimeStatus } from "@openaxon/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAll } from "./support/axon-client.js";
import { type AxondProcess, startAxondProcess } from "./support/axond-process.js";
import { payloadOf, reply, say, serviceClients } from "./support/gateway-e2e.js";

// Issue 14 item 2, end to end with real processes: axond (child process) → runtime → agent A, the
// real claude-code-acp over ACP → the fake Anthropic API. UpdateRuntime then replaces A with agent
// B, the real Claude Code CLI in stream-json (another protocol and binary, so it cannot resume A's
// session): B's first model request must hold the first turn's prompt and answer, primed from the
// log. A model change by UpdateRuntime reaches the model server on the next turn.

const AGENT_TIMEOUT = 180_000;
const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

let dataDir: string;
let fake: FakeAnthropicServer;
let home: ClaudeCodeTestHome;
let axond: AxondProcess | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "axond-issue-14-handoff-"));
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

describe.skipIf(process.platform !== "linux")("issue 14: hand-off between agents", () => {
  it(
    "claude-code-acp answers, UpdateRuntime switches to the Claude Code CLI, which is asked with the first turn in its request",
    async () => {
      axond = await startAxondProcess({
        args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--sandbox", "off"],
      });
      const { axons, runtimes } = serviceClients(axond.url);
      const axonId = (await axons.createAxon({ name: "handoff" })).axon!.id;
      const { runtime } = await runtimes.createRuntime({
        name: "handoff",
        mounts: [
          {
            axonId,
            protocol: AgentProtocol.ACP,
            agentBinary: bundledClaudeCode().acpAgentBinary,
            env: home.env,
            model: "model-a",
          },
        ],
      });
      expect(runtime).toMatchObject({ status: RuntimeStatus.RUNNING });

      fake.enqueue(textReply("The secret word is PAPAYA."));
      const first = await reply(axons, axonId, await say(axons, axonId, "Pick a secret word."), 90_000);
      expect(first.text).toBe("The secret word is PAPAYA.");
      const beforeSwitch = fake.mainRequests().length;
      expect(fake.mainRequests().at(-1)!.body?.model).toBe("model-a");

      const { runtime: updated } = await runtimes.updateRuntime({
        id: runtime!.id,
        mount: {
          protocol: AgentProtocol.CLAUDE_CODE,
          agentBinary: process.execPath,
          launchArgs: [bundledClaudeCode().cliJs],
          model: "model-b",
        },
        updateMask: mask("mount.protocol", "mount.agent_binary", "mount.launch_args", "mount.model"),
      });
      expect(updated!.mounts[0]).toMatchObject({ protocol: AgentProtocol.CLAUDE_CODE, model: "model-b" });

      fake.enqueue(textReply("You chose PAPAYA."));
      const second = await reply(axons, axonId, await say(axons, axonId, "Which word did I pick?"), 90_000);
      expect(payloadOf(second.end)).toMatchObject({ stop_reason: "end_turn" });
      expect(second.text).toBe("You chose PAPAYA.");

      // B's request to the model: a conversation B never had, told from the log, then the question.
      const asked = fake.mainRequests().slice(beforeSwitch);
      expect(asked.length).toBeGreaterThan(0);
      const seen = transcript(asked[0]!);
      expect(seen).toContain("[OpenAxon hand-off]");
      expect(seen).toContain("User: Pick a secret word.");
      expect(seen).toContain("Agent: The secret word is PAPAYA.");
      expect(seen).toContain("Which word did I pick?");
      expect(asked[0]!.body?.model).toBe("model-b");

      const events = await readAll(axons, axonId);
      const types = events.map((e) => e.eventType);
      expect(types).toContain("runtime.updated");
      expect(payloadOf(events.find((e) => e.eventType === "runtime.updated")!)).toMatchObject({
        resume_session: false,
      });
      const sessions = events.filter((e) => e.eventType === "session.started").map(payloadOf);
      expect(sessions.map((s) => s.protocol)).toEqual(["acp", "claude-code"]);
      expect(sessions[1]).toMatchObject({ restored_by: "new", needs_priming: true });
      expect(events.filter((e) => e.eventType === "session.primed").map(payloadOf)).toEqual([
        expect.objectContaining({ turns: 1, omitted_turns: 0 }),
      ]);
    },
    AGENT_TIMEOUT,
  );

  it(
    "a model change by UpdateRuntime reaches the model server on the next turn, in the same session",
    async () => {
      axond = await startAxondProcess({
        args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--sandbox", "off"],
      });
      const { axons, runtimes } = serviceClients(axond.url);
      const axonId = (await axons.createAxon({ name: "model" })).axon!.id;
      const { runtime } = await runtimes.createRuntime({
        name: "model",
        mounts: [
          {
            axonId,
            protocol: AgentProtocol.ACP,
            agentBinary: bundledClaudeCode().acpAgentBinary,
            env: home.env,
            model: "model-a",
          },
        ],
      });
      fake.enqueue(textReply("one"));
      await reply(axons, axonId, await say(axons, axonId, "Remember: blue."), 90_000);
      expect(fake.mainRequests().at(-1)!.body?.model).toBe("model-a");

      await runtimes.updateRuntime({
        id: runtime!.id,
        mount: { model: "model-c" },
        updateMask: mask("mount.model"),
      });
      fake.enqueue(textReply("two"));
      const second = await reply(axons, axonId, await say(axons, axonId, "What colour?"), 90_000);
      expect(second.text).toBe("two");
      const last = fake.mainRequests().at(-1)!;
      expect(last.body?.model).toBe("model-c");
      // Same agent, same session: it remembers by itself, nothing is primed.
      expect(transcript(last)).toContain("Remember: blue.");
      expect(transcript(last)).not.toContain("[OpenAxon hand-off]");
    },
    AGENT_TIMEOUT,
  );

  it(
    "session.new gives the agent a fresh session (the model sees no earlier messages); session.load goes back",
    async () => {
      axond = await startAxondProcess({
        args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--sandbox", "off"],
      });
      const { axons, runtimes } = serviceClients(axond.url);
      const axonId = (await axons.createAxon({ name: "sessions" })).axon!.id;
      await runtimes.createRuntime({
        name: "sessions",
        mounts: [
          {
            axonId,
            protocol: AgentProtocol.ACP,
            agentBinary: bundledClaudeCode().acpAgentBinary,
            env: home.env,
          },
        ],
      });
      const control = (eventType: string, payload: object) =>
        axons.publish({
          axonId,
          origin: Origin.USER_EVENT,
          source: "test",
          eventType,
          payload: JSON.stringify(payload),
        });

      fake.enqueue(textReply("noted"));
      await reply(axons, axonId, await say(axons, axonId, "The code word is MANGO."), 90_000);
      const firstSession = payloadOf(
        (await readAll(axons, axonId)).find((e) => e.eventType === "session.started")!,
      ).agent_session_id as string;

      await control("session.new", {});
      fake.enqueue(textReply("fresh"));
      await reply(axons, axonId, await say(axons, axonId, "What is the code word?"), 90_000);
      const fresh = transcript(fake.mainRequests().at(-1)!);
      expect(fresh).toContain("What is the code word?");
      expect(fresh).not.toContain("MANGO");

      await control("session.load", { session_id: firstSession });
      fake.enqueue(textReply("MANGO"));
      await reply(axons, axonId, await say(axons, axonId, "And now?"), 90_000);
      const loaded = transcript(fake.mainRequests().at(-1)!);
      expect(loaded).toContain("The code word is MANGO.");
      expect(loaded).not.toContain("What is the code word?");
    },
    AGENT_TIMEOUT,
  );
});
