import type { AxonHandle } from "./axon-handle.js";
import {
  describeTurnEvent,
  EventType,
  type PermissionRequest,
  payloadObject,
  type TurnResult,
  turnIdFor,
  turnIdOf,
} from "./turn-events.js";
import type { AxonEvent, CallOptions } from "./types.js";

/** `await turn.text()` on a turn that ended with `turn.failed`. */
export class TurnFailedError extends Error {
  override name = "TurnFailedError";
  constructor(
    readonly turnId: string,
    /** The agent's error as the broker reported it (exit status, stderr tail, API error …). */
    readonly error: string,
    /** What the agent said before it failed. */
    readonly partialText: string,
  ) {
    super(`${turnId} failed: ${error}`);
  }
}

/** The turn was no longer followed (`close()` or the prompt's `signal`) before it ended. */
export class TurnClosedError extends Error {
  override name = "TurnClosedError";
  constructor(readonly turnId: string) {
    super(`stopped following ${turnId} before it ended`);
  }
}

export interface TurnOptions {
  /** Aborting stops following the turn (it does not cancel it; use `turn.cancel()`). */
  readonly signal?: AbortSignal;
  /**
   * Events without a turn id seen while following: `runtime.*` (a runtime failing or waking),
   * `broker.error`, `agent.log` (agent stderr), `session.started`. Useful to explain a turn that
   * does not start.
   */
  readonly onNotice?: (event: AxonEvent) => void;
  /** `source` of the cancel and permission events this turn publishes. */
  readonly source?: string;
}

/**
 * One turn of an agent, started by a `user.message` at `triggerSequence`. Iterating yields the
 * turn's events (`turn.started`, chunks, tool calls, permission requests …) in order, ending
 * after `turn.completed` or `turn.failed`; every iterator starts from the turn's first event, so
 * iterating and `text()` can be combined. The turn is followed from its creation, in the
 * background, until it ends or `close()` is called.
 */
export class Turn implements AsyncIterable<AxonEvent> {
  readonly id: string;
  /** Settles when the turn ends: a completed or failed TurnResult. Rejects only when the turn
   * could not be followed (TurnClosedError, an error subscribing retries cannot fix). */
  readonly result: Promise<TurnResult>;

  private readonly events: AxonEvent[] = [];
  private readonly pending = new Map<string, PermissionRequest>();
  private readonly stop = new AbortController();
  private wake: (() => void) | undefined;
  private changed: Promise<void>;
  private ended = false;
  private failure: unknown;

  constructor(
    private readonly axon: AxonHandle,
    readonly triggerSequence: number,
    private readonly options: TurnOptions = {},
  ) {
    this.id = turnIdFor(triggerSequence);
    this.changed = this.nextChange();
    if (options.signal?.aborted) this.stop.abort();
    else options.signal?.addEventListener("abort", () => this.close(), { once: true });
    this.result = this.follow();
    // `result` may be ignored by callers that only iterate; its rejection is theirs to see there.
    this.result.catch(() => {});
  }

  get axonId(): string {
    return this.axon.id;
  }

  /** Permission requests of this turn that no `permission.response` has answered yet. */
  get pendingPermissions(): PermissionRequest[] {
    return [...this.pending.values()];
  }

  /** True once `turn.completed` or `turn.failed` arrived. */
  get done(): boolean {
    return this.ended && this.failure === undefined;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AxonEvent> {
    let next = 0;
    for (;;) {
      while (next < this.events.length) {
        const event = this.events[next++];
        if (event) yield event;
      }
      if (this.ended) {
        if (this.failure !== undefined) throw this.failure;
        return;
      }
      await this.changed;
    }
  }

  /**
   * The whole reply: every `turn.message_chunk` joined. Rejects with TurnFailedError when the
   * turn ended with `turn.failed`.
   */
  async text(): Promise<string> {
    const result = await this.result;
    const text = this.messageText();
    if (result.status === "failed") throw new TurnFailedError(this.id, result.error, text);
    return text;
  }

  /** Publishes `turn.cancel {turn_id}`. The turn still ends through the broker (`stop_reason: "cancelled"`). */
  async cancel(options?: CallOptions): Promise<void> {
    if (this.ended) return;
    await this.axon.publish(
      { eventType: EventType.TurnCancel, payload: { turn_id: this.id }, source: this.options.source },
      options,
    );
  }

  /**
   * Answers a `turn.permission_request` of this turn with one of its options' ids, or
   * `"rejected"` to deny without choosing an option. Publishes `permission.response`.
   */
  async respondToPermission(requestId: string, choice: string, options?: CallOptions): Promise<void> {
    const payload =
      choice === "rejected"
        ? { request_id: requestId, outcome: "rejected" }
        : { request_id: requestId, option_id: choice };
    await this.axon.publish(
      { eventType: EventType.PermissionResponse, payload, source: this.options.source },
      options,
    );
  }

  /** Stops following (idempotent). A turn that has not ended rejects `result` with TurnClosedError. */
  close(): void {
    this.stop.abort();
  }

  private messageText(): string {
    let text = "";
    for (const event of this.events) {
      if (event.eventType === EventType.TurnMessageChunk) {
        const chunk = payloadObject(event)?.text;
        if (typeof chunk === "string") text += chunk;
      }
    }
    return text;
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.changed = this.nextChange();
    wake?.();
  }

  private async follow(): Promise<TurnResult> {
    try {
      // Everything of the turn comes after its trigger, so replaying from there misses nothing,
      // however late this subscription starts.
      for await (const event of this.axon.subscribe({
        afterSequence: this.triggerSequence,
        signal: this.stop.signal,
      })) {
        const result = this.take(event);
        if (result) return result;
      }
      throw new TurnClosedError(this.id);
    } catch (error) {
      this.failure = error;
      throw error;
    } finally {
      this.ended = true;
      this.stop.abort();
      this.notify();
    }
  }

  /** Files one event of the axon; returns the result when it ends the turn. */
  private take(event: AxonEvent): TurnResult | undefined {
    if (event.eventType === EventType.PermissionResponse) {
      const requestId = payloadObject(event)?.request_id;
      if (typeof requestId === "string") this.pending.delete(requestId);
      return undefined;
    }
    const turnId = turnIdOf(event);
    if (turnId === undefined) {
      if (event.origin === "system" && !event.eventType.startsWith("turn.")) this.options.onNotice?.(event);
      return undefined;
    }
    if (turnId !== this.id) return undefined;
    this.events.push(event);
    const view = describeTurnEvent(event);
    let result: TurnResult | undefined;
    if (view.type === "permission_request") {
      const { type: _type, ...request } = view;
      this.pending.set(view.requestId, { ...request, sequence: event.sequence });
    } else if (view.type === "completed") {
      result = { status: "completed", turnId: this.id, stopReason: view.stopReason };
    } else if (view.type === "failed") {
      result = { status: "failed", turnId: this.id, error: view.error };
    }
    if (result) this.pending.clear();
    this.notify();
    return result;
  }
}
