import { join } from "node:path";
import {
  type AgentAdapterFactory,
  type AgentProtocolName,
  type AxonLink,
  logStoreAxonLink,
} from "@openaxon/broker";
import { findExecutable } from "@openaxon/broker/adapter-kit";
import { type Clock, newId, type Rng, SerialQueue } from "@openaxon/core";
import { AxonNotFoundError, type LogStore, type RecordStore } from "@openaxon/store";
import { AGENT_HOST_ENV, agentEnv } from "./agent-env.js";
import { type RunningAgentReaper, startAgentReaper, sweepAgents } from "./agent-reaper.js";
import {
  InvalidRuntimeError,
  RuntimeManagerClosedError,
  RuntimeNotFoundError,
  RuntimePreconditionError,
  RuntimeStateError,
} from "./errors.js";
import { type BrokerTuning, HostedRuntime } from "./hosted-runtime.js";
import { leaseTiming } from "./lease/decide-lease.js";
import { FencedStore } from "./lease/fenced-store.js";
import type { LeaseStore } from "./lease/lease-store.js";
import { RuntimeLeases } from "./lease/runtime-leases.js";
import { planCommand, type RuntimeCommand } from "./runtime-lifecycle.js";
import { type RuntimeLogger, silentLogger } from "./runtime-logger.js";
import { type ResolvedRuntimeNetwork, RuntimeNetwork } from "./runtime-network.js";
import {
  type CreateRuntimeInput,
  RUNTIME_RECORD_KIND,
  type RuntimeRecord,
  type SandboxKind,
} from "./runtime-record.js";
import type { RuntimeUpdate } from "./runtime-update.js";
import { validateRuntimeInput } from "./validate-runtime-input.js";
import { ensureDirectory } from "./working-directory.js";

export interface RuntimeManagerOptions {
  readonly store: LogStore & RecordStore;
  readonly clock: Clock;
  readonly rng: Rng;
  /** Adapter factories by protocol; a protocol without one is refused at CreateRuntime. */
  readonly adapters: Partial<Record<AgentProtocolName, AgentAdapterFactory>>;
  /** Default working directories live here, one per runtime: `<workdirRoot>/<runtime id>`. */
  readonly workdirRoot: string;
  /**
   * The server's environment. Agents inherit only an allowlist from it (PATH, HOME, LANG, …; see
   * agent-env.ts), never secrets such as OPENAXON_API_KEYS. Default: empty.
   */
  readonly hostEnv?: Readonly<Record<string, string | undefined>>;
  /**
   * Kill agents left by a previous server on boot, and keep a watcher process that kills this
   * server's agents if it dies without stopping them (SIGKILL). axond turns it on; in-process tests
   * with scripted agents leave it off. Default false.
   */
  readonly reapOrphans?: boolean;
  readonly logger?: RuntimeLogger;
  readonly broker?: BrokerTuning;
  /**
   * How long a runtime's brokers may take to come up (recovery from the axon and the agents'
   * start, e.g. an ACP initialize) before the runtime fails. Default 120 s.
   */
  readonly startTimeoutMs?: number;
  /**
   * The gateway: egress proxy, credential gateway, sandbox. Without it runtimes get no proxy env
   * and no sandbox, and CreateRuntime refuses network settings and sandbox_policy REQUIRED.
   */
  readonly network?: RuntimeNetwork;
  /**
   * Several servers share the runtimes (cluster mode): each runtime is hosted by the one node that
   * holds its lease, taken over by another within about two ttls when that node dies, and every
   * write of a hosted runtime is fenced by the lease. Without it, this server hosts every runtime
   * record in its store.
   */
  readonly leases?: {
    readonly store: LeaseStore;
    readonly ttlMs: number;
    /** How often the lease loop runs. Default: a quarter of the ttl. */
    readonly pollMs?: number;
    /**
     * What lease times are measured on. Pass a monotonic clock in production: a wall clock stepped
     * back (NTP) would stretch the holder's trust, one stepped forward would shorten a taker's wait.
     * Default: `clock`.
     */
    readonly clock?: Clock;
  };
}

export const DEFAULT_START_TIMEOUT_MS = 120_000;

const HOST_RECORD_KIND = "runtime_host";
const HOST_RECORD_ID = "self";

/**
 * Hosts the runtimes of one server: creates them, drives their lifecycles, and brings them back
 * after a restart. Runtimes are records in the log store (kind "runtime"), so a runtime that was
 * running comes back running and a suspended one stays suspended and still wakes on the next event.
 */
export class RuntimeManager {
  private readonly store: LogStore & RecordStore;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly link: AxonLink;
  private readonly logger: RuntimeLogger;
  private readonly runtimes = new Map<string, HostedRuntime>();
  /** Creations one at a time, so two cannot mount the same axon. */
  private readonly creations = new SerialQueue();
  private agentHost: string | undefined;
  private reaper: RunningAgentReaper | undefined;
  private boots: Promise<unknown> = Promise.resolve();
  private state: "new" | "starting" | "started" | "closing" | "closed" = "new";
  private closing: Promise<void> | undefined;
  private leases: RuntimeLeases | undefined;
  /** Cluster mode: the runtimes other nodes host, as of the lease loop's last pass (read-only here). */
  private remote = new Map<string, RuntimeRecord>();

  constructor(private readonly options: RuntimeManagerOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.rng = options.rng;
    this.link = logStoreAxonLink(options.store);
    this.logger = options.logger ?? silentLogger;
  }

  /** Protocols this server can run (those with an adapter factory). */
  get protocols(): AgentProtocolName[] {
    return (Object.keys(this.options.adapters) as AgentProtocolName[]).filter(
      (p) => this.options.adapters[p] !== undefined,
    );
  }

  /**
   * Loads the persisted runtimes and brings each back to its status: running ones restart their
   * brokers (which recover from the axon), suspended ones watch for a wake. Resolves once the
   * records are loaded; the brokers come up in the background (`whenBooted()`).
   */
  async start(): Promise<void> {
    if (this.state !== "new") throw new Error(`runtime manager cannot start from state ${this.state}`);
    this.state = "starting";
    this.agentHost = await this.loadAgentHost();
    if (this.options.reapOrphans) {
      const marker = `${AGENT_HOST_ENV}=${this.agentHost}`;
      const killed = await sweepAgents({ marker });
      if (killed > 0) this.logger.warn({ killed }, "killed agent processes left by a previous server");
      this.reaper = startAgentReaper({
        marker,
        onUnexpectedExit: (code) =>
          this.logger.error({ code }, "agent reaper exited; agents may outlive a crash of this server"),
      });
    }
    if (this.options.leases) {
      this.state = "started";
      await this.startLeases(this.options.leases, this.agentHost);
      return;
    }
    const records = await this.store.listRecords<RuntimeRecord>(RUNTIME_RECORD_KIND);
    const hosts = records.map((record) => this.host(record));
    this.boots = Promise.all(hosts.map((h) => h.boot("recovered")));
    // Nobody may await whenBooted(): a failed boot (the store refusing writes) is logged here so it
    // never becomes an unhandled rejection; whenBooted() still rejects for callers that wait.
    this.boots.catch((error: unknown) => this.logger.error({ err: error }, "recovering runtimes failed"));
    this.state = "started";
    if (records.length > 0) this.logger.info({ runtimes: records.length }, "runtimes recovered");
  }

  /** Resolves once every runtime recovered by `start()` has reached its status. */
  async whenBooted(): Promise<void> {
    await this.boots;
  }

  /**
   * Creates a runtime and starts its brokers; resolves with its record once it is running (or
   * failed to start). Throws InvalidRuntimeError for a bad configuration (including an agent binary
   * that does not exist), AxonNotFoundError for an unknown axon, RuntimeStateError when an axon is
   * already mounted by another runtime.
   */
  async createRuntime(input: CreateRuntimeInput): Promise<RuntimeRecord> {
    this.assertStarted();
    return this.creations.run(async () => {
      validateRuntimeInput(input, this.protocols);
      const sandbox = this.sandboxFor(input);
      for (const mount of input.mounts) {
        if (!(await this.store.getAxon(mount.axonId))) throw new AxonNotFoundError(mount.axonId);
        for (const other of await this.mountingRuntimes()) {
          if (other.mounts(mount.axonId)) {
            throw new RuntimeStateError(
              `axon ${mount.axonId} is already mounted by runtime ${other.id} (${other.record.status}); ` +
                "one runtime per axon: shut that runtime down first",
            );
          }
        }
      }
      // Resolving the references and persisting the runtime happen while the registry changes
      // nothing, so a policy, config or secret cannot be deleted in between.
      const register = async () => {
        const network = await this.resolveNetwork(input);
        const id = newId("rt", this.clock, this.rng);
        const now = this.clock.now();
        const record: RuntimeRecord = {
          id,
          name: input.name,
          status: "provisioning",
          statusReason: "",
          mounts: input.mounts,
          lifecycle: input.lifecycle,
          env: input.env,
          workingDirectory: input.workingDirectory ?? join(this.options.workdirRoot, id),
          createdAtMs: now,
          updatedAtMs: now,
          ...(network.networkPolicyId !== undefined && { networkPolicyId: network.networkPolicyId }),
          gateways: network.gateways,
          sandboxPolicy: input.sandboxPolicy ?? "auto",
          sandbox,
        };
        await this.preflight(record);
        this.assertStarted();
        if (this.leases && !(await this.leases.acquireNew(id))) {
          throw new RuntimeStateError(`runtime ${id}: another node holds its lease; retry CreateRuntime`);
        }
        try {
          await this.store.putRecord(RUNTIME_RECORD_KIND, id, record);
        } finally {
          this.leases?.created(id);
        }
        return this.host(record);
      };
      const host = this.options.network ? await this.options.network.exclusive(register) : await register();
      await host.boot("created");
      return host.record;
    });
  }

  /**
   * The runtimes (not shut down) that use a network policy, gateway config or secret: what the
   * gateway registry asks before a delete (`referencedBy`). Runs inside the registry's queue, so it
   * is synchronous and reads only memory.
   */
  using(kind: "secret" | "network_policy" | "gateway_config", id: string): string[] {
    return RuntimeNetwork.references(
      [...this.runtimes.values()].map((h) => h.record).concat([...this.remote.values()]),
      kind,
      id,
    );
  }

  /** Throws RuntimeNotFoundError. */
  getRuntime(id: string): RuntimeRecord {
    const remote = this.runtimes.has(id) ? undefined : this.remote.get(id);
    return remote ?? this.require(id).record;
  }

  /**
   * The runtimes this server hosts (in cluster mode: holds the lease of, plus those shut down
   * here), oldest first. What a per-node gauge counts; `listRuntimes` is the cluster's view.
   */
  hostedRuntimes(): RuntimeRecord[] {
    return [...this.runtimes.values()].map((h) => h.record).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Every runtime, oldest first (ids sort by creation time); in cluster mode every node's. */
  listRuntimes(): RuntimeRecord[] {
    const local = [...this.runtimes.values()].map((h) => h.record);
    const remote = [...this.remote.values()].filter((r) => !this.runtimes.has(r.id));
    return [...local, ...remote].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /**
   * Stops the agents, keeps working directories and sessions. Queued triggers stay in the axon and
   * run on resume; only a newer turn-starting event wakes the runtime (if its lifecycle allows).
   * No-op when suspended; RuntimeStateError when shut down or failed.
   */
  suspendRuntime(id: string): Promise<RuntimeRecord> {
    return this.command(id, "suspend");
  }

  /** Starts the agents again (sessions restored from the axon). No-op when running; retries a failed runtime. */
  resumeRuntime(id: string): Promise<RuntimeRecord> {
    return this.command(id, "resume");
  }

  /**
   * Changes a mount's agent, the runtime's env or its lifecycle in place (UpdateRuntime). Resolves
   * with the record once the change is persisted and announced; running agents are replaced at
   * their next turn boundary, in the background. InvalidRuntimeError names a bad field;
   * RuntimeStateError for a shut-down runtime.
   */
  async updateRuntime(id: string, update: RuntimeUpdate): Promise<RuntimeRecord> {
    this.assertStarted();
    return this.require(id).update(update, this.protocols, async (record) => {
      try {
        await this.preflight(record);
      } catch (error) {
        if (!(error instanceof InvalidRuntimeError)) throw error;
        // Spelled as UpdateRuntime's fields: the mount, not its index in CreateRuntime's list.
        const message = error.message
          .replace(/^mounts\[\d+\]: /, "mount.agent_binary: ")
          .replace(/^mounts\[\d+\]\./, "mount.");
        throw new InvalidRuntimeError(message);
      }
    });
  }

  /** Stops for good; the record stays (status shutdown). No-op when already shut down. */
  shutdownRuntime(id: string): Promise<RuntimeRecord> {
    return this.command(id, "shutdown");
  }

  /**
   * Stops every broker and agent (statuses stay as recorded, so the next start brings them back),
   * then the reaper. No agent process outlives the returned promise.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = "closing";
      // No lease is taken or renewed from here on; leases are handed back once nothing writes.
      this.leases?.stop();
      await Promise.all([...this.runtimes.values()].map((h) => h.close()));
      // A creation that was registering its runtime meanwhile has finished by now; close that too.
      await this.creations.idle();
      await Promise.all([...this.runtimes.values()].map((h) => h.close()));
      await this.leases?.release();
      await this.reaper?.close();
      this.state = "closed";
    })();
    return this.closing;
  }

  private async command(id: string, command: RuntimeCommand): Promise<RuntimeRecord> {
    this.assertStarted();
    const remote = this.runtimes.has(id) ? undefined : this.remote.get(id);
    // A shut-down runtime runs nowhere: any node answers for it as its own host would.
    if (remote?.status === "shutdown") {
      const plan = planCommand(remote, command);
      if (plan.kind === "refuse") throw new RuntimeStateError(plan.message);
      return remote;
    }
    return this.require(id).command(command);
  }

  /** Creates the working directories and checks that every agent binary and MCP command can be found. */
  private async preflight(record: RuntimeRecord): Promise<void> {
    for (const [i, mount] of record.mounts.entries()) {
      const cwd = mount.workingDirectory ?? record.workingDirectory;
      try {
        await ensureDirectory(cwd);
        const env = agentEnv({
          hostEnv: this.options.hostEnv ?? {},
          runtimeEnv: record.env,
          mountEnv: mount.env,
          runtimeId: record.id,
          axonId: mount.axonId,
          agentHost: this.agentHost ?? "",
          workingDirectory: cwd,
        });
        await findExecutable(mount.agentBinary, cwd, env);
        for (const [j, server] of (mount.mcpServers ?? []).entries()) {
          if (server.type !== "stdio") continue;
          await findExecutable(server.command, cwd, env).catch((error: Error) => {
            const reason = error.message.replace(/^agent binary /, "");
            throw new Error(`mcp_servers[${j}].stdio.command: ${reason}`);
          });
        }
      } catch (error) {
        const message = (error as Error).message;
        throw new InvalidRuntimeError(
          `mounts[${i}]${message.startsWith("mcp_servers") ? "." : ": "}${message}`,
        );
      }
    }
  }

  /** The sandbox a new runtime will run in; throws RuntimePreconditionError if its policy cannot be met. */
  private sandboxFor(input: CreateRuntimeInput): SandboxKind {
    const policy = input.sandboxPolicy ?? "auto";
    if (this.options.network) return this.options.network.sandboxFor(policy).kind;
    if (policy === "required") {
      throw new RuntimePreconditionError(
        "sandbox_policy is REQUIRED but this server runs agents without a sandbox (no gateway configured)",
      );
    }
    return "none";
  }

  /** Resolves the policy and bindings (registry errors propagate) and checks the env does not shadow them. */
  private async resolveNetwork(input: CreateRuntimeInput): Promise<ResolvedRuntimeNetwork> {
    const bindings = Object.keys(input.gateways ?? {});
    if (!this.options.network) {
      if ((input.networkPolicy ?? "") !== "" || bindings.length > 0) {
        throw new RuntimePreconditionError(
          "this server has no gateway: network_policy_id and gateways cannot be used (axond runs one; embedded servers must pass RuntimeManager a network)",
        );
      }
      return { gateways: {} };
    }
    const problems: string[] = [];
    for (const prefix of bindings) {
      for (const name of [prefix, `${prefix}_URL`]) {
        if (name in input.env) problems.push(`env: ${name} is set by the gateway binding ${prefix}`);
        input.mounts.forEach((mount, i) => {
          if (name in mount.env)
            problems.push(`mounts[${i}].env: ${name} is set by the gateway binding ${prefix}`);
        });
      }
    }
    if (problems.length > 0) {
      throw new InvalidRuntimeError(
        `${problems.join("; ")}; other variables can refer to a binding's as \${PREFIX} and \${PREFIX_URL}`,
      );
    }
    return this.options.network.resolve(input);
  }

  /**
   * Cluster mode: the lease loop decides which runtimes this node hosts. A runtime whose lease it
   * takes is loaded from the shared record and brought back to its status like after a restart
   * (a turn the old node left running ends as interrupted, queued ones run, the session resumes
   * from the axon; a suspended one watches for its wake); one whose lease it loses stops at once.
   */
  private async startLeases(
    leases: NonNullable<RuntimeManagerOptions["leases"]>,
    nodeId: string,
  ): Promise<void> {
    const timing = leaseTiming(leases.ttlMs);
    this.leases = new RuntimeLeases({
      store: leases.store,
      nodeId,
      clock: leases.clock ?? this.clock,
      timing,
      ...(leases.pollMs !== undefined && { pollMs: leases.pollMs }),
      logger: this.logger,
      candidates: async () => {
        const records = await this.store.listRecords<RuntimeRecord>(RUNTIME_RECORD_KIND);
        // A listing can miss a key being rewritten at that moment (JetStream KV keys() races with
        // updates), and runtime records are never deleted: an id missing from one listing keeps
        // its last known record, and a runtime hosted here stays wanted until it is shut down.
        const remote = new Map([...this.remote].filter(([id]) => !this.runtimes.has(id)));
        for (const r of records) if (!this.runtimes.has(r.id)) remote.set(r.id, r);
        this.remote = remote;
        const wanted = new Set(records.filter((r) => r.status !== "shutdown").map((r) => r.id));
        for (const [id, host] of this.runtimes) if (host.record.status !== "shutdown") wanted.add(id);
        return [...wanted];
      },
      onAcquired: async (id) => {
        if (this.state !== "started") return;
        const record = await this.store.getRecord<RuntimeRecord>(RUNTIME_RECORD_KIND, id);
        if (!record) return;
        await this.runtimes.get(id)?.close();
        const boot = this.host(record).boot("taken-over");
        this.remote.delete(id);
        boot.catch((error: unknown) =>
          this.logger.error({ runtimeId: id, err: error }, "taking over a runtime failed"),
        );
        this.boots = Promise.all([this.boots, boot]);
        this.logger.info({ runtimeId: id, status: record.status }, "runtime taken over");
      },
      onLost: async (id) => {
        const host = this.runtimes.get(id);
        // A runtime shut down here stays listed: it writes nothing more anyway.
        if (!host || host.record.status === "shutdown") return;
        this.runtimes.delete(id);
        this.remote.set(id, host.record);
        await host.close();
      },
    });
    await this.leases.start();
  }

  /** The runtimes that may mount an axon: in cluster mode every node's, from the shared records. */
  private async mountingRuntimes(): Promise<
    Array<{ id: string; record: RuntimeRecord; mounts(axonId: string): boolean }>
  > {
    const local = [...this.runtimes.values()];
    if (!this.leases) return local;
    const shared = (await this.store.listRecords<RuntimeRecord>(RUNTIME_RECORD_KIND))
      .filter((r) => !this.runtimes.has(r.id) && r.status !== "shutdown")
      .map((record) => ({
        id: record.id,
        record,
        mounts: (axonId: string) => record.mounts.some((m) => m.axonId === axonId),
      }));
    return [...local, ...shared];
  }

  private host(record: RuntimeRecord): HostedRuntime {
    const leases = this.leases;
    // In cluster mode every write of the runtime first checks that this node still holds its lease.
    const store = leases ? new FencedStore(this.store, record.id, () => leases.holds(record.id)) : this.store;
    const host = new HostedRuntime(record, {
      store,
      link: leases ? logStoreAxonLink(store) : this.link,
      clock: this.clock,
      adapters: this.options.adapters,
      hostEnv: this.options.hostEnv ?? {},
      agentHost: this.agentHost ?? "",
      logger: this.logger,
      brokerTuning: this.options.broker ?? {},
      startTimeoutMs: this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      ...(this.options.network && { network: this.options.network }),
      sandboxHome: join(this.options.workdirRoot, `${record.id}.home`),
    });
    this.runtimes.set(record.id, host);
    return host;
  }

  private require(id: string): HostedRuntime {
    const host = this.runtimes.get(id);
    if (host) return host;
    if (this.remote.has(id)) {
      const holder = this.leases?.holderOf(id);
      throw new RuntimeStateError(
        `runtime ${id} runs on another axond node (${holder ? `host ${holder}` : "its lease is being taken over"}); ` +
          "send this request to that node, or retry once the runtime has moved",
      );
    }
    throw new RuntimeNotFoundError(id);
  }

  private assertStarted(): void {
    if (this.state === "closing" || this.state === "closed") throw new RuntimeManagerClosedError();
    if (this.state !== "started") throw new Error("runtime manager not started; call start() first");
  }

  /** One id per data dir, stable across restarts: the marker that tells this server's agents apart. */
  private async loadAgentHost(): Promise<string> {
    const existing = await this.store.getRecord<{ id: string }>(HOST_RECORD_KIND, HOST_RECORD_ID);
    if (existing) return existing.id;
    const id = newId("host", this.clock, this.rng);
    await this.store.putRecord(HOST_RECORD_KIND, HOST_RECORD_ID, { id });
    return id;
  }
}
