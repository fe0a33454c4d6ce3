import { type Clock, isMutantActive, type Timer } from "@openaxon/core";
import {
  EventType,
  type SessionStartedPayload,
  type TurnCompletedPayload,
  type TurnFailedPayload,
  type TurnPermissionRequestPayload,
  type TurnStartedPayload,
} from "@openaxon/protocol/vocabulary";
import type { AgentAdapter, AgentSession, PermissionDecision, PermissionRequest } from "./agent-adapter.js";
import { AgentLogCoalescer, type AgentLogLimits } from "./agent-log-coalescer.js";
import type { AxonLink, AxonLinkEvent } from "./axon-link.js";
import { recoverBrokerState } from "./cursor-recovery.js";
import { type Deferred, deferred } from "./deferred.js";
import { describeError, describeExit } from "./describe.js";
import { driveTurn, type TurnInterruption, type TurnOutcome } from "./drive-turn.js";
import { EventPublisher } from "./event-publisher.js";
import { PendingPermissions } from "./pending-permissions.js";
import { autoAllow, deny, type PermissionPolicy, rejectFallback } from "./permission-policy.js";
import { isTurnTrigger, isUserControl, parseJsonObject, queuedTurnFor } from "./triggers.js";
import { type QueuedTurn, TurnQueue } from "./turn-queue.js";

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
  readonly observer?: BrokerObserver;
  readonly logger?: BrokerLogger;
}

export interface TurnRef {
  readonly turnId: string;
  readonly triggerSequence: number;
}

/** Hooks for the runtime: idle detection (to suspend) and activity (to stay awake). */
export interface BrokerObserver {
  /** A new trigger joined the queue (live, not from recovery). */
  onTriggerQueued?(turn: TurnRef): void;
  onTurnStarted?(turn: TurnRef): void;
  onTurnEnded?(turn: TurnRef & { readonly outcome: TurnOutcome }): void;
  /** Nothing running, nothing queued, since `sinceMs` (on the broker's clock). */
  onIdle?(sinceMs: number): void;
  /** The broker can no longer reach its axon and has stopped. */
  onFailure?(error: unknown): void;
}

/** Pino-compatible subset. */
export interface BrokerLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type BrokerStatus = "created" | "starting" | "running" | "stopping" | "stopped" | "failed";

interface RunningTurn {
  readonly turn: QueuedTurn;
  readonly interruption: Deferred<TurnInterruption>;
  cancelRequested: boolean;
  cancelTimer?: Timer;
  permissionCount: number;
}

const silentLogger: BrokerLogger = { warn() {}, error() {} };

/**
 * Drives one agent from one axon (one runtime mount): USER/EXTERNAL `user.message` events become
 * turns, run strictly one at a time in trigger order, and everything the agent does is written back
 * to the same axon in the shared vocabulary.
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
  private readonly clock: Clock;
  private readonly policy: PermissionPolicy;
  private readonly cancelGraceMs: number;
  private readonly source: string;
  private readonly observer: BrokerObserver;
  private readonly logger: BrokerLogger;
  private readonly publisher: EventPublisher;
  private readonly logs: AgentLogCoalescer;
  private readonly permissions: PendingPermissions;
  private readonly queue = new TurnQueue();
  private readonly stopController = new AbortController();

  private statusValue: BrokerStatus = "created";
  private sessionIdValue: string | undefined;
  /** Bumped on every adapter start, so a late `onExit` of an older process is ignored. */
  private agentGeneration = 0;
  private agentLive = false;
  private agentStarting = false;
  private running: RunningTurn | undefined;
  private idleSinceMs: number | undefined;
  private idleWaiters: Array<() => void> = [];
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private loops: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: BrokerOptions) {
    this.axonId = options.axonId;
    this.link = options.link;
    this.adapter = options.adapter;
    this.clock = options.clock;
    this.policy = options.permissionPolicy ?? "auto_allow";
    this.cancelGraceMs = options.cancelGraceMs ?? 30_000;
    this.source = options.source ?? "broker";
    this.observer = options.observer ?? {};
    this.logger = options.logger ?? silentLogger;
    this.publisher = new EventPublisher(this.link, this.axonId, this.source);
    this.permissions = new PendingPermissions(this.clock, options.permissionTimeoutMs ?? 300_000);
    this.logs = new AgentLogCoalescer(
      this.clock,
      (message) => this.publishInBackground(EventType.AgentLog, { stream: "stderr", message }),
      options.agentLog,
    );
  }

  get status(): BrokerStatus {
    return this.statusValue;
  }

  /** The agent session id in use (or recovered from the axon, before the agent starts). */
  get sessionId(): string | undefined {
    return this.sessionIdValue;
  }

  get runningTurn(): TurnRef | undefined {
    return this.running && refOf(this.running.turn);
  }

  get queuedTurns(): readonly TurnRef[] {
    return this.queue.snapshot().map(refOf);
  }

  /** When the broker last became idle (clock ms), or undefined while a turn runs or waits. */
  get idleSince(): number | undefined {
    return this.idleSinceMs;
  }

  /** Resolves when nothing runs and nothing is queued (immediately if that is already so). */
  whenIdle(): Promise<void> {
    if (this.idleSinceMs !== undefined || this.statusValue === "stopped" || this.statusValue === "failed") {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idleWaiters.push(resolve));
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
      this.sessionIdValue = isMutantActive("wake-without-session") ? undefined : recovered.sessionId;
      // Close what a previous broker left open before anything new happens.
      for (const turn of recovered.interrupted) {
        await this.publishEnd(turn, { kind: "failed", error: "interrupted: broker restarted" });
      }
      for (const turn of recovered.cancelledWhileQueued) {
        await this.publishEnd(turn, { kind: "completed", stopReason: "cancelled" });
      }
      for (const turn of recovered.pending) this.queue.push(turn);
      if (this.stopController.signal.aborted) return;
      await this.ensureAgent();
      if (this.stopController.signal.aborted) return;
      this.statusValue = "running";
      this.loops = Promise.all([this.follow(recovered.headSequence), this.pump()]);
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
    this.running?.interruption.resolve({
      kind: "failed",
      error: "interrupted: broker stopped",
      restartAgent: true,
    });
    // An agent start that hangs must not hold stop() hostage.
    if (this.agentStarting) await this.adapter.stop().catch(() => {});
    await this.startPromise?.catch(() => {});
    await this.loops;
    this.logs.flush(true);
    await this.publisher.idle();
    await this.adapter
      .stop()
      .catch((error: unknown) => this.logger.warn({ err: error }, "agent stop failed"));
    this.agentLive = false;
    if (this.statusValue !== "failed") this.statusValue = "stopped";
    this.releaseIdleWaiters();
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
      this.idleSinceMs = undefined;
      this.queue.push(turn);
      this.observer.onTriggerQueued?.(refOf(turn));
    } else if (isUserControl(event, EventType.TurnCancel)) {
      const turnId = parseJsonObject(event.payload)?.turn_id;
      this.cancel(typeof turnId === "string" ? turnId : undefined);
    } else if (isUserControl(event, EventType.PermissionResponse)) {
      this.onPermissionResponse(event);
    }
  }

  /** Runs queued turns one at a time, in trigger order. */
  private async pump(): Promise<void> {
    const signal = this.stopController.signal;
    try {
      for (;;) {
        const turn = await this.queue.next(signal);
        if (!turn) return;
        if (isMutantActive("turn-while-running")) void this.runTurn(turn).catch(() => {});
        else await this.runTurn(turn);
        this.noteIdleIfIdle();
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private async runTurn(turn: QueuedTurn): Promise<void> {
    // A turn taken from the queue ends any idle spell: the broker may have reported idle while the
    // pump held a recovered trigger it had not yet started (issue-5-idle-suspend-mid-turn).
    this.idleSinceMs = undefined;
    const running: RunningTurn = {
      turn,
      interruption: deferred(),
      cancelRequested: false,
      permissionCount: 0,
    };
    this.running = running;
    try {
      const started: TurnStartedPayload = { turn_id: turn.turnId, trigger_sequence: turn.triggerSequence };
      const { duplicate } = await this.publisher.system(
        EventType.TurnStarted,
        started,
        this.lifecycleKey("started", turn),
      );
      if (duplicate) {
        // Another broker on this axon already started this trigger: it owns the turn.
        this.logger.warn({ turnId: turn.turnId }, "turn already started by another broker; skipping");
        return;
      }
      this.observer.onTurnStarted?.(refOf(turn));
      const outcome = await this.turnOutcome(running);
      running.cancelTimer?.cancel();
      this.permissions.rejectAll();
      this.logs.flush(true);
      await this.publishEnd(turn, outcome);
    } finally {
      running.cancelTimer?.cancel();
      this.running = undefined;
    }
  }

  private async turnOutcome(running: RunningTurn): Promise<TurnOutcome> {
    const { turn } = running;
    if (typeof turn.content === "object" && "invalid" in turn.content) {
      return { kind: "failed", error: turn.content.invalid };
    }
    if (running.interruption.settled()) return running.interruption.promise;
    const agentError = await this.ensureAgent();
    if (running.interruption.settled()) return running.interruption.promise;
    if (agentError) return { kind: "failed", error: agentError };
    // Cancelled before the agent saw the prompt: nothing to stop.
    if (running.cancelRequested) return { kind: "completed", stopReason: "cancelled" };
    const result = await driveTurn({
      adapter: this.adapter,
      turnId: turn.turnId,
      content: turn.content,
      requestPermission: (request) => this.requestPermission(running, request),
      publish: (eventType, payload) => this.publisher.agent(eventType, payload),
      interruption: running.interruption.promise,
    });
    if (result.restartAgent || result.kind === "failed") this.agentLive = false;
    // A turn that breaks while being cancelled was still cancelled, as far as the user is concerned.
    if (result.kind === "failed" && running.cancelRequested && !this.stopController.signal.aborted) {
      return { kind: "completed", stopReason: "cancelled" };
    }
    return result.kind === "failed"
      ? { kind: "failed", error: result.error }
      : { kind: "completed", stopReason: result.stopReason };
  }

  /**
   * Starts (or restarts) the agent if it is not live, resuming the recorded session, and records
   * `session.started`. Returns an error message if it could not start.
   */
  private async ensureAgent(): Promise<string | undefined> {
    if (this.agentLive) return undefined;
    const generation = ++this.agentGeneration;
    let session: AgentSession;
    this.agentStarting = true;
    try {
      await this.adapter.stop().catch(() => {});
      session = await this.adapter.start({
        cwd: this.options.agent.cwd,
        env: this.options.agent.env,
        resumeSessionId: this.sessionIdValue,
        onLog: (line) => this.logs.push(line),
        onExit: (info) => this.onAgentExit(generation, info),
      });
    } catch (error) {
      if (this.stopController.signal.aborted) return "interrupted: broker stopped";
      const message = `agent failed to start: ${describeError(error)}`;
      await this.publisher.system(EventType.BrokerError, { message });
      return message;
    } finally {
      this.agentStarting = false;
    }
    // stop() came while the agent was starting; it stops the agent once start() has settled.
    if (this.stopController.signal.aborted) return "interrupted: broker stopped";
    this.agentLive = true;
    this.sessionIdValue = session.sessionId;
    const payload: SessionStartedPayload = {
      protocol: this.adapter.protocol,
      agent_session_id: session.sessionId,
      restored_by: session.restoredBy,
      ...(session.note === undefined ? {} : { note: session.note }),
    };
    await this.publisher.system(EventType.SessionStarted, payload);
    return undefined;
  }

  private onAgentExit(generation: number, info: { code: number | null; signal: string | null }): void {
    // During start() the start's own rejection reports the failure; stale generations are history.
    if (generation !== this.agentGeneration || this.agentStarting || this.stopController.signal.aborted)
      return;
    this.agentLive = false;
    const how = `it ${describeExit(info)}`;
    if (this.running) {
      this.running.interruption.resolve({
        kind: "failed",
        error: `agent process exited during the turn (${how})`,
        restartAgent: true,
      });
    } else {
      this.publishInBackground(EventType.BrokerError, {
        message: `agent process exited while idle (${how}); it restarts for the next turn`,
      });
    }
  }

  /** `turn.cancel`: the running turn (no id, or its id) or a queued one. */
  private cancel(turnId: string | undefined): void {
    const running = this.running;
    if (running && (turnId === undefined || turnId === running.turn.turnId)) {
      if (running.cancelRequested) return;
      running.cancelRequested = true;
      this.permissions.rejectAll();
      this.adapter
        .cancel()
        .catch((error: unknown) => this.logger.warn({ err: error }, "agent cancel failed"));
      running.cancelTimer = this.clock.setTimer(this.cancelGraceMs, () =>
        running.interruption.resolve({ kind: "completed", stopReason: "cancelled", restartAgent: true }),
      );
      return;
    }
    if (turnId === undefined) return;
    const queued = this.queue.remove(turnId);
    if (!queued) return;
    this.publishEnd(queued, { kind: "completed", stopReason: "cancelled" })
      .then(() => this.noteIdleIfIdle())
      .catch((error: unknown) => this.fail(error));
  }

  private async requestPermission(
    running: RunningTurn,
    request: PermissionRequest,
  ): Promise<PermissionDecision> {
    if (running !== this.running || running.cancelRequested || running.interruption.settled()) {
      return rejectFallback(request);
    }
    if (this.policy === "auto_allow") return autoAllow(request);
    if (this.policy === "deny") return deny(request);
    running.permissionCount++;
    const requestId = `perm_${running.turn.triggerSequence}_${running.permissionCount}`;
    const decision = this.permissions.wait(requestId, request);
    const payload: TurnPermissionRequestPayload = {
      turn_id: running.turn.turnId,
      request_id: requestId,
      tool_call: {
        tool_call_id: request.toolCall.toolCallId,
        title: request.toolCall.title,
        kind: request.toolCall.kind,
        status: request.toolCall.status,
        ...(request.toolCall.input === undefined ? {} : { input: request.toolCall.input }),
      },
      options: request.options.map((o) => ({ option_id: o.optionId, name: o.name, kind: o.kind })),
    };
    await this.publisher.agent(EventType.TurnPermissionRequest, payload);
    return decision;
  }

  private onPermissionResponse(event: AxonLinkEvent): void {
    const body = parseJsonObject(event.payload);
    const requestId = body?.request_id;
    if (typeof requestId !== "string") return;
    let result: ReturnType<PendingPermissions["answer"]>;
    if (typeof body?.option_id === "string")
      result = this.permissions.answer(requestId, { optionId: body.option_id });
    else if (body?.outcome === "rejected")
      result = this.permissions.answer(requestId, { outcome: "rejected" });
    else result = "invalid";
    if (result === "invalid") {
      this.publishInBackground(EventType.BrokerError, {
        message: `permission.response at sequence ${event.sequence} for ${requestId} names no option the agent offered; the request still waits`,
      });
    }
  }

  /** The one terminal event of a trigger, keyed so that it is written at most once per trigger. */
  private async publishEnd(turn: QueuedTurn, outcome: TurnOutcome): Promise<void> {
    if (outcome.kind === "completed") {
      const payload: TurnCompletedPayload = { turn_id: turn.turnId, stop_reason: outcome.stopReason };
      await this.publisher.system(EventType.TurnCompleted, payload, this.lifecycleKey("ended", turn));
    } else {
      const payload: TurnFailedPayload = { turn_id: turn.turnId, error: outcome.error };
      await this.publisher.system(EventType.TurnFailed, payload, this.lifecycleKey("ended", turn));
    }
    this.observer.onTurnEnded?.({ ...refOf(turn), outcome });
  }

  private lifecycleKey(stage: "started" | "ended", turn: QueuedTurn): string {
    return `${this.source}:turn.${stage}:${turn.triggerSequence}`;
  }

  private publishInBackground(eventType: string, payload: object): void {
    this.publisher.system(eventType, payload).catch((error: unknown) => {
      if (!this.stopController.signal.aborted) this.fail(error);
    });
  }

  private noteIdleIfIdle(): void {
    if (this.statusValue !== "running" || this.running || this.queue.size > 0) return;
    if (this.idleSinceMs !== undefined) return;
    this.idleSinceMs = this.clock.now();
    this.observer.onIdle?.(this.idleSinceMs);
    this.releaseIdleWaiters();
  }

  private releaseIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
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

function refOf(turn: QueuedTurn): TurnRef {
  return { turnId: turn.turnId, triggerSequence: turn.triggerSequence };
}
