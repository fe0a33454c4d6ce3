import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { stdioAdapterFactory } from "@openaxon/adapter-stdio";
import { seededRng, systemClock } from "@openaxon/core";
import { AgentProtocol, AxonService, Origin, RuntimeService } from "@openaxon/protocol";
import { RuntimeManager } from "@openaxon/runtime";
import { KvLogStore, MemoryBackend } from "@openaxon/store";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { axonRoutes } from "./axon-service.js";
import { runtimeRoutes } from "./runtime-service.js";

// Issue 14 item 2 over the RPC, with real stdio agents (sh processes, one per turn): UpdateRuntime
// replaces the agent in place, the new agent's first prompt carries the earlier turns (`cat` answers
// with its own input, so the answer shows exactly what it was given), and a model change reaches
// the next turn.

let workdirRoot: string;
let store: KvLogStore;
let runtimes: RuntimeManager;

beforeEach(async () => {
  workdirRoot = await mkdtemp(join(tmpdir(), "openaxon-update-runtime-"));
  store = new KvLogStore({ backend: new MemoryBackend(), clock: systemClock, rng: seededRng(3) });
  runtimes = new RuntimeManager({
    store,
    clock: systemClock,
    rng: seededRng(4),
    adapters: { stdio: stdioAdapterFactory },
    workdirRoot,
    hostEnv: { PATH: process.env.PATH },
  });
  await runtimes.start();
});

afterEach(async () => {
  await runtimes.close();
  await store.close();
  await rm(workdirRoot, { recursive: true, force: true });
});

function clients() {
  const transport = createRouterTransport((router) => {
    axonRoutes({ store })(router);
    runtimeRoutes({ runtimes })(router);
  });
  return { axons: createClient(AxonService, transport), rts: createClient(RuntimeService, transport) };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: "ok" as const, message: "" }),
    (error) => {
      const e = ConnectError.from(error);
      return { code: Code[e.code], message: e.rawMessage };
    },
  );

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

/** Publishes a user.message and resolves with the text of its turn's answer once the turn ended. */
async function ask(axons: ReturnType<typeof clients>["axons"], axonId: string, content: string) {
  const { sequence } = await axons.publish({
    axonId,
    origin: Origin.USER_EVENT,
    source: "test",
    eventType: "user.message",
    payload: JSON.stringify({ content }),
  });
  const turnId = `turn_${sequence}`;
  return vi.waitFor(
    async () => {
      const { events } = await axons.listEvents({ axonId, limit: 1000 });
      const mine = events.filter((e) => JSON.parse(e.payload).turn_id === turnId);
      expect(mine.some((e) => e.eventType === "turn.completed" || e.eventType === "turn.failed")).toBe(true);
      return mine
        .filter((e) => e.eventType === "turn.message_chunk")
        .map((e) => JSON.parse(e.payload).text)
        .join("");
    },
    { timeout: 10_000, interval: 20 },
  );
}

describe("UpdateRuntime", () => {
  it("replaces the agent; the new one's first prompt holds the earlier turns; runtime.updated says what changed", async () => {
    const { axons, rts } = clients();
    const axonId = (await axons.createAxon({ name: "handoff" })).axon!.id;
    const { runtime } = await rts.createRuntime({
      mounts: [
        {
          axonId,
          protocol: AgentProtocol.STDIO,
          agentBinary: "sh",
          launchArgs: ["-c", 'cat >/dev/null; printf "The answer is forty-two."'],
          env: { SECRET_TOKEN: "s3cr3t-value" },
        },
      ],
    });
    expect(await ask(axons, axonId, "What is the answer?")).toBe("The answer is forty-two.");

    const { runtime: updated } = await rts.updateRuntime({
      id: runtime!.id,
      mount: { agentBinary: "cat", launchArgs: [] },
      updateMask: mask("mount.agent_binary", "mount.launch_args", "mount.env"),
    });
    expect(updated!.mounts[0]).toMatchObject({ agentBinary: "cat", launchArgs: [], env: {} });
    expect((await rts.getRuntime({ id: runtime!.id })).runtime!.mounts[0]!.agentBinary).toBe("cat");

    const seen = await ask(axons, axonId, "What did I ask before?");
    expect(seen).toContain("[OpenAxon hand-off]");
    expect(seen).toContain("User: What is the answer?");
    expect(seen).toContain("Agent: The answer is forty-two.");
    expect(seen.endsWith("What did I ask before?")).toBe(true);
    // Only the first turn after the hand-off is primed.
    expect(await ask(axons, axonId, "plain")).toBe("plain");

    const { events } = await axons.listEvents({ axonId, limit: 1000 });
    const update = events.find((e) => e.eventType === "runtime.updated")!;
    expect(update.origin).toBe(Origin.SYSTEM_EVENT);
    expect(JSON.parse(update.payload)).toEqual({
      runtime_id: runtime!.id,
      axon_id: axonId,
      changes: [
        { field: "mount.agent_binary", old: "sh", new: "cat" },
        {
          field: "mount.launch_args",
          old: ["-c", 'cat >/dev/null; printf "The answer is forty-two."'],
          new: [],
        },
        { field: "mount.env", old: ["SECRET_TOKEN"], new: [], values_hidden: true },
      ],
      resume_session: false,
    });
    expect(JSON.stringify(events.map((e) => e.payload))).not.toContain("s3cr3t-value");
    expect(events.filter((e) => e.eventType === "session.primed").map((e) => JSON.parse(e.payload))).toEqual([
      expect.objectContaining({ turns: 1, omitted_turns: 0, budget_chars: 16_000 }),
    ]);
  });

  it("never interrupts a running turn: it finishes on the old agent, the queued one runs on the new", async () => {
    const { axons, rts } = clients();
    const axonId = (await axons.createAxon({ name: "boundary" })).axon!.id;
    const gate = join(workdirRoot, "gate");
    const { runtime } = await rts.createRuntime({
      mounts: [
        {
          axonId,
          protocol: AgentProtocol.STDIO,
          agentBinary: "sh",
          launchArgs: [
            "-c",
            'cat >/dev/null; while [ ! -e "$GATE" ]; do sleep 0.02; done; printf "old agent done"',
          ],
          env: { GATE: gate },
        },
      ],
    });
    const running = ask(axons, axonId, "slow work");
    await vi.waitFor(
      async () => {
        const { events } = await axons.listEvents({ axonId, limit: 100 });
        expect(events.some((e) => e.eventType === "turn.started")).toBe(true);
      },
      { timeout: 10_000, interval: 20 },
    );
    const queued = ask(axons, axonId, "next");
    await rts.updateRuntime({
      id: runtime!.id,
      mount: { agentBinary: "cat" },
      updateMask: mask("mount.agent_binary", "mount.launch_args", "mount.env"),
    });
    // The update waits for the turn boundary: runtime.updated is not written while the old agent
    // still works on its turn (nothing of the old agent may follow it).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { events } = await axons.listEvents({ axonId, limit: 100 });
    expect(events.map((e) => e.eventType)).not.toContain("runtime.updated");
    expect(events.filter((e) => e.eventType === "turn.completed" || e.eventType === "turn.failed")).toEqual(
      [],
    );
    await writeFile(gate, "");
    expect(await running).toBe("old agent done");
    const next = await queued;
    expect(next).toContain("User: slow work");
    expect(next).toContain("Agent: old agent done");
    const all = (await axons.listEvents({ axonId, limit: 1000 })).events;
    expect(all.filter((e) => e.eventType === "turn.failed")).toEqual([]);
    // Between the old agent's last turn and the new agent's first.
    const types = all.map((e) => e.eventType);
    const updated = types.indexOf("runtime.updated");
    expect(types.indexOf("turn.completed")).toBeLessThan(updated);
    expect(types.lastIndexOf("turn.started")).toBeGreaterThan(updated);
  });

  it("a model change reaches the agent on the next turn", async () => {
    const { axons, rts } = clients();
    const axonId = (await axons.createAxon({ name: "model" })).axon!.id;
    const { runtime } = await rts.createRuntime({
      mounts: [
        {
          axonId,
          protocol: AgentProtocol.STDIO,
          agentBinary: "sh",
          launchArgs: ["-c", 'cat >/dev/null; printf "model=%s" "$OPENAXON_MODEL"'],
          model: "model-a",
        },
      ],
    });
    expect(await ask(axons, axonId, "which?")).toBe("model=model-a");
    await rts.updateRuntime({
      id: runtime!.id,
      mount: { model: "model-b" },
      updateMask: mask("mount.model"),
    });
    expect(await ask(axons, axonId, "which now?")).toBe("model=model-b");
    await rts.updateRuntime({ id: runtime!.id, updateMask: mask("mount.model") });
    expect(await ask(axons, axonId, "and now?")).toBe("model=");
  });

  it("answers bad requests with INVALID_ARGUMENT naming the field, NOT_FOUND and FAILED_PRECONDITION", async () => {
    const { axons, rts } = clients();
    const axonId = (await axons.createAxon({})).axon!.id;
    const { runtime } = await rts.createRuntime({
      mounts: [{ axonId, protocol: AgentProtocol.STDIO, agentBinary: "cat" }],
    });
    const id = runtime!.id;
    const cases: [Parameters<typeof rts.updateRuntime>[0], string, RegExp][] = [
      [{ id }, "InvalidArgument", /^update_mask is required/],
      [
        { id, updateMask: mask("name") },
        "InvalidArgument",
        /update_mask path "name" is not one UpdateRuntime changes/,
      ],
      [{ id, updateMask: mask("mount.protocol") }, "InvalidArgument", /^mount\.protocol is required/],
      [
        { id, mount: { agentBinary: "" }, updateMask: mask("mount.agent_binary") },
        "InvalidArgument",
        /^mount\.agent_binary is required/,
      ],
      [
        { id, mount: { agentBinary: "no-such-agent-xyz" }, updateMask: mask("mount.agent_binary") },
        "InvalidArgument",
        /^mount\.agent_binary: .*no-such-agent-xyz not found/,
      ],
      [
        { id, mount: { protocol: AgentProtocol.ACP }, updateMask: mask("mount.protocol") },
        "InvalidArgument",
        /^mount\.protocol acp is not available on this server/,
      ],
      [
        { id, mount: { axonId: "axn_00000000000000000000000000" }, updateMask: mask("mount.model") },
        "InvalidArgument",
        /mount\.axon_id axn_0+ is not mounted by runtime/,
      ],
      [{ id: "rt_00000000000000000000000000", updateMask: mask("env") }, "NotFound", /not found/],
      [{ id: "nope", updateMask: mask("env") }, "InvalidArgument", /^id "nope" is not a runtime id/],
    ];
    for (const [request, code, message] of cases) {
      expect(await failure(rts.updateRuntime(request))).toMatchObject({
        code,
        message: expect.stringMatching(message),
      });
    }
    expect((await rts.getRuntime({ id })).runtime!.mounts[0]!.agentBinary).toBe("cat");
    await rts.shutdownRuntime({ id });
    expect(await failure(rts.updateRuntime({ id, updateMask: mask("env") }))).toMatchObject({
      code: "FailedPrecondition",
      message: expect.stringContaining("is shut down and cannot be updated"),
    });
    const { events } = await axons.listEvents({ axonId, limit: 1000 });
    expect(events.filter((e) => e.eventType === "runtime.updated")).toEqual([]);
  });
});
