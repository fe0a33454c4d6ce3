import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Origin } from "@openaxon/broker";
import { systemClock, systemRng } from "@openaxon/core";
import { textReply, toolUseReply } from "@openaxon/fake-anthropic";
import { RuntimeManager } from "@openaxon/runtime";
import { KvLogStore, MemoryBackend, type StoredEvent } from "@openaxon/store";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createPiAdapter } from "../src/index.js";
import { PI_TEST_MODEL, type PiWorld, piCli, piWorld } from "./pi-world.js";

// Pi behind the real RuntimeManager and broker (in-process, on a memory-backed KvLogStore): the
// broker's permission policy "ask" reaches the axon, and a suspended runtime wakes into the same
// Pi session.
const AGENT_TIMEOUT = 120_000;

let world: PiWorld;
let store: KvLogStore;
let manager: RuntimeManager;
let workdirRoot: string;
let axonId: string;

beforeEach(async () => {
  world = await piWorld();
  store = new KvLogStore({ backend: new MemoryBackend(), clock: systemClock, rng: systemRng });
  axonId = (await store.createAxon({ name: "pi", labels: {} })).id;
  workdirRoot = await mkdtemp(join(tmpdir(), "openaxon-pi-runtimes-"));
  manager = new RuntimeManager({
    store,
    clock: systemClock,
    rng: systemRng,
    adapters: { pi: (launch) => createPiAdapter(launch) },
    workdirRoot,
    hostEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  });
  await manager.start();
});

afterEach(async () => {
  await manager.close();
  await world.close();
  await rm(workdirRoot, { recursive: true, force: true });
});

const events = () => store.read(axonId, { afterSequence: 0, limit: 100_000 });
const payload = (event: StoredEvent) => JSON.parse(event.payload) as Record<string, unknown>;

async function publish(eventType: string, body: unknown): Promise<number> {
  const result = await store.append(axonId, [
    { origin: Origin.User, source: "test", eventType, payload: JSON.stringify(body) },
  ]);
  return result.firstSequence;
}

async function waitForEvent(predicate: (event: StoredEvent) => boolean): Promise<StoredEvent> {
  return vi.waitFor(
    async () => {
      const found = (await events()).find(predicate);
      if (!found) throw new Error("not yet");
      return found;
    },
    { timeout: 60_000, interval: 50 },
  );
}

const turnEnd = (turnId: string) =>
  waitForEvent(
    (e) =>
      (e.eventType === "turn.completed" || e.eventType === "turn.failed") && payload(e).turn_id === turnId,
  );

describe("Pi through a runtime", () => {
  it(
    "asks the axon before running bash, then suspends and wakes into the same Pi session",
    async () => {
      const runtime = await manager.createRuntime({
        name: "pi",
        mounts: [
          {
            axonId,
            protocol: "pi",
            agentBinary: process.execPath,
            launchArgs: [piCli()],
            env: world.launch.env,
            permissionPolicy: "ask",
            model: PI_TEST_MODEL,
          },
        ],
        lifecycle: { idleTimeSeconds: 0, onIdle: "suspend", resumeOnAxonEvent: true },
        env: {},
      });

      // The policy asks the axon; a USER answer lets the tool run.
      world.fake.enqueue(toolUseReply("bash", { command: "echo hi > hi.txt" }), textReply("Wrote it."));
      const first = await publish("user.message", { content: "Write hi to hi.txt" });
      const asked = await waitForEvent((e) => e.eventType === "turn.permission_request");
      expect(payload(asked)).toMatchObject({
        turn_id: `turn_${first}`,
        tool_call: { title: "bash: echo hi > hi.txt", kind: "execute" },
      });
      await publish("permission.response", { request_id: payload(asked).request_id, option_id: "allow" });
      expect(payload(await turnEnd(`turn_${first}`))).toMatchObject({ stop_reason: "end_turn" });
      const workdir = manager.getRuntime(runtime.id).workingDirectory;
      expect(await readFile(join(workdir, "hi.txt"), "utf8")).toBe("hi\n");
      const started = payload(await waitForEvent((e) => e.eventType === "session.started"));
      expect(started.restored_by).toBe("new");

      // Suspend (Pi stops), then a message wakes it into the session Pi saved.
      await manager.suspendRuntime(runtime.id);
      expect(manager.getRuntime(runtime.id).status).toBe("suspended");
      world.fake.enqueue(textReply("I wrote hi to hi.txt."));
      const second = await publish("user.message", { content: "What did you write?" });
      expect(payload(await turnEnd(`turn_${second}`))).toMatchObject({ stop_reason: "end_turn" });

      const sessions = (await events()).filter((e) => e.eventType === "session.started").map(payload);
      expect(sessions.at(-1)).toMatchObject({
        agent_session_id: started.agent_session_id,
        restored_by: "cli-resume",
      });
      const seen = world.model.seen();
      expect(seen).toContain("user: Write hi to hi.txt");
      expect(seen).toContain("tool_result ok");
      expect(seen).toContain("assistant: Wrote it.");
      expect(seen).toContain("user: What did you write?");
      const runtimeEvents = (await events())
        .filter((e) => e.eventType.startsWith("runtime."))
        .map((e) => e.eventType);
      expect(runtimeEvents).toEqual(["runtime.running", "runtime.suspended", "runtime.resumed"]);
      expect(existsSync(join(workdir, "hi.txt"))).toBe(true);
    },
    AGENT_TIMEOUT,
  );
});

describe("Pi and MCP servers", () => {
  it("a Pi mount with MCP servers is refused at create, naming the field, and nothing is stored", async () => {
    await expect(
      manager.createRuntime({
        name: "pi-mcp",
        mounts: [
          {
            axonId,
            protocol: "pi",
            agentBinary: process.execPath,
            launchArgs: [piCli()],
            env: world.launch.env,
            permissionPolicy: "ask",
            mcpServers: [{ type: "stdio", name: "tools", command: "cat", args: [], env: {} }],
          },
        ],
        lifecycle: { idleTimeSeconds: 0, onIdle: "suspend", resumeOnAxonEvent: true },
        env: {},
      }),
    ).rejects.toThrow(/^mounts\[0\]\.mcp_servers: Pi has no MCP client/);
    expect(manager.listRuntimes()).toEqual([]);
    expect(await events()).toEqual([]);
  });
});
