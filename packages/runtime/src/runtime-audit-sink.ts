import { logStoreAxonLink, Origin } from "@openaxon/broker";
import type { LogStore, RecordStore } from "@openaxon/store";
import { type RuntimeLogger, silentLogger } from "./runtime-logger.js";
import { RUNTIME_RECORD_KIND, type RuntimeRecord } from "./runtime-record.js";

/** Audit events from the gateway (`gateway.allowed` / `.denied` / `.suppressed`): `{runtime_id, …}`. */
export interface RuntimeAuditEvent {
  readonly eventType: string;
  readonly payload: { readonly runtime_id: string };
}

/** The `source` of gateway audit events in a runtime's axons. */
export const GATEWAY_EVENT_SOURCE = "gateway";

/**
 * Writes gateway audit events as SYSTEM events (source "gateway") into every axon of their
 * runtime, looked up in the runtime records of the store: the gateway needs only the store, not
 * a RuntimeManager, so it can be wired first. Events are written in the order they come; events
 * for unknown runtimes (a forged token) are dropped. The gateway guarantees payloads carry no secret.
 */
export class RuntimeAuditSink {
  private readonly link;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: LogStore & RecordStore,
    private readonly logger: RuntimeLogger = silentLogger,
  ) {
    this.link = logStoreAxonLink(store);
  }

  /** Never throws; a failed write is logged and given up. */
  publish(event: RuntimeAuditEvent): void {
    this.tail = this.tail.then(() => this.write(event));
  }

  /** Resolves once every event handed to `publish` so far is written (or given up). */
  published(): Promise<void> {
    return this.tail;
  }

  private async write(event: RuntimeAuditEvent): Promise<void> {
    const runtimeId = event.payload.runtime_id;
    const record = await this.store
      .getRecord<RuntimeRecord>(RUNTIME_RECORD_KIND, runtimeId)
      .catch((error: unknown) => {
        this.logger.warn({ err: error, runtimeId }, "gateway audit event not published");
        return undefined;
      });
    if (!record) return;
    const payload = JSON.stringify(event.payload);
    await Promise.all(
      record.mounts.map(({ axonId }) =>
        this.link
          .publish(axonId, {
            origin: Origin.System,
            source: GATEWAY_EVENT_SOURCE,
            eventType: event.eventType,
            payload,
          })
          .then(
            () => {},
            (error: unknown) =>
              this.logger.warn(
                { err: error, axonId, eventType: event.eventType, runtimeId },
                "gateway audit event not published",
              ),
          ),
      ),
    );
  }
}
