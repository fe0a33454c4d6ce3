import { isMutantActive } from "@openaxon/core";
import { EventType, Origin, parseRuntimeUpdated } from "@openaxon/protocol/vocabulary";
import type { AxonLink, AxonLinkEvent } from "./axon-link.js";
import {
  isOwnSystemEvent,
  isSessionRequest,
  isTurnTrigger,
  isUserControl,
  parseJsonObject,
  queuedSessionRequestFor,
  queuedTurnFor,
  turnIdOf,
} from "./triggers.js";
import type { QueuedTurn } from "./turn-queue.js";

/** Where a broker stands on an axon, read back from the axon itself. */
export interface RecoveredState {
  /** The newest sequence the recovery read; the broker follows live from here. */
  readonly headSequence: number;
  /**
   * The agent session of the newest `session.started` this broker wrote; undefined when a
   * `runtime.updated` that changed the agent came after it (the new agent cannot resume it).
   */
  readonly sessionId: string | undefined;
  /**
   * The next turn must be primed from the log: the agent changed since the last session, or the
   * newest session was a hand-off whose priming has not happened yet (no `session.primed` since).
   */
  readonly needsPriming: boolean;
  /** Triggers never started, in order: they run next. */
  readonly pending: readonly QueuedTurn[];
  /** Triggers cancelled while they waited, not yet closed with `turn.completed {cancelled}`. */
  readonly cancelledWhileQueued: readonly QueuedTurn[];
  /** Turns started and never ended (the broker died mid-turn). They must not run again. */
  readonly interrupted: readonly QueuedTurn[];
}

export interface RecoverOptions {
  /** The broker's `source`; only its own SYSTEM events count as its cursor. */
  readonly source: string;
  readonly pageSize?: number;
}

/**
 * Reads the broker's cursor and session out of the axon. The cursor is implicit in the log: turns
 * start strictly in trigger order, so every trigger before the newest `turn.started` has already
 * ended. The scan walks back from the head to that `turn.started` (and the newest
 * `session.started`), then replays forward from its trigger to settle the few turns that may still
 * be open: the started one, later triggers, and cancels of waiting triggers. Cost is proportional to
 * the events since the last turn began, not to the axon's length.
 */
export async function recoverBrokerState(
  link: AxonLink,
  axonId: string,
  options: RecoverOptions,
): Promise<RecoveredState> {
  const pageSize = options.pageSize ?? 256;
  const { source } = options;

  let lastStartedTrigger: number | undefined;
  let sessionId: string | undefined;
  // The session question is settled by the newest session.started, or by an agent change after it.
  let sessionSettled = false;
  let primedSeen = false;
  let needsPriming = false;
  let before = 0;
  scan: for (;;) {
    const page = await link.read(axonId, { afterSequence: before, limit: pageSize, descending: true });
    for (const event of page) {
      if (!sessionSettled && isAgentChange(event)) {
        sessionSettled = true;
        needsPriming = !primedSeen;
      }
      if (!isOwnSystemEvent(event, source)) continue;
      if (lastStartedTrigger === undefined && event.eventType === EventType.TurnStarted) {
        const trigger = parseJsonObject(event.payload)?.trigger_sequence;
        if (typeof trigger === "number") lastStartedTrigger = trigger;
      }
      if (!sessionSettled && event.eventType === EventType.SessionPrimed) primedSeen = true;
      if (!sessionSettled && event.eventType === EventType.SessionStarted) {
        const body = parseJsonObject(event.payload);
        const id = body?.agent_session_id;
        if (typeof id === "string" && id !== "") {
          sessionId = id;
          sessionSettled = true;
          needsPriming = body?.needs_priming === true && !primedSeen;
        }
      }
      if (lastStartedTrigger !== undefined && sessionSettled) break scan;
    }
    if (page.length < pageSize) break;
    before = page[page.length - 1]!.sequence;
    if (before <= 1) break;
  }

  const ledger = new ReplayLedger(source);
  let head = 0;
  let after = lastStartedTrigger === undefined ? 0 : lastStartedTrigger - 1;
  for (;;) {
    const page = await link.read(axonId, { afterSequence: after, limit: pageSize });
    for (const event of page) ledger.apply(event);
    if (page.length > 0) {
      after = page[page.length - 1]!.sequence;
      head = after;
    }
    if (page.length < pageSize) break;
  }
  if (isMutantActive("broker-forgets-cursor"))
    return {
      headSequence: head,
      sessionId,
      needsPriming,
      pending: [],
      cancelledWhileQueued: [],
      interrupted: [],
    };
  return { headSequence: head, sessionId, needsPriming, ...ledger.result() };
}

/** A `runtime.updated` (written by the server) that replaced the agent, so its session cannot go on. */
function isAgentChange(event: AxonLinkEvent): boolean {
  if (event.origin !== Origin.System || event.eventType !== EventType.RuntimeUpdated) return false;
  const update = parseRuntimeUpdated(event.payload);
  return update.ok && !update.value.resume_session;
}

/** Replays trigger, start, end and cancel events into the set of turns still open. */
class ReplayLedger {
  private readonly waiting = new Map<string, QueuedTurn>();
  private readonly started = new Map<string, QueuedTurn>();
  private readonly cancelled = new Set<string>();

  constructor(private readonly source: string) {}

  apply(event: AxonLinkEvent): void {
    // A session request after the last started turn may not have been applied: apply it (again).
    // One before it was, since requests are applied in log order before later turns start.
    if (isSessionRequest(event)) {
      const request = queuedSessionRequestFor(event);
      this.waiting.set(request.turnId, request);
      return;
    }
    if (isTurnTrigger(event)) {
      const turn = queuedTurnFor(event);
      this.waiting.set(turn.turnId, turn);
      return;
    }
    if (isUserControl(event, EventType.TurnCancel)) {
      const turnId = turnIdOf(event);
      // A cancel without a turn id aims at the running turn, which is either ended later in the log
      // or interrupted; either way it needs nothing more.
      if (turnId && this.waiting.get(turnId)?.session === undefined && this.waiting.has(turnId)) {
        this.cancelled.add(turnId);
      }
      return;
    }
    if (!isOwnSystemEvent(event, this.source)) return;
    const turnId = turnIdOf(event);
    if (!turnId) return;
    if (event.eventType === EventType.TurnStarted) {
      const turn = this.waiting.get(turnId);
      this.waiting.delete(turnId);
      // Requests queued before this turn were applied before it started.
      const trigger0 = turn?.triggerSequence ?? Number.POSITIVE_INFINITY;
      for (const [id, waiting] of this.waiting) {
        if (waiting.session !== undefined && waiting.triggerSequence < trigger0) this.waiting.delete(id);
      }
      this.cancelled.delete(turnId);
      const trigger = parseJsonObject(event.payload)?.trigger_sequence;
      const triggerSequence = typeof trigger === "number" ? trigger : 0;
      this.started.set(turnId, turn ?? { turnId, triggerSequence, content: "" });
    } else if (event.eventType === EventType.TurnCompleted || event.eventType === EventType.TurnFailed) {
      this.waiting.delete(turnId);
      this.started.delete(turnId);
      this.cancelled.delete(turnId);
    }
  }

  result(): Pick<RecoveredState, "pending" | "cancelledWhileQueued" | "interrupted"> {
    const waiting = [...this.waiting.values()];
    return {
      pending: waiting
        .filter((t) => !this.cancelled.has(t.turnId))
        .sort((a, b) => a.triggerSequence - b.triggerSequence),
      cancelledWhileQueued: waiting.filter((t) => this.cancelled.has(t.turnId)),
      interrupted: [...this.started.values()],
    };
  }
}
