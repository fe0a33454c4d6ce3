import { isMutantActive } from "@openaxon/core";
import type { PromptContent } from "@openaxon/protocol/vocabulary";
import type { AgentAdapter, PermissionDecision, PermissionRequest } from "./agent-adapter.js";
import type { AgentLogCoalescer } from "./agent-log-coalescer.js";
import type { AgentSupervisor } from "./agent-supervisor.js";
import { type BrokerLogger, type BrokerObserver, refOf } from "./broker-observer.js";
import { driveTurn, type TurnInterruption, type TurnOutcome } from "./drive-turn.js";
import type { EventPublisher } from "./event-publisher.js";
import type { PendingPermissions } from "./pending-permissions.js";
import type { PermissionDesk } from "./permission-desk.js";
import { rejectFallback } from "./permission-policy.js";
import { type RunningTurn, runningTurn } from "./running-turn.js";
import { cancelRunningTurn, type TurnCancellation } from "./turn-cancellation.js";
import type { QueuedTurn, TurnQueue } from "./turn-queue.js";
import type { TurnRecorder } from "./turn-recorder.js";

export interface TurnLoopOptions {
  readonly queue: TurnQueue;
  readonly adapter: AgentAdapter;
  readonly agent: AgentSupervisor;
  readonly recorder: TurnRecorder;
  readonly permissions: PermissionDesk;
  readonly pendingPermissions: PendingPermissions;
  readonly cancellation: TurnCancellation;
  readonly publisher: EventPublisher;
  readonly logs: AgentLogCoalescer;
  /** Aborted when the broker stops. */
  readonly signal: AbortSignal;
  readonly observer: BrokerObserver;
  readonly logger: BrokerLogger;
  /** A turn left the queue: any idle spell is over. */
  readonly onBusy: () => void;
  /** A turn ended or a queued one was cancelled: the broker may be idle now. */
  readonly onSettled: () => void;
  /** The axon cannot be written: the broker fails. */
  readonly onFatal: (error: unknown) => void;
  /** Publishes `broker.error` without waiting. */
  readonly reportError: (message: string) => void;
  /** The first turn of a hand-off: the prompt with the transcript of earlier turns before it. */
  readonly prime: (turn: QueuedTurn, content: PromptContent) => Promise<PromptContent>;
}

/**
 * The turn loop: takes queued turns one at a time in trigger order, makes sure the agent runs,
 * drives the turn and records how it ended — once per trigger, whatever interrupts it.
 */
export class TurnLoop {
  private current: RunningTurn | undefined;
  /** Aborted by drain(): the loop takes no further turn. */
  private readonly draining = new AbortController();
  private finished: Promise<void> = Promise.resolve();

  constructor(private readonly options: TurnLoopOptions) {}

  /** The turn the agent is working on, if any. */
  get running(): QueuedTurn | undefined {
    return this.current?.turn;
  }

  /** Runs queued turns until the broker stops (or drain() is called). */
  run(): Promise<void> {
    this.finished = this.loop();
    return this.finished;
  }

  /**
   * Lets the running turn finish, takes no further one, and resolves once the loop has ended: the
   * turn boundary where an agent can be replaced. Queued turns stay queued (and in the axon).
   */
  drain(): Promise<void> {
    this.draining.abort();
    return this.finished;
  }

  private async loop(): Promise<void> {
    const { queue } = this.options;
    const signal = AbortSignal.any([this.options.signal, this.draining.signal]);
    try {
      for (;;) {
        const turn = await queue.next(signal);
        if (!turn) return;
        if (turn.session !== undefined) {
          await this.options.agent.switchSession(turn.session);
          this.options.onSettled();
          continue;
        }
        if (isMutantActive("turn-while-running")) void this.runTurn(turn).catch(() => {});
        else await this.runTurn(turn);
        this.options.onSettled();
      }
    } catch (error) {
      this.options.onFatal(error);
    }
  }

  /** `turn.cancel`: the running turn (no id, or its id) or a queued one. */
  cancel(turnId: string | undefined): void {
    const running = this.current;
    if (running && (turnId === undefined || turnId === running.turn.turnId)) {
      cancelRunningTurn(running, this.options.cancellation);
      return;
    }
    if (turnId === undefined || !this.options.queue.has(turnId) || turnId.startsWith("session_")) return;
    const queued = this.options.queue.remove(turnId);
    if (!queued) return;
    this.options.recorder
      .ended(queued, { kind: "completed", stopReason: "cancelled" })
      .then(() => this.options.onSettled())
      .catch((error: unknown) => this.options.onFatal(error));
  }

  /** Ends the running turn (if any) without the agent: the broker is stopping. */
  interrupt(interruption: TurnInterruption): void {
    this.current?.interruption.resolve(interruption);
  }

  /** The agent process exited on its own: the running turn fails, or the next turn restarts it. */
  agentExited(how: string): void {
    if (this.current) {
      this.current.interruption.resolve({
        kind: "failed",
        error: `agent process exited during the turn (${how})`,
        restartAgent: true,
      });
    } else {
      this.options.reportError(`agent process exited while idle (${how}); it restarts for the next turn`);
    }
  }

  private async runTurn(turn: QueuedTurn): Promise<void> {
    const { recorder, observer, logger } = this.options;
    // A turn taken from the queue ends any idle spell: the broker may have reported idle while the
    // loop held a recovered trigger it had not yet started (issue-5-idle-suspend-mid-turn).
    this.options.onBusy();
    const running = runningTurn(turn);
    this.current = running;
    try {
      const { duplicate } = await recorder.started(turn);
      if (duplicate) {
        // Another broker on this axon already started this trigger: it owns the turn.
        logger.warn({ turnId: turn.turnId }, "turn already started by another broker; skipping");
        return;
      }
      observer.onTurnStarted?.(refOf(turn));
      const outcome = await this.turnOutcome(running);
      running.cancelTimer?.cancel();
      this.options.pendingPermissions.rejectAll();
      this.options.logs.flush(true);
      await recorder.ended(turn, outcome);
    } finally {
      running.cancelTimer?.cancel();
      this.current = undefined;
    }
  }

  private async turnOutcome(running: RunningTurn): Promise<TurnOutcome> {
    const { turn } = running;
    const { agent, signal } = this.options;
    if (typeof turn.content === "object" && "invalid" in turn.content) {
      return { kind: "failed", error: turn.content.invalid };
    }
    if (running.interruption.settled()) return running.interruption.promise;
    const agentError = await agent.ensure();
    if (running.interruption.settled()) return running.interruption.promise;
    if (agentError) return { kind: "failed", error: agentError };
    // The session a client asked for could not be had: this turn must not run in another one.
    const refused = agent.takeSessionRefusal();
    if (refused !== undefined) return { kind: "failed", error: refused };
    // Cancelled before the agent saw the prompt: nothing to stop.
    if (running.cancelRequested) return { kind: "completed", stopReason: "cancelled" };
    let content: PromptContent = turn.content;
    if (agent.needsPriming) {
      content = await this.options.prime(turn, content);
      agent.needsPriming = false;
      if (running.interruption.settled()) return running.interruption.promise;
    }
    const result = await driveTurn({
      adapter: this.options.adapter,
      turnId: turn.turnId,
      content,
      requestPermission: (request) => this.requestPermission(running, request),
      publish: (eventType, payload) => this.options.publisher.agent(eventType, payload),
      interruption: running.interruption.promise,
    });
    if (result.restartAgent || result.kind === "failed") agent.markDead();
    // A turn that breaks while being cancelled was still cancelled, as far as the user is concerned.
    if (result.kind === "failed" && running.cancelRequested && !signal.aborted) {
      return { kind: "completed", stopReason: "cancelled" };
    }
    return result.kind === "failed"
      ? { kind: "failed", error: result.error }
      : { kind: "completed", stopReason: result.stopReason };
  }

  private requestPermission(running: RunningTurn, request: PermissionRequest): Promise<PermissionDecision> {
    // A request from a turn that is over or being cancelled gets the fallback, not the user.
    if (running !== this.current || running.cancelRequested || running.interruption.settled()) {
      return Promise.resolve(rejectFallback(request));
    }
    return this.options.permissions.decide(running, request);
  }
}
