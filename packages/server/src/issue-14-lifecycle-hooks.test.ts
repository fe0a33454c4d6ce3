import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { stdioAdapterFactory } from "@openaxon/adapter-stdio";
import { seededRng, systemClock } from "@openaxon/core";
import {
  AgentProtocol,
  AxonService,
  type LifecycleSchema,
  RuntimeService,
  RuntimeStatus,
} from "@openaxon/protocol";
import { RuntimeManager } from "@openaxon/runtime";
import { KvLogStore, MemoryBackend } from "@openaxon/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { axonRoutes } from "./axon-service.js";
import { runtimeRoutes } from "./runtime-service.js";

// Issue 14 item 5 over the RPC: lifecycle hooks are validated, stored, shown and changed with
// UpdateRuntime's lifecycle mask; a suspend runs the hook (a real sh process).

let workdirRoot: string;
let store: KvLogStore;
let runtimes: RuntimeManager;

beforeEach(async () => {
  workdirRoot = await mkdtemp(join(tmpdir(), "openaxon-hooks-rpc-"));
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

const mount = (axonId: string) => ({ axonId, protocol: AgentProtocol.STDIO, agentBinary: "cat" });

describe("lifecycle hooks over the RPC", () => {
  it("CreateRuntime stores the hooks, GetRuntime shows them, SuspendRuntime runs before_suspend", async () => {
    const { axons, rts } = clients();
    const axonId = (await axons.createAxon({ name: "hooks" })).axon!.id;
    const { runtime } = await rts.createRuntime({
      mounts: [mount(axonId)],
      lifecycle: {
        beforeSuspend: { command: ["sh", "-c", "echo bye > bye.txt; echo saved"], deadlineMs: 10_000 },
        afterResume: { command: ["true"], deadlineMs: 5000 },
      },
    });
    const shown = (await rts.getRuntime({ id: runtime!.id })).runtime!.lifecycle!;
    expect(shown.beforeSuspend).toMatchObject({
      command: ["sh", "-c", "echo bye > bye.txt; echo saved"],
      deadlineMs: 10_000,
    });
    expect(shown.afterResume).toMatchObject({ command: ["true"], deadlineMs: 5000 });

    const { runtime: suspended } = await rts.suspendRuntime({ id: runtime!.id });
    expect(suspended!.status).toBe(RuntimeStatus.SUSPENDED);
    expect(await readFile(join(runtime!.workingDirectory, "bye.txt"), "utf8")).toBe("bye\n");
    const { events } = await axons.listEvents({ axonId, limit: 100 });
    const hook = events.find((e) => e.eventType === "runtime.hook")!;
    expect(JSON.parse(hook.payload)).toMatchObject({
      hook: "before_suspend",
      command: "sh",
      exit_code: 0,
      output_tail: "saved\n",
    });
  });

  it("refuses an empty command or a deadline of 0 or over 10 minutes, naming the field", async () => {
    const { axons, rts } = clients();
    const axonId = (await axons.createAxon({ name: "bad-hooks" })).axon!.id;
    const cases: [MessageInitShape<typeof LifecycleSchema>, RegExp][] = [
      [{ beforeSuspend: { command: [], deadlineMs: 1000 } }, /^lifecycle\.before_suspend\.command is empty/],
      [{ afterResume: { command: ["true"] } }, /^lifecycle\.after_resume\.deadline_ms is 0/],
      [
        { afterResume: { command: ["true"], deadlineMs: 600_001 } },
        /^lifecycle\.after_resume\.deadline_ms is 600001/,
      ],
    ];
    for (const [lifecycle, message] of cases) {
      const result = await failure(rts.createRuntime({ mounts: [mount(axonId)], lifecycle }));
      expect(result.code).toBe("InvalidArgument");
      expect(result.message).toMatch(message);
    }
    expect((await rts.listRuntimes({})).runtimes).toEqual([]);
  });

  it("UpdateRuntime's lifecycle mask sets, checks and removes hooks", async () => {
    const { axons, rts } = clients();
    const axonId = (await axons.createAxon({ name: "update-hooks" })).axon!.id;
    const { runtime } = await rts.createRuntime({ mounts: [mount(axonId)] });
    const id = runtime!.id;
    const updateMask = create(FieldMaskSchema, { paths: ["lifecycle"] });

    const bad = await failure(
      rts.updateRuntime({ id, lifecycle: { beforeSuspend: { command: ["x"], deadlineMs: 0 } }, updateMask }),
    );
    expect(bad).toEqual({
      code: "InvalidArgument",
      message: expect.stringMatching(/before_suspend\.deadline_ms/),
    });

    const { runtime: updated } = await rts.updateRuntime({
      id,
      lifecycle: { beforeSuspend: { command: ["git", "commit", "-am", "wip"], deadlineMs: 30_000 } },
      updateMask,
    });
    expect(updated!.lifecycle!.beforeSuspend).toMatchObject({
      command: ["git", "commit", "-am", "wip"],
      deadlineMs: 30_000,
    });
    const { events } = await axons.listEvents({ axonId, limit: 100 });
    const change = JSON.parse(events.find((e) => e.eventType === "runtime.updated")!.payload).changes[0];
    expect(change.field).toBe("lifecycle");
    // The axon's readers see the executable, not the arguments (a command line may carry a token).
    expect(change.new.beforeSuspend).toEqual({ executable: "git", argumentCount: 3, deadlineMs: 30_000 });
    expect(change.values_hidden).toBe(true);
    expect(JSON.stringify(change)).not.toContain("wip");

    const { runtime: cleared } = await rts.updateRuntime({ id, lifecycle: {}, updateMask });
    expect(cleared!.lifecycle!.beforeSuspend).toBeUndefined();
  });
});
