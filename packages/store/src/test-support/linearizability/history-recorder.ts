/**
 * Records what clients of a `LogStore` saw, as a history `checkLinearizable` can judge. Time is a
 * counter bumped at every call and every response: all clients run in this one process, so if one
 * operation's response was seen before another was called, the first really finished before the
 * second began — the only real-time fact the check needs, with no wall clock involved.
 */

import { ExpectedHeadMismatchError } from "../../errors.js";
import type { AppendOptions, EventInput, LogStore, ReadOptions, StoredEvent } from "../../log-store.js";
import type { AxonLogOperation } from "./axon-log-model.js";
import type { TimedOperation } from "./check-linearizable.js";

export interface RecordedOperation extends TimedOperation<AxonLogOperation> {
  readonly axonId: string;
  /** Which client (store instance, node) ran it; for failure messages. */
  readonly client: string;
}

export class HistoryRecorder {
  private now = 0;
  private readonly operations: RecordedOperation[] = [];

  /** `eventId` names an event in reads; by default its payload, so payloads must be unique. */
  constructor(private readonly eventId: (event: EventInput) => string = (e) => e.payload) {}

  /**
   * Appends through `store` and records it. A head mismatch is an answer; any other error
   * (timeout, failed store) is recorded as no answer — it may have landed — and rethrown.
   */
  async append(
    client: string,
    store: LogStore,
    axonId: string,
    events: readonly EventInput[],
    options: AppendOptions = {},
  ): Promise<void> {
    const call = ++this.now;
    const input = {
      kind: "append" as const,
      events: events.map(this.eventId),
      ...(options.expectedHead === undefined ? {} : { expectedHead: options.expectedHead }),
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    };
    try {
      const result = await store.append(axonId, events, options);
      const outcome = {
        kind: "appended" as const,
        firstSequence: result.firstSequence,
        lastSequence: result.lastSequence,
        duplicate: result.duplicate,
      };
      this.operations.push({ axonId, client, call, ret: ++this.now, op: { ...input, outcome } });
    } catch (error) {
      if (error instanceof ExpectedHeadMismatchError) {
        const outcome = { kind: "head_mismatch" as const, currentHead: error.currentHead };
        this.operations.push({ axonId, client, call, ret: ++this.now, op: { ...input, outcome } });
        return;
      }
      this.operations.push({
        axonId,
        client,
        call,
        ret: undefined,
        op: { ...input, outcome: { kind: "unknown" } },
      });
      throw error;
    }
  }

  /** Reads and records; a failed read changed nothing, so it is left out of the history. */
  async read(client: string, store: LogStore, axonId: string, options: ReadOptions): Promise<StoredEvent[]> {
    if (options.maxBytes !== undefined) throw new Error("the axon log model has no byte budget");
    const call = ++this.now;
    const events = await store.read(axonId, options);
    const ret = ++this.now;
    this.operations.push({
      axonId,
      client,
      call,
      ret,
      op: {
        kind: "read",
        afterSequence: options.afterSequence,
        limit: options.limit,
        ...(options.descending ? { descending: true } : {}),
        events: events.map((e) => ({ sequence: e.sequence, id: this.eventId(e) })),
      },
    });
    return events;
  }

  /** `getAxon(axonId).headSequence`, recorded. */
  async head(client: string, store: LogStore, axonId: string): Promise<number> {
    const call = ++this.now;
    const axon = await store.getAxon(axonId);
    if (!axon) throw new Error(`axon ${axonId} not found`);
    this.operations.push({
      axonId,
      client,
      call,
      ret: ++this.now,
      op: { kind: "head", head: axon.headSequence },
    });
    return axon.headSequence;
  }

  /** The operations on one axon (axons are independent, so each is checked alone). */
  history(axonId: string): RecordedOperation[] {
    return this.operations.filter((o) => o.axonId === axonId);
  }
}
