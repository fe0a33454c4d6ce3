import {
  type AgentAdapterFactory,
  type AgentLaunch,
  type AgentProtocolName,
  type AxonLink,
  Broker,
  type BrokerObserver,
  describeError,
} from "@openaxon/broker";
import { findExecutable } from "@openaxon/broker/adapter-kit";
import { type Clock, isMutantActive, SerialQueue } from "@openaxon/core";
import type { LogStore, RecordStore } from "@openaxon/store";
import { agentEnv, configuredHome } from "./agent-env.js";
import { RuntimeStateError } from "./errors.js";
import { runLifecycleHook } from "./hooks/lifecycle-hooks.js";
import { IdleTimer, idleSinceAll } from "./idle-timer.js";
import { mcpServersForStart } from "./mcp-servers-for-start.js";
import { announce, publishPendingUpdate, RuntimeEventType } from "./runtime-events.js";
import { planCommand, type RuntimeCommand, settledStatus } from "./runtime-lifecycle.js";
import type { RuntimeLogger } from "./runtime-logger.js";
import type { AttachedNetwork, RuntimeNetwork } from "./runtime-network.js";
import {
  type MountSpec,
  type PendingUpdate,
  RUNTIME_RECORD_KIND,
  type RuntimeRecord,
  type RuntimeStatus,
} from "./runtime-record.js";
import { planRuntimeUpdate, type RuntimeUpdate } from "./runtime-update.js";
import { type WakeTrigger, WakeWatcher } from "./wake-watcher.js";
import { ensureDirectory } from "./working-directory.js";

/** The configuration part of a record: what an update changes. */
function pick(record: RuntimeRecord): Pick<RuntimeRecord, "mounts" | "env" | "lifecycle"> {
  return { mounts: record.mounts, env: record.env, lifecycle: record.lifecycle };
}

/**
 * The `source` of every broker a runtime runs. It is the brokers' cursor in the axon, so it is the
 * same for every runtime and every restart: whoever mounts the axon next continues where the last
 * broker stopped (no turn run twice, none skipped).
 */
export const BROKER_SOURCE = "broker";

/** Tunables passed on to every broker. */
export interface BrokerTuning {
  readonly permissionTimeoutMs?: number;
  readonly cancelGraceMs?: number;
}

interface PreparedMount {
  readonly mount: MountSpec;
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly factory: AgentAdapterFactory;
  readonly launch: AgentLaunch;
}

export interface HostedRuntimeDeps {
  readonly store: LogStore & RecordStore;
  readonly link: AxonLink;
  readonly clock: Clock;
  readonly adapters: Partial<Record<AgentProtocolName, AgentAdapterFactory>>;
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
  /** OPENAXON_AGENT_HOST for every agent of this server. */
  readonly agentHost: string;
  readonly logger: RuntimeLogger;
  readonly brokerTuning: BrokerTuning;
  /** How long the brokers (recovery + agent start) may take to come up before the runtime fails. */
  readonly startTimeoutMs: number;
  /** Egress proxy, credential gateway and sandbox; undefined: agents run as configured, unproxied. */
  readonly network?: RuntimeNetwork;
  /**
   * HOME of a sandboxed agent whose runtime sets none (the host's home is read-only inside):
   * created on start, kept across suspends and restarts.
   */
  readonly sandboxHome: string;
}

/** The `runtime.running` reason of a runtime that boots running. */
const BOOT_REASONS = {
  created: "",
  recovered: "server restarted",
  // Its lease came free: the node that held it handed it back, or died or was cut off and let it run out.
  "taken-over": "taken over from another node",
} as const;

/**
 * One runtime brought to life: its brokers (one per mount), its idle timer and, while suspended,
 * its wake watcher. Every transition runs through one serial queue, so each meets the runtime at
 * rest and the record in the store always names the state being entered.
 *
 * Runtime events bracket broker activity: `runtime.running` / `runtime.resumed` are written before
 * the new brokers write anything, `runtime.suspended` / `runtime.shutdown` / `runtime.failed` after
 * the old brokers wrote their last event. So does `runtime.updated`: it is written once the old
 * agent is gone (its last turn over), before the new one starts — every turn before it ran on the
 * old configuration, every turn after it on the new.
 */
export class HostedRuntime {
  private current: RuntimeRecord;
  private brokers: Broker[] = [];
  /** The network the current brokers' agents use; released once they have stopped. */
  private network: AttachedNetwork | undefined;
  private watcher: WakeWatcher | undefined;
  private readonly transitions = new SerialQueue();
  private idleTimer: IdleTimer;
  private closed = false;
  /** Aborted on close: a lifecycle hook still running is killed rather than waited for. */
  private readonly hooksAbort = new AbortController();
  /** Brokers are starting (inside a transition). */
  private starting = false;
  /** Brokers are being replaced after an update, waiting for their running turns to end. */
  private replacing = false;

  constructor(
    record: RuntimeRecord,
    private readonly deps: HostedRuntimeDeps,
  ) {
    this.current = record;
    this.idleTimer = this.newIdleTimer();
  }

  private newIdleTimer(): IdleTimer {
    return new IdleTimer(this.deps.clock, this.current.lifecycle.idleTimeSeconds * 1000, () => {
      this.runDetached("idle transition", () => this.onIdleExpired());
    });
  }

  get record(): RuntimeRecord {
    return this.current;
  }

  /**
   * Runs a transition nobody awaits (timers, watchers). If it fails — e.g. the store failed and
   * refuses writes — the failure is logged; it must never become an unhandled rejection that takes
   * axond down.
   */
  private runDetached(what: string, task: () => Promise<void>): void {
    this.detached(what, this.transitions.run(task));
  }

  private detached(what: string, work: Promise<unknown>): void {
    work.catch((error: unknown) =>
      this.deps.logger.error({ runtimeId: this.id, err: error }, `runtime ${what} failed`),
    );
  }

  get id(): string {
    return this.current.id;
  }

  /**
   * Brings a new or recovered runtime to its settled status: starts its brokers if it should run,
   * watches for a wake if it is suspended. Resolves when that is done (failures end in `failed`).
   */
  boot(how: "created" | "recovered" | "taken-over"): Promise<void> {
    return this.transitions.run(async () => {
      // No agent of this runtime runs yet: updates the last server persisted but did not get to
      // announce (it died first) are announced now, before any broker starts.
      await this.writePendingUpdates();
      const status = this.current.status;
      const target = settledStatus(status);
      if (target === "running" && !isMutantActive("runtime-not-restarted-on-boot")) {
        await this.bringUp(status, RuntimeEventType.Running, BOOT_REASONS[how]);
      } else if (target === "suspended") {
        if (status === "suspending") {
          // The server died while the brokers were stopping; they are gone now.
          await this.setStatus("suspended", this.current.statusReason);
          await this.announce(RuntimeEventType.Suspended, this.current.statusReason);
        }
        this.watchForWake();
      }
    });
  }

  /** SuspendRuntime / ResumeRuntime / ShutdownRuntime. Resolves with the record once settled. */
  command(command: RuntimeCommand): Promise<RuntimeRecord> {
    // A start that hangs (an agent that never answers) must not hold a shutdown hostage: stopping
    // its brokers ends the start, and the transition in flight then leaves the rest to this one.
    if (command === "shutdown" && this.starting) this.detached("stopping a hung start", this.stopBrokers());
    // Nor may a turn that an update is waiting for hold a suspend or shutdown back: they interrupt it.
    if (command !== "resume" && this.replacing) this.detached("stopping a hand-off", this.stopBrokers());
    return this.transitions.run(async () => {
      const plan = planCommand(this.current, command);
      if (plan.kind === "refuse") throw new RuntimeStateError(plan.message);
      if (plan.kind === "noop" || this.closed) return this.current;
      if (command === "suspend") await this.suspendNow("suspended by request", true);
      else if (command === "resume") await this.resumeNow("resumed by request");
      else await this.shutDownNow("shut down by request");
      return this.current;
    });
  }

  /**
   * UpdateRuntime: persists the new configuration together with the `runtime.updated` events it
   * owes (one per axon whose agent sees a change) and, if running, replaces those agents' brokers
   * at their next turn boundary, in the background: the events are written there, between the old
   * agent's last turn and the new one's start. With no old agent to wait for (suspended, failed,
   * only the lifecycle changed) they are written at once. A suspended or failed runtime uses the
   * new configuration when it next starts. `preflight` checks the new record's binaries before
   * anything is written.
   */
  update(
    update: RuntimeUpdate,
    available: readonly AgentProtocolName[],
    preflight: (record: RuntimeRecord) => Promise<void>,
  ): Promise<RuntimeRecord> {
    return this.transitions.run(async () => {
      const plan = planRuntimeUpdate(this.current, update, available, this.deps.clock.now());
      if (plan.announcements.length === 0 || this.closed) return this.current;
      await preflight(plan.record);
      // Only the configuration comes from the plan; the status may have moved meanwhile.
      const updates = (this.current.updates ?? 0) + 1;
      const pending: PendingUpdate[] = plan.announcements.map((payload) => ({
        key: `runtime.updated:${this.id}:${updates}`,
        payload,
        restart: plan.restart.includes(payload.axon_id),
      }));
      const next: RuntimeRecord = {
        ...this.current,
        ...pick(plan.record),
        updatedAtMs: plan.record.updatedAtMs,
        updates,
        pendingUpdates: [...(this.current.pendingUpdates ?? []), ...pending],
      };
      await this.deps.store.putRecord(RUNTIME_RECORD_KIND, next.id, next);
      this.current = next;
      this.deps.logger.info({ runtimeId: next.id, restart: plan.restart }, "runtime updated");
      if (plan.lifecycleChanged) {
        this.idleTimer.cancel();
        this.idleTimer = this.newIdleTimer();
        this.reconsiderIdle();
        if (this.current.status === "suspended") {
          if (this.current.lifecycle.resumeOnAxonEvent) this.watchForWake();
          else this.stopWatcher();
        }
      }
      const handOff = this.current.status === "running" && next.pendingUpdates!.some((p) => p.restart);
      // The mutant writes the events while the old agents may still be in (or start) a turn.
      if (!handOff || isMutantActive("update-applied-mid-turn")) await this.writePendingUpdates();
      if (handOff) this.runDetached("hand-off", () => this.replaceBrokers());
      return this.current;
    });
  }

  /** Whether the runtime (in any status but shutdown) mounts this axon. */
  mounts(axonId: string): boolean {
    return this.current.status !== "shutdown" && this.current.mounts.some((m) => m.axonId === axonId);
  }

  /** Resolves once every transition queued so far has finished. */
  settled(): Promise<void> {
    return this.transitions.idle();
  }

  /**
   * Stops the brokers and timers without changing the recorded status: a runtime that was running
   * comes back running on the next boot. Transitions in flight end without persisting more.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.hooksAbort.abort();
    this.idleTimer.cancel();
    this.stopWatcher();
    await this.stopBrokers();
    await this.transitions.idle();
    await this.stopBrokers();
  }

  // --- transitions (run inside the serial queue) ---

  private async bringUp(
    via: RuntimeStatus,
    announced: RuntimeEventType,
    reason: string,
    beforeStart?: () => Promise<unknown>,
  ): Promise<void> {
    this.stopWatcher();
    await this.writePendingUpdates();
    await this.setStatus(via, reason, { wakeAfter: undefined });
    await this.announce(announced, reason);
    let started: boolean;
    try {
      await beforeStart?.();
      started = await this.startBrokers();
    } catch (error) {
      await this.failNow(describeError(error));
      return;
    }
    // Stopped while starting (close, or a shutdown that preempted the start): nothing runs.
    if (!started || this.closed) return;
    await this.setStatus("running", reason);
    this.reconsiderIdle();
  }

  private async resumeNow(reason: string): Promise<void> {
    // after_resume runs before the brokers start, so before the first turn after the wake.
    await this.bringUp("resuming", RuntimeEventType.Resumed, reason, () =>
      runLifecycleHook(this.current, "resume", this.deps, this.hooksAbort.signal),
    );
  }

  private async suspendNow(reason: string, byRequest: boolean): Promise<void> {
    // Started in the same tick as the idle check that led here, so no turn can slip in between.
    const stopped = this.stopBrokers();
    await this.setStatus("suspending", reason);
    await stopped;
    // The agents have saved their sessions and stopped; the hook's outcome never stops the suspend.
    if (!this.closed) await runLifecycleHook(this.current, "suspend", this.deps, this.hooksAbort.signal);
    const wakeAfter = byRequest ? await this.heads() : undefined;
    if (this.closed) return;
    await this.writePendingUpdates();
    await this.setStatus("suspended", reason, { wakeAfter });
    await this.announce(RuntimeEventType.Suspended, reason);
    this.watchForWake();
  }

  private async shutDownNow(reason: string): Promise<void> {
    this.stopWatcher();
    await this.stopBrokers();
    if (this.closed) return;
    await this.writePendingUpdates();
    await this.setStatus("shutdown", reason, { wakeAfter: undefined });
    await this.announce(RuntimeEventType.Shutdown, reason);
  }

  private async failNow(reason: string): Promise<void> {
    this.stopWatcher();
    await this.stopBrokers();
    if (this.closed) return;
    // Best effort: the runtime is failing, perhaps because the axon cannot be written.
    await this.writePendingUpdates().catch((error: unknown) =>
      this.deps.logger.warn({ runtimeId: this.id, err: error }, "pending runtime.updated not written"),
    );
    this.deps.logger.error({ runtimeId: this.id, reason }, "runtime failed");
    await this.setStatus("failed", reason, { wakeAfter: undefined });
    await this.announce(RuntimeEventType.Failed, reason);
  }

  private async onIdleExpired(): Promise<void> {
    if (this.closed || this.current.status !== "running") return;
    const since = idleSinceAll(this.brokers.map((b) => b.idleSince));
    if (!this.idleTimer.expired(since)) {
      this.reconsiderIdle();
      return;
    }
    const { idleTimeSeconds, onIdle } = this.current.lifecycle;
    const reason = `idle for ${idleTimeSeconds}s`;
    if (onIdle === "shutdown") await this.shutDownNow(reason);
    else await this.suspendNow(reason, false);
  }

  private async onWake(trigger: WakeTrigger): Promise<void> {
    if (this.closed || this.current.status !== "suspended") return;
    await this.resumeNow(`woken by user.message at sequence ${trigger.sequence} in ${trigger.axonId}`);
  }

  private async onAxonLost(axonId: string, error: unknown): Promise<void> {
    const status = this.current.status;
    if (this.closed || (status !== "running" && status !== "suspended")) return;
    await this.failNow(`axon ${axonId} can no longer be read: ${describeError(error)}`);
  }

  // --- brokers ---

  /**
   * One broker per mount, started together. Throws (after stopping them) if any cannot start or
   * they take longer than the start timeout; resolves false if they were stopped meanwhile.
   */
  private async startBrokers(): Promise<boolean> {
    const { clock } = this.deps;
    let network: AttachedNetwork | undefined;
    if (this.deps.network) {
      network = await this.deps.network.attach(this.current);
      // Set at once: whatever fails from here on, stopBrokers() releases it.
      this.network = network;
      this.current = { ...this.current, sandbox: network.sandbox };
    }
    const prepared = [];
    for (const mount of this.current.mounts) prepared.push(await this.prepareMount(mount, network));
    if (this.closed) return false;
    const brokers = prepared.map((p) => this.newBroker(p));
    this.brokers = brokers;
    let timedOut = false;
    const timer = clock.setTimer(this.deps.startTimeoutMs, () => {
      timedOut = true;
      this.detached("stopping a timed-out start", this.stopBrokers());
    });
    this.starting = true;
    let results: PromiseSettledResult<void>[];
    try {
      results = await Promise.allSettled(brokers.map((b) => b.start()));
    } finally {
      this.starting = false;
      timer.cancel();
    }
    const failure = results.find((r) => r.status === "rejected");
    if (failure || timedOut) {
      await this.stopBrokers();
      if (timedOut) {
        throw new Error(`the agents did not start within ${Math.round(this.deps.startTimeoutMs / 1000)}s`);
      }
      throw failure?.reason;
    }
    return this.brokers === brokers;
  }

  /** Everything a mount's broker needs that takes I/O: directories, env, the resolved binary, MCP servers. */
  private async prepareMount(mount: MountSpec, network: AttachedNetwork | undefined): Promise<PreparedMount> {
    const record = this.current;
    const sandboxed = network?.sandbox === "bubblewrap";
    const cwd = mount.workingDirectory ?? record.workingDirectory;
    await ensureDirectory(cwd);
    const home = configuredHome(record.env, mount.env) ?? (sandboxed ? this.deps.sandboxHome : undefined);
    if (sandboxed && home !== undefined) await ensureDirectory(home);
    const env = agentEnv({
      hostEnv: this.deps.hostEnv,
      runtimeEnv: record.env,
      mountEnv: mount.env,
      runtimeId: record.id,
      axonId: mount.axonId,
      agentHost: this.deps.agentHost,
      workingDirectory: cwd,
      ...(network && { networkEnv: network.env, bindingVariables: network.bindingVariables }),
      ...(sandboxed && { sandboxHome: home }),
      ...(mount.model !== undefined && { model: mount.model }),
    });
    const resolvedBinary = await findExecutable(mount.agentBinary, cwd, env);
    const factory = this.deps.adapters[mount.protocol];
    if (!factory) throw new Error(`this server has no adapter for protocol ${mount.protocol}`);
    const command = network
      ? network.launch({ ...mount, resolvedBinary, cwd, ...(home !== undefined && { home }) })
      : { agentBinary: mount.agentBinary, launchArgs: mount.launchArgs };
    const mcpServers = await mcpServersForStart(mount, network?.bindingVariables ?? {}, cwd, env);
    const launch = {
      ...command,
      ...(mcpServers.length > 0 && { mcpServers }),
      ...(mount.model !== undefined && { model: mount.model }),
    };
    return { mount, cwd, env, factory, launch };
  }

  private newBroker({ mount, cwd, env, factory, launch }: PreparedMount): Broker {
    const { link, clock, logger, brokerTuning } = this.deps;
    const holder: { broker?: Broker } = {};
    holder.broker = new Broker({
      axonId: mount.axonId,
      link,
      adapter: factory(launch),
      clock,
      agent: { cwd, env },
      permissionPolicy: mount.permissionPolicy,
      source: BROKER_SOURCE,
      observer: this.observerFor(holder, mount.axonId),
      logger,
      ...brokerTuning,
    });
    return holder.broker;
  }

  private observerFor(holder: { broker?: Broker }, axonId: string): BrokerObserver {
    const live = () => holder.broker !== undefined && this.brokers.includes(holder.broker);
    return {
      onTriggerQueued: () => this.idleTimer.cancel(),
      onTurnStarted: () => this.idleTimer.cancel(),
      onIdle: () => {
        if (live()) this.reconsiderIdle();
      },
      onFailure: (error) => {
        if (live()) this.runDetached("axon-lost transition", () => this.onAxonLost(axonId, error));
      },
    };
  }

  /**
   * The hand-off: the broker of each axon with a pending update that needs a new agent stops at its
   * turn boundary (a running turn finishes on the old agent, no further turn starts on it), then
   * the pending `runtime.updated` events are written, then a broker for the mount as it is now
   * starts and takes the queued turns. Runs as a transition, so nothing else changes the brokers
   * meanwhile; a suspend or shutdown that comes in the meantime cuts the wait short (see
   * `command`) and writes the events itself once the brokers are gone.
   */
  private async replaceBrokers(): Promise<void> {
    if (this.closed || this.current.status !== "running") return;
    const axonIds = (this.current.pendingUpdates ?? [])
      .filter((p) => p.restart)
      .map((p) => p.payload.axon_id);
    // An earlier hand-off already took this update along.
    if (axonIds.length === 0) return;
    const brokers = this.brokers;
    const indexes = this.current.mounts.flatMap((m, i) => (axonIds.includes(m.axonId) ? [i] : []));
    this.replacing = true;
    try {
      await Promise.all(indexes.map((i) => brokers[i]?.stopAtTurnBoundary()));
    } finally {
      this.replacing = false;
    }
    // Stopped meanwhile (suspend, shutdown, close): the next start uses the new configuration.
    if (this.closed || this.brokers !== brokers || this.current.status !== "running") return;
    try {
      await this.writePendingUpdates();
    } catch (error) {
      await this.failNow(`the update could not be recorded: ${describeError(error)}`);
      return;
    }
    try {
      for (const i of indexes) {
        const broker = this.newBroker(await this.prepareMount(this.current.mounts[i]!, this.network));
        this.brokers = this.brokers.map((b, j) => (j === i ? broker : b));
        await broker.start();
      }
    } catch (error) {
      await this.failNow(`the updated agent did not start: ${describeError(error)}`);
      return;
    }
    this.reconsiderIdle();
  }

  /** Calls `stop()` on every broker synchronously, then waits for them all. */
  private stopBrokers(): Promise<unknown> {
    const brokers = this.brokers;
    const network = this.network;
    this.brokers = [];
    this.network = undefined;
    this.idleTimer.cancel();
    // Once the agents are gone, their proxy credential and gateway tokens stop working.
    return Promise.all(brokers.map((b) => b.stop())).finally(() => network?.release());
  }

  private reconsiderIdle(): void {
    if (this.closed || this.current.status !== "running") return;
    this.idleTimer.update(idleSinceAll(this.brokers.map((b) => b.idleSince)));
  }

  private watchForWake(): void {
    if (this.closed || !this.current.lifecycle.resumeOnAxonEvent) return;
    this.stopWatcher();
    this.watcher = new WakeWatcher({
      link: this.deps.link,
      axonIds: this.axonIds(),
      brokerSource: BROKER_SOURCE,
      wakeAfter: this.current.wakeAfter ?? {},
      onWake: (trigger) => this.runDetached("wake", () => this.onWake(trigger)),
      onError: (axonId, error) =>
        this.runDetached("axon-lost transition", () => this.onAxonLost(axonId, error)),
    });
    this.watcher.start();
  }

  private stopWatcher(): void {
    this.watcher?.stop();
    this.watcher = undefined;
  }

  // --- record and events ---

  private async setStatus(
    status: RuntimeStatus,
    statusReason: string,
    changes: { wakeAfter?: Readonly<Record<string, number>> | undefined } = {},
  ): Promise<void> {
    if (this.closed) return;
    const next: RuntimeRecord = { ...this.current, status, statusReason, updatedAtMs: this.deps.clock.now() };
    if ("wakeAfter" in changes) {
      if (changes.wakeAfter === undefined) delete (next as { wakeAfter?: unknown }).wakeAfter;
      else (next as { wakeAfter?: unknown }).wakeAfter = changes.wakeAfter;
    }
    await this.deps.store.putRecord(RUNTIME_RECORD_KIND, next.id, next);
    this.current = next;
    this.deps.logger.info({ runtimeId: next.id, status, reason: statusReason }, "runtime status");
  }

  /**
   * Writes the pending `runtime.updated` events, then drops them from the record. Called only
   * where no old agent of an updated mount runs. A crash in between writes them again on the next
   * boot; their idempotency keys append each once.
   */
  private async writePendingUpdates(): Promise<void> {
    const pending = this.current.pendingUpdates ?? [];
    if (pending.length === 0) return;
    for (const update of pending) await publishPendingUpdate(this.deps.link, update, this.deps.logger);
    if (this.closed) return;
    const { pendingUpdates: _, ...next } = this.current;
    await this.deps.store.putRecord(RUNTIME_RECORD_KIND, next.id, next);
    this.current = next;
  }

  private announce(eventType: RuntimeEventType, reason: string): Promise<void> {
    return announce(
      this.deps.link,
      this.axonIds(),
      eventType,
      { runtime_id: this.id, ...(reason === "" ? {} : { reason }) },
      this.deps.logger,
    );
  }

  private async heads(): Promise<Record<string, number>> {
    const heads: Record<string, number> = {};
    for (const axonId of this.axonIds()) {
      heads[axonId] = (await this.deps.store.getAxon(axonId))?.headSequence ?? 0;
    }
    return heads;
  }

  private axonIds(): string[] {
    return this.current.mounts.map((m) => m.axonId);
  }
}
