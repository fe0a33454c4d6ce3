import { createRouterTransport, type Transport } from "@connectrpc/connect";
import type { AgentAdapter } from "@openaxon/broker";
import { seededRng } from "@openaxon/core";
import { RuntimeManager } from "@openaxon/runtime";
import { axonRoutes } from "@openaxon/server";
import { KvLogStore } from "@openaxon/store";
import type { AgentHost } from "./sim-agent.js";
import type { ClockScope, SimClock } from "./sim-clock.js";
import type { SimDisk } from "./sim-disk.js";
import type { Swarm } from "./swarm.js";

export interface NodeDeps {
  readonly clock: SimClock;
  readonly disk: SimDisk;
  readonly swarm: Swarm;
  readonly agent: AgentHost;
  /** A real directory: the runtime creates working directories and looks up the agent binary. */
  readonly workdirRoot: string;
}

/**
 * One life of the server process (axond in miniature): the production KvLogStore on the SimDisk,
 * the production AxonService behind Connect's router transport, and the production RuntimeManager
 * with its brokers, agents (SimAgents) and lifecycle — all on the process's view of the SimClock.
 * A crash ends the life: the disk drops what was not synced, the clock scope drops its timers, the
 * network resets the connections, the agents die; the next life starts from the disk alone.
 */
const never = <T>(): Promise<T> => new Promise<T>(() => {});

/** What a dead process gets if it asks for an agent: one that never answers. */
const deadAgent: AgentAdapter = {
  protocol: "acp",
  start: never,
  prompt: () => ({ [Symbol.asyncIterator]: () => ({ next: never }) }),
  cancel: never,
  stop: never,
};

export class SimNode {
  readonly scope: ClockScope;
  readonly store: KvLogStore;
  readonly transport: Transport;
  readonly runtimes: RuntimeManager;
  /** Set once the RuntimeManager has loaded its records and may take commands. */
  started = false;

  constructor(
    readonly life: number,
    deps: NodeDeps,
  ) {
    const { clock, disk, swarm, agent } = deps;
    this.scope = clock.scope();
    this.store = new KvLogStore({
      backend: disk.open(),
      clock: this.scope,
      rng: seededRng(swarm.seed * 131 + life),
    });
    this.transport = createRouterTransport(
      axonRoutes({
        store: this.store,
        clock: this.scope,
        heartbeatIntervalMs: swarm.heartbeatMs,
        liveBufferLimit: swarm.liveBufferLimit,
      }),
    );
    this.runtimes = new RuntimeManager({
      store: this.store,
      clock: this.scope,
      rng: seededRng(swarm.seed * 137 + life),
      // A dead node's code may still be running (a filesystem call it made before the crash
      // completes later): it must not reach the agents of the node that replaced it.
      adapters: { acp: () => (this.scope.killed ? deadAgent : agent.adapter(this.scope)) },
      workdirRoot: deps.workdirRoot,
      hostEnv: { PATH: "/usr/bin:/bin" },
    });
  }

  /** Loads the runtimes and brings them back (in the background: brokers need disk syncs to start). */
  async start(): Promise<void> {
    await this.runtimes.start();
    this.started = true;
  }
}
