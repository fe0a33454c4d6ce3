import type { TurnOutcome } from "./drive-turn.js";
import type { QueuedTurn } from "./turn-queue.js";

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

export const silentLogger: BrokerLogger = { warn() {}, error() {} };

/** A logger whose every line also carries `fields` (a line's own fields win). */
export function loggerWith(logger: BrokerLogger, fields: object): BrokerLogger {
  return {
    warn: (obj, msg) => logger.warn({ ...fields, ...obj }, msg),
    error: (obj, msg) => logger.error({ ...fields, ...obj }, msg),
  };
}

export function refOf(turn: QueuedTurn): TurnRef {
  return { turnId: turn.turnId, triggerSequence: turn.triggerSequence };
}
