import {
  EventType,
  type TurnCompletedPayload,
  type TurnFailedPayload,
  type TurnStartedPayload,
} from "@openaxon/protocol/vocabulary";
import { type BrokerObserver, refOf } from "./broker-observer.js";
import type { TurnOutcome } from "./drive-turn.js";
import type { EventPublisher } from "./event-publisher.js";
import type { QueuedTurn } from "./turn-queue.js";

/**
 * Writes a trigger's `turn.started` and its one terminal event, each keyed by the trigger so that
 * it is written at most once per trigger, even by two brokers on the same axon.
 */
export class TurnRecorder {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly source: string,
    private readonly observer: BrokerObserver,
  ) {}

  /** Records the start; `duplicate` means another broker already started this trigger and owns it. */
  async started(turn: QueuedTurn): Promise<{ duplicate: boolean }> {
    const payload: TurnStartedPayload = { turn_id: turn.turnId, trigger_sequence: turn.triggerSequence };
    return this.publisher.system(EventType.TurnStarted, payload, this.key("started", turn));
  }

  async ended(turn: QueuedTurn, outcome: TurnOutcome): Promise<void> {
    if (outcome.kind === "completed") {
      const payload: TurnCompletedPayload = { turn_id: turn.turnId, stop_reason: outcome.stopReason };
      await this.publisher.system(EventType.TurnCompleted, payload, this.key("ended", turn));
    } else {
      const payload: TurnFailedPayload = { turn_id: turn.turnId, error: outcome.error };
      await this.publisher.system(EventType.TurnFailed, payload, this.key("ended", turn));
    }
    this.observer.onTurnEnded?.({ ...refOf(turn), outcome });
  }

  private key(stage: "started" | "ended", turn: QueuedTurn): string {
    return `${this.source}:turn.${stage}:${turn.triggerSequence}`;
  }
}
