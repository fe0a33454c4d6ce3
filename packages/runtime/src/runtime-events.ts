import type { AxonLink } from "@openaxon/broker";
import {
  EventType,
  Origin,
  type RuntimeEventPayload,
  type RuntimeHookPayload,
  type RuntimeUpdatedPayload,
} from "@openaxon/protocol/vocabulary";
import { AxonNotFoundError } from "@openaxon/store";
import type { RuntimeLogger } from "./runtime-logger.js";
import type { PendingUpdate } from "./runtime-record.js";

/** The `runtime.*` vocabulary (DESIGN.md): SYSTEM events in every mounted axon, `{runtime_id, reason?}`. */
export const RuntimeEventType = {
  Running: EventType.RuntimeRunning,
  Suspended: EventType.RuntimeSuspended,
  Resumed: EventType.RuntimeResumed,
  Shutdown: EventType.RuntimeShutdown,
  Failed: EventType.RuntimeFailed,
  Updated: EventType.RuntimeUpdated,
  Hook: EventType.RuntimeHook,
} as const;
export type RuntimeEventType = (typeof RuntimeEventType)[keyof typeof RuntimeEventType];
export type { RuntimeEventPayload };

/** The `source` of runtime events; distinct from the brokers', so it never counts as a broker cursor. */
export const RUNTIME_EVENT_SOURCE = "runtime";

/**
 * Writes one runtime event into each mounted axon, in mount order. An axon that cannot take it
 * (deleted, store closing) is logged and skipped: the transition itself has already happened.
 */
export async function announce(
  link: AxonLink,
  axonIds: readonly string[],
  eventType: RuntimeEventType,
  payload: RuntimeEventPayload | RuntimeUpdatedPayload | RuntimeHookPayload,
  logger: RuntimeLogger,
): Promise<void> {
  const body = JSON.stringify(payload);
  for (const axonId of axonIds) {
    try {
      await link.publish(axonId, {
        origin: Origin.System,
        source: RUNTIME_EVENT_SOURCE,
        eventType,
        payload: body,
      });
    } catch (error) {
      logger.warn(
        { err: error, axonId, eventType, runtimeId: payload.runtime_id },
        "runtime event not published",
      );
    }
  }
}

/**
 * Writes a pending `runtime.updated` with its idempotency key, so writing it again after a crash
 * appends nothing. Unlike `announce`, a failure throws (the update stays pending and is written by
 * the next attempt); only a deleted axon, which will never take it, is skipped.
 */
export async function publishPendingUpdate(
  link: AxonLink,
  pending: PendingUpdate,
  logger: RuntimeLogger,
): Promise<void> {
  const { payload } = pending;
  try {
    await link.publish(
      payload.axon_id,
      {
        origin: Origin.System,
        source: RUNTIME_EVENT_SOURCE,
        eventType: EventType.RuntimeUpdated,
        payload: JSON.stringify(payload),
      },
      { idempotencyKey: pending.key },
    );
  } catch (error) {
    if (!(error instanceof AxonNotFoundError)) throw error;
    logger.warn(
      { err: error, axonId: payload.axon_id, runtimeId: payload.runtime_id },
      "runtime.updated not published",
    );
  }
}
