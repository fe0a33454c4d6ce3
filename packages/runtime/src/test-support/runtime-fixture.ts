import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentLaunch } from "@openaxon/broker";
import { type AxonFixture, axonFixture, ScriptedAgent } from "@openaxon/broker/test-support";
import { seededRng } from "@openaxon/core";
import type { StoredEvent } from "@openaxon/store";
import { vi } from "vitest";
import { RuntimeManager, type RuntimeManagerOptions } from "../runtime-manager.js";
import type { CreateRuntimeInput, LifecycleSpec, MountSpec, RuntimeStatus } from "../runtime-record.js";

/** A ScriptedAgent whose `stop()` can be held, to catch the runtime in the middle of a suspend. */
export class HoldableAgent extends ScriptedAgent {
  private hold: Promise<void> | undefined;
  private releaseHold: (() => void) | undefined;
  stopRequested = 0;

  holdStops(): void {
    this.hold = new Promise((resolve) => {
      this.releaseHold = resolve;
    });
  }

  releaseStops(): void {
    this.releaseHold?.();
    this.hold = undefined;
  }

  /** While set, start() hangs like an agent that never answers, until stop() kills it. */
  hangStarts = false;
  private killHungStart: ((error: Error) => void) | undefined;
  startAttempts = 0;

  override async start(options: Parameters<ScriptedAgent["start"]>[0]) {
    this.startAttempts++;
    if (this.hangStarts) {
      await new Promise<never>((_, reject) => {
        this.killHungStart = reject;
      });
    }
    return super.start(options);
  }

  override async stop(): Promise<void> {
    this.stopRequested++;
    this.killHungStart?.(new Error("agent process killed"));
    this.killHungStart = undefined;
    if (this.hold) await this.hold;
    return super.stop();
  }
}

export const suspendAfter = (seconds: number, resumeOnAxonEvent = true): LifecycleSpec => ({
  idleTimeSeconds: seconds,
  onIdle: "suspend",
  resumeOnAxonEvent,
});

export const NEVER_IDLE: LifecycleSpec = { idleTimeSeconds: 0, onIdle: "suspend", resumeOnAxonEvent: true };

/**
 * A real KvLogStore (memory backend, manual clock) with one axon, a scripted agent behind the "acp"
 * protocol, and a RuntimeManager over them. `restart()` makes a new manager on the same store, as
 * a restarted server would.
 */
export async function runtimeFixture(
  agent: ScriptedAgent = new HoldableAgent(),
  options: Partial<RuntimeManagerOptions> = {},
) {
  const axon: AxonFixture = await axonFixture();
  const workdirRoot = await mkdtemp(join(tmpdir(), "openaxon-runtime-"));
  const managers: RuntimeManager[] = [];
  /** What the adapter factory was asked to launch, in order. */
  const launches: AgentLaunch[] = [];
  const makeManager = async (extra: Partial<RuntimeManagerOptions> = {}) => {
    const manager = new RuntimeManager({
      store: axon.store,
      clock: axon.clock,
      rng: seededRng(managers.length + 7),
      adapters: {
        acp: (launch) => {
          launches.push(launch);
          return agent;
        },
      },
      workdirRoot,
      hostEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      ...options,
      ...extra,
    });
    managers.push(manager);
    await manager.start();
    return manager;
  };
  let manager = await makeManager();

  const mount = (overrides: Partial<MountSpec> = {}): MountSpec => ({
    axonId: axon.axonId,
    protocol: "acp",
    agentBinary: "sh",
    launchArgs: [],
    env: {},
    permissionPolicy: "auto_allow",
    ...overrides,
  });

  const create = (overrides: Partial<CreateRuntimeInput> = {}) =>
    manager.createRuntime({
      name: "test",
      mounts: [mount()],
      lifecycle: NEVER_IDLE,
      env: {},
      ...overrides,
    });

  const say = (text: string, origin = 3) => axon.publish("user.message", { content: text }, origin);

  /** Another axon in the same store. */
  const newAxon = async () => (await axon.store.createAxon({ name: "other", labels: {} })).id;

  const statusOf = (id: string) => manager.getRuntime(id).status;

  /** Waits (on real time, briefly) until the runtime reaches `status`. */
  const reach = (id: string, status: RuntimeStatus) =>
    vi.waitFor(
      () => {
        if (statusOf(id) !== status) throw new Error(`runtime is ${statusOf(id)}, waiting for ${status}`);
      },
      { timeout: 5000, interval: 2 },
    );

  /** Runtime events in the axon: [type, reason]. */
  const runtimeEvents = async () =>
    (await axon.events())
      .filter((e) => e.eventType.startsWith("runtime."))
      .map((e) => [e.eventType, JSON.parse(e.payload).reason] as [string, string | undefined]);

  /** The event types of the axon, in order, leaving out noise (agent.log). */
  const types = async () =>
    (await axon.events()).map((e: StoredEvent) => e.eventType).filter((t) => t !== "agent.log");

  return {
    ...axon,
    agent,
    launches,
    workdirRoot,
    get manager() {
      return manager;
    },
    mount,
    newAxon,
    create,
    say,
    statusOf,
    reach,
    runtimeEvents,
    types,
    /** A new manager on the same store (the old one closed first, as on a graceful restart, unless told not to). */
    async restart(restart: { close?: boolean; extra?: Partial<RuntimeManagerOptions> } = {}) {
      if (restart.close !== false) await manager.close();
      manager = await makeManager(restart.extra);
      await manager.whenBooted();
      return manager;
    },
    async cleanup() {
      for (const m of managers) await m.close();
      await axon.store.close();
      await rm(workdirRoot, { recursive: true, force: true });
    },
  };
}

export type RuntimeFixture = Awaited<ReturnType<typeof runtimeFixture>>;
