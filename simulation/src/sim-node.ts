import { createRouterTransport, type Transport } from "@connectrpc/connect";
import type { AgentAdapter } from "@openaxon/broker";
import { seededRng } from "@openaxon/core";
import { RuntimeManager } from "@openaxon/runtime";
import { axonRoutes, sqlRoutes } from "@openaxon/server";
import { SqlDatabases } from "@openaxon/sql";
import { KvLogStore } from "@openaxon/store";
import type { AgentHost } from "./sim-agent.js";
import type { ClockScope, SimClock } from "./sim-clock.js";
import type { SimDisk } from "./sim-disk.js";
import type { SimSqlDisk } from "./sim-sql-disk.js";
import { SimSqlHost } from "./sim-sql-host.js";
import type { Swarm } from "./swarm.js";

export interface NodeDeps {
  readonly clock: SimClock;
  readonly disk: SimDisk;
  /** The node's SQLite files (one database per axon), across its crashes. */
  readonly sqlDisk: SimSqlDisk;
  readonly swarm: Swarm;
  readonly agent: AgentHost;
  /** A real directory: the runtime creates working directories and looks up the agent binary. */
  readonly workdirRoot: string;
}

/** Where SqlDatabases puts the axons' files: only a name, the SimSqlDisk holds them. */
export const SIM_SQL_DIR = "sim-sql";

/**
 * One life of the server process (axond in miniature): the production KvLogStore on the SimDisk,
 * the production AxonService and SqlService (SqlDatabases over SimSqlHosts on the SimSqlDisk)
 * behind Connect's router transport, and the production RuntimeManager
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
  readonly sql: SqlDatabases;
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
    const sqlDisk = deps.sqlDisk;
    // Two hosts, as in axond: the axons may land on different ones, so commits of both can be in flight.
    this.sql = SqlDatabases.withHosts({
      dir: SIM_SQL_DIR,
      store: this.store,
      hosts: 2,
      startHost: () => new SimSqlHost(sqlDisk),
    });
    const axon = axonRoutes({
      store: this.store,
      clock: this.scope,
      heartbeatIntervalMs: swarm.heartbeatMs,
      liveBufferLimit: swarm.liveBufferLimit,
    });
    const sql = sqlRoutes({ sql: this.sql });
    this.transport = createRouterTransport((router) => {
      axon(router);
      sql(router);
    });
    this.runtimes = new RuntimeManager({
      store: this.store,
      clock: this.scope,
      rng: seededRng(swarm.seed * 137 + life),
      // A dead node's code may still be running (a filesystem call it made before the crash
      // completes later): it must not reach the agents of the node that replaced it.
      adapters: {
        acp: (launch) =>
          this.scope.killed
            ? deadAgent
            : agent.adapter(this.scope, {
                binary: launch.agentBinary,
                args: launch.launchArgs,
                model: launch.model ?? null,
              }),
      },
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
