import { type Clock, isMutantActive } from "@openaxon/core";
import { EventType } from "@openaxon/protocol/vocabulary";
import type { AgentAdapter } from "./agent-adapter.js";
import { AgentLogCoalescer, type AgentLogLimits } from "./agent-log-coalescer.js";
import { AgentSupervisor } from "./agent-supervisor.js";
import type { AxonLink, AxonLinkEvent } from "./axon-link.js";
import {
  type BrokerLogger,
  type BrokerObserver,
  loggerWith,
  refOf,
  silentLogger,
  type TurnRef,
} from "./broker-observer.js";
import { recoverBrokerState } from "./cursor-recovery.js";
import { EventPublisher } from "./event-publisher.js";
import { primeTurn } from "./handoff-priming.js";
import { DEFAULT_HANDOFF_BUDGET_CHARS } from "./handoff-transcript.js";
import { IdleTracker } from "./idle-tracker.js";
import { PendingPermissions } from "./pending-permissions.js";
import { PermissionDesk } from "./permission-desk.js";
import type { PermissionPolicy } from "./permission-policy.js";
import {
  isSessionRequest,
  isTurnTrigger,
  isUserControl,
  parseJsonObject,
  queuedSessionRequestFor,
  queuedTurnFor,
} from "./triggers.js";
import { TurnLoop } from "./turn-loop.js";
import { TurnQueue } from "./turn-queue.js";
import { TurnRecorder } from "./turn-recorder.js";

export type { BrokerLogger, BrokerObserver, TurnRef } from "./broker-observer.js";

export interface BrokerOptions {
  readonly axonId: string;
  readonly link: AxonLink;
  /** One adapter instance for the broker's life; it is `start`ed again after a crash. */
  readonly adapter: AgentAdapter;
  readonly clock: Clock;
  /** Working directory and complete environment of the agent process. */
  readonly agent: { readonly cwd: string; readonly env: Readonly<Record<string, string>> };
  /** Default: auto_allow. */
  readonly permissionPolicy?: PermissionPolicy;
  /** ASK: how long a request waits for a USER `permission.response` before it is rejected. Default 5 min. */
  readonly permissionTimeoutMs?: number;
  /** How long a cancelled turn may take to end before the broker stops the agent. Default 30 s. */
  readonly cancelGraceMs?: number;
  /**
   * The `source` of everything this broker writes; its own SYSTEM events under this source are its
   * cursor, so it must stay the same across restarts of the mount. Default "broker".
   */
  readonly source?: string;
  readonly agentLog?: AgentLogLimits;
  /** Size of the transcript that primes a new agent after a hand-off (characters). Default 16,000. */
  readonly handoffBudgetChars?: number;
  readonly observer?: BrokerObserver;
  readonly logger?: BrokerLogger;
}

export type BrokerStatus = "created" | "starting" | "running" | "stopping" | "stopped" | "failed";

/**
 * Drives one agent from one axon (one runtime mount): USER/EXTERNAL `user.message` events become
 * turns, run strictly one at a time in trigger order (the turn loop, `turn-loop.ts`), and everything
 * the agent does is written back to the same axon in the shared vocabulary.
 *
 * Lifecycle: `start()` recovers the cursor and the agent session from the axon, closes what a
 * previous broker left open, starts the agent and follows the axon. `stop()` interrupts: a running
 * turn ends as `turn.failed {error: "interrupted: broker stopped"}` (it is not re-run), queued
 * triggers stay in the axon for the next broker, and the agent is stopped. To suspend gracefully,
 * wait for idle first (`whenIdle()`, or the observer's `onIdle`). One broker per mount at a time: a
 * new one may start once the previous `stop()` has resolved.
 */
export class Broker {
  private readonly axonId: string;
  private readonly link: AxonLink;
  private readonly adapter: AgentAdapter;
  private readonly source: string;
  private readonly observer: BrokerObserver;
  private readonly logger: BrokerLogger;
  private readonly publisher: EventPublisher;
  private readonly logs: AgentLogCoalescer;
  private readonly permissions: PendingPermissions;
  private readonly permissionDesk: PermissionDesk;
  private readonly agent: AgentSupervisor;
  private readonly recorder: TurnRecorder;
  private readonly turns: TurnLoop;
  private readonly idle: IdleTracker;
  private readonly queue = new TurnQueue();
  private readonly stopController = new AbortController();

  private statusValue: BrokerStatus = "created";
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private loops: Promise<unknown> = Promise.resolve();

  constructor(options: BrokerOptions) {
    const { clock } = options;
    const signal = this.stopController.signal;
    const source = options.source ?? "broker";
    this.source = source;
    this.axonId = options.axonId;
    this.link = options.link;
    this.adapter = options.adapter;
    this.observer = options.observer ?? {};
    // Every broker line names its axon, so lines of many brokers in one log can be told apart.
    this.logger = loggerWith(options.logger ?? silentLogger, { axonId: options.axonId });
    this.publisher = new EventPublisher(this.link, this.axonId, source);
    this.permissions = new PendingPermissions(clock, options.permissionTimeoutMs ?? 300_000);
    this.logs = new AgentLogCoalescer(
      clock,
      (message) => this.publishInBackground(EventType.AgentLog, { stream: "stderr", message }),
      options.agentLog,
    );
    const reportError = (message: string) => this.publishInBackground(EventType.BrokerError, { message });
    this.idle = new IdleTracker(clock, (sinceMs) => this.observer.onIdle?.(sinceMs));
    this.agent = new AgentSupervisor({
      adapter: this.adapter,
      agent: options.agent,
      publisher: this.publisher,
      logs: this.logs,
      signal,
      onExit: (how) => this.turns.agentExited(how),
    });
    this.recorder = new TurnRecorder(this.publisher, source, this.observer);
    this.permissionDesk = new PermissionDesk(
      options.permissionPolicy ?? "auto_allow",
      this.permissions,
      this.publisher,
      reportError,
    );
    this.turns = new TurnLoop({
      queue: this.queue,
      adapter: this.adapter,
      agent: this.agent,
      recorder: this.recorder,
      permissions: this.permissionDesk,
      pendingPermissions: this.permissions,
      cancellation: {
        adapter: this.adapter,
        clock,
        graceMs: options.cancelGraceMs ?? 30_000,
        permissions: this.permissions,
        logger: this.logger,
      },
      publisher: this.publisher,
      logs: this.logs,
      signal,
      observer: this.observer,
      logger: this.logger,
      onBusy: () => this.idle.busy(),
      onSettled: () => this.noteIdleIfIdle(),
      onFatal: (error) => this.fail(error),
      reportError,
      prime: (turn, content) =>
        primeTurn(
          {
            link: this.link,
            axonId: this.axonId,
            publisher: this.publisher,
            budgetChars: options.handoffBudgetChars ?? DEFAULT_HANDOFF_BUDGET_CHARS,
          },
          turn,
          content,
        ),
    });
  }

  get status(): BrokerStatus {
    return this.statusValue;
  }

  /** The agent session id in use (or recovered from the axon, before the agent starts). */
  get sessionId(): string | undefined {
    return this.agent.sessionId;
  }

  get runningTurn(): TurnRef | undefined {
    const running = this.turns.running;
    return running && refOf(running);
  }

  get queuedTurns(): readonly TurnRef[] {
    return this.queue
      .snapshot()
      .filter((t) => t.session === undefined)
      .map(refOf);
  }

  /** When the broker last became idle (clock ms), or undefined while a turn runs or waits. */
  get idleSince(): number | undefined {
    return this.idle.since;
  }

  /** Resolves when nothing runs and nothing is queued (immediately if that is already so). */
  whenIdle(): Promise<void> {
    if (this.idle.since !== undefined || this.statusValue === "stopped" || this.statusValue === "failed") {
      return Promise.resolve();
    }
    return this.idle.wait();
  }

  /**
   * Recovers from the axon, starts the agent and begins following. Resolves once the broker is
   * running (a failed agent start is reported as `broker.error`, not thrown: the next turn retries).
   * Throws if the axon cannot be read.
   */
  start(): Promise<void> {
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }

  /**
   * Stops at the next turn boundary: the running turn (if any) finishes on this agent, no further
   * turn starts, then the broker stops as `stop()` does. Queued triggers stay in the axon for the
   * next broker. How an agent is replaced without cutting a turn short.
   */
  async stopAtTurnBoundary(): Promise<void> {
    if (this.statusValue === "running") await this.turns.drain();
    await this.stop();
  }

  /** Interrupts the running turn, leaves queued triggers in the axon, stops the agent. Idempotent. */
  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStart(): Promise<void> {
    if (this.statusValue !== "created")
      throw new Error(`broker cannot start from status ${this.statusValue}`);
    this.statusValue = "starting";
    try {
      const recovered = await recoverBrokerState(this.link, this.axonId, { source: this.source });
      this.agent.sessionId = isMutantActive("wake-without-session") ? undefined : recovered.sessionId;
      this.agent.needsPriming = recovered.needsPriming;
      // Close what a previous broker left open before anything new happens.
      for (const turn of recovered.interrupted) {
        await this.recorder.ended(turn, { kind: "failed", error: "interrupted: broker restarted" });
      }
      for (const turn of recovered.cancelledWhileQueued) {
        await this.recorder.ended(turn, { kind: "completed", stopReason: "cancelled" });
      }
      for (const turn of recovered.pending) this.queue.push(turn);
      if (this.stopController.signal.aborted) return;
      await this.agent.ensure();
      if (this.stopController.signal.aborted) return;
      this.statusValue = "running";
      this.loops = Promise.all([this.follow(recovered.headSequence), this.turns.run()]);
      this.noteIdleIfIdle();
    } catch (error) {
      this.statusValue = "failed";
      await this.adapter.stop().catch(() => {});
      throw error;
    }
  }

  private async doStop(): Promise<void> {
    if (this.statusValue !== "failed") this.statusValue = "stopping";
    this.stopController.abort();
    this.permissions.rejectAll();
    this.turns.interrupt({ kind: "failed", error: "interrupted: broker stopped", restartAgent: true });
    // An agent start that hangs must not hold stop() hostage.
    if (this.agent.starting) await this.adapter.stop().catch(() => {});
    await this.startPromise?.catch(() => {});
    await this.loops;
    this.logs.flush(true);
    await this.publisher.idle();
    await this.adapter
      .stop()
      .catch((error: unknown) => this.logger.warn({ err: error }, "agent stop failed"));
    this.agent.markDead();
    if (this.statusValue !== "failed") this.statusValue = "stopped";
    this.idle.release();
  }

  /** Follows the axon live from where recovery stopped; queues triggers and routes user controls. */
  private async follow(afterSequence: number): Promise<void> {
    try {
      for await (const event of this.link.follow(this.axonId, afterSequence, this.stopController.signal)) {
        this.onEvent(event);
      }
    } catch (error) {
      if (!this.stopController.signal.aborted) this.fail(error);
    }
  }

  private onEvent(event: AxonLinkEvent): void {
    if (isTurnTrigger(event)) {
      const turn = queuedTurnFor(event);
      this.idle.busy();
      this.queue.push(turn);
      this.observer.onTriggerQueued?.(refOf(turn));
    } else if (isSessionRequest(event)) {
      this.idle.busy();
      this.queue.push(queuedSessionRequestFor(event));
    } else if (isUserControl(event, EventType.TurnCancel)) {
      const turnId = parseJsonObject(event.payload)?.turn_id;
      this.turns.cancel(typeof turnId === "string" ? turnId : undefined);
    } else if (isUserControl(event, EventType.PermissionResponse)) {
      this.permissionDesk.answer(event);
    }
  }

  private publishInBackground(eventType: string, payload: object): void {
    this.publisher.system(eventType, payload).catch((error: unknown) => {
      if (!this.stopController.signal.aborted) this.fail(error);
    });
  }

  private noteIdleIfIdle(): void {
    if (this.statusValue !== "running" || this.turns.running || this.queue.size > 0) return;
    this.idle.idle();
  }

  /** The axon is unreachable (store closed, axon deleted): stop, and tell the runtime. */
  private fail(error: unknown): void {
    if (this.statusValue === "failed" || this.stopController.signal.aborted) return;
    this.logger.error({ err: error, axonId: this.axonId }, "broker failed");
    this.statusValue = "failed";
    void this.stop();
    this.observer.onFailure?.(error);
  }
}
