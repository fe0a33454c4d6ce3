import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Origin, type PermissionPolicy } from "@openaxon/broker";
import { systemClock, systemRng } from "@openaxon/core";
import {
  type CodexTestHome,
  codexTestHome,
  FakeOpenAIServer,
  functionCallReply,
  textReply,
  transcript,
} from "@openaxon/fake-openai";
import { RuntimeManager } from "@openaxon/runtime";
import { catchUpThenLive, KvLogStore, MemoryBackend, type StoredEvent } from "@openaxon/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCodexAdapter } from "../src/index.js";
import { codexLauncher } from "./codex-world.js";

// The real Codex CLI behind a real RuntimeManager and broker on a real log store: what an axon shows
// when a runtime of protocol `codex` suspends and wakes, and when its permission policy is `ask`.

const API_KEY = "sk-test-fake";
const TIMEOUT = 120_000;

let fake: FakeOpenAIServer;
let home: CodexTestHome;
let workdirRoot: string;
let store: KvLogStore;
let manager: RuntimeManager;
let axonId: string;

beforeEach(async () => {
  fake = await FakeOpenAIServer.start({ requiredApiKey: API_KEY });
  home = await codexTestHome(fake.baseUrl, API_KEY);
  workdirRoot = await mkdtemp(join(tmpdir(), "openaxon-codex-runtimes-"));
  store = new KvLogStore({ backend: new MemoryBackend(), clock: systemClock, rng: systemRng });
  axonId = (await store.createAxon({ name: "codex", labels: {} })).id;
  manager = new RuntimeManager({
    store,
    clock: systemClock,
    rng: systemRng,
    adapters: { codex: (launch) => createCodexAdapter(launch) },
    workdirRoot,
    hostEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  });
  await manager.start();
});

afterEach(async () => {
  await manager.close();
  await store.close();
  await fake.close();
  await home.cleanup();
  await rm(workdirRoot, { recursive: true, force: true });
});

const createCodexRuntime = (permissionPolicy: PermissionPolicy) =>
  manager.createRuntime({
    name: "codex",
    mounts: [
      {
        axonId,
        protocol: "codex",
        agentBinary: process.execPath,
        launchArgs: [codexLauncher()],
        // CODEX_HOME and the provider's key, as a runtime would be given them.
        env: home.env,
        permissionPolicy,
        model: "gpt-fake",
      },
    ],
    lifecycle: { idleTimeSeconds: 0, onIdle: "suspend", resumeOnAxonEvent: true },
    env: {},
    sandboxPolicy: "off",
  });

async function publish(eventType: string, payload: unknown): Promise<number> {
  const result = await store.append(axonId, [
    { origin: Origin.User, source: "test", eventType, payload: JSON.stringify(payload) },
  ]);
  return Number(result.firstSequence);
}

/** Resolves with the first event of the axon (from its start) matching `predicate`. */
async function waitFor(predicate: (event: StoredEvent) => boolean): Promise<StoredEvent> {
  const controller = new AbortController();
  try {
    for await (const item of catchUpThenLive(store, axonId, {
      afterSequence: 0,
      signal: controller.signal,
    })) {
      if (item.kind !== "events") continue;
      const found = item.events.find(predicate);
      if (found) return found;
    }
  } finally {
    controller.abort();
  }
  throw new Error("follow ended");
}

const payloadOf = (event: StoredEvent) => JSON.parse(event.payload) as Record<string, unknown>;
const ofTurn = (trigger: number) => (event: StoredEvent) => payloadOf(event).turn_id === `turn_${trigger}`;

/** Runs one turn through the axon: the user's message, then the turn's end and its reply text. */
async function turn(content: string): Promise<{ ending: StoredEvent; text: string; events: StoredEvent[] }> {
  const trigger = await publish("user.message", { content });
  const ending = await waitFor(
    (e) => (e.eventType === "turn.completed" || e.eventType === "turn.failed") && ofTurn(trigger)(e),
  );
  const events = (await store.read(axonId, { afterSequence: 0, limit: 10_000 })).filter(ofTurn(trigger));
  const text = events
    .filter((e) => e.eventType === "turn.message_chunk")
    .map((e) => String(payloadOf(e).text))
    .join("");
  return { ending, text, events };
}

const sessions = async () =>
  (await store.read(axonId, { afterSequence: 0, limit: 10_000 }))
    .filter((e) => e.eventType === "session.started")
    .map((e) => payloadOf(e));

describe("a codex runtime (issue 14)", () => {
  it(
    "suspends and wakes on the next message with the Codex thread restored: the model sees the first exchange",
    async () => {
      const runtime = await createCodexRuntime("auto_allow");
      fake.enqueue(textReply("Noted: pineapple."));
      const first = await turn("Remember the word pineapple");
      expect(first.ending.eventType).toBe("turn.completed");
      expect(first.text).toBe("Noted: pineapple.");

      await manager.suspendRuntime(runtime.id);
      expect(manager.getRuntime(runtime.id).status).toBe("suspended");
      fake.enqueue(textReply("You said pineapple."));
      const second = await turn("Which word did I ask you to remember?");

      expect(second.text).toBe("You said pineapple.");
      expect(manager.getRuntime(runtime.id).status).toBe("running");
      const seen = transcript(fake.mainRequests().at(-1)!);
      expect(seen).toContain("user: Remember the word pineapple");
      expect(seen).toContain("assistant: Noted: pineapple.");
      expect(seen).toContain("user: Which word did I ask you to remember?");
      const [created, woken] = await sessions();
      expect(created).toMatchObject({ protocol: "codex" });
      expect(woken?.agent_session_id).toBe(created?.agent_session_id);
      expect(fake.mainRequests().every((r) => r.body?.model === "gpt-fake")).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "asks the axon before Codex runs a command (policy ask); the user's answer lets it run in the working directory",
    async () => {
      const runtime = await createCodexRuntime("ask");
      fake.enqueue(functionCallReply("exec_command", { cmd: "echo hi > hi.txt" }), textReply("Wrote it."));
      const trigger = await publish("user.message", { content: "Write hi to hi.txt" });

      const request = await waitFor((e) => e.eventType === "turn.permission_request" && ofTurn(trigger)(e));
      const asked = payloadOf(request) as {
        request_id: string;
        tool_call: { title: string };
        options: { option_id: string }[];
      };
      expect(asked.tool_call.title).toBe("echo hi > hi.txt");
      const cwd = manager.getRuntime(runtime.id).workingDirectory;
      expect(existsSync(join(cwd, "hi.txt"))).toBe(false);
      await publish("permission.response", { request_id: asked.request_id, option_id: "allow" });

      const ending = await waitFor(
        (e) => (e.eventType === "turn.completed" || e.eventType === "turn.failed") && ofTurn(trigger)(e),
      );
      expect(ending.eventType).toBe("turn.completed");
      expect(existsSync(join(cwd, "hi.txt"))).toBe(true);
      const types = (await store.read(axonId, { afterSequence: 0, limit: 10_000 }))
        .filter(ofTurn(trigger))
        .map((e) => e.eventType);
      expect(types.indexOf("turn.tool_call")).toBeLessThan(types.indexOf("turn.permission_request"));
      expect(types).toContain("turn.tool_call_update");
    },
    TIMEOUT,
  );
});
