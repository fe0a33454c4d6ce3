import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { AxonService, type Event as ProtoEvent } from "@openaxon/protocol";
import type { Checker, EventShape } from "./checker.js";
import type { CoverageCounts } from "./coverage.js";
import { trimmedAnswerProblem, trimmedBy } from "./served.js";
import type { SimNetwork } from "./sim-network.js";

/** What the clients need from the world around them. */
export interface ClientContext {
  readonly net: SimNetwork;
  readonly checker: Checker;
  readonly coverage: CoverageCounts;
  trace(line: string): void;
  nameOf(axonId: string): string;
}

export type PublishState = "sent" | "acked" | "refused" | "unknown";

/** One logical publish by a client, across its retries. */
export interface PublishRecord {
  readonly id: string;
  readonly axonId: string;
  readonly events: readonly EventShape[];
  readonly idempotencyKey: string | undefined;
  readonly expectedHead: number | undefined;
  state: PublishState;
  attempts: number;
  sequence?: number;
}

/**
 * The publishing client: sends Publish / PublishBatch over the simulated network and keeps what it
 * learned. An UNAVAILABLE answer leaves the outcome unknown (the server may have appended before
 * it died); only publishes with an idempotency key are retried.
 */
export class Publisher {
  readonly records: PublishRecord[] = [];
  private readonly client: Client<typeof AxonService>;
  /** Highest sequence this client has seen acknowledged, per axon (its idea of the head). */
  private readonly known = new Map<string, number>();

  constructor(
    private readonly ctx: ClientContext,
    readonly name = "pub",
  ) {
    this.client = createClient(AxonService, ctx.net.transportFor(name));
  }

  knownHead(axonId: string): number {
    return this.known.get(axonId) ?? 0;
  }

  publish(record: PublishRecord): void {
    this.records.push(record);
    this.send(record);
  }

  /** Retries a publish whose outcome is unknown, with the same key and events. */
  retry(record: PublishRecord): void {
    record.state = "sent";
    this.send(record);
  }

  /** Publishes whose outcome is unknown and that carry an idempotency key. */
  retryable(): PublishRecord[] {
    return this.records.filter((r) => r.state === "unknown" && r.idempotencyKey !== undefined);
  }

  get outstanding(): number {
    return this.records.filter((r) => r.state === "sent").length;
  }

  private send(record: PublishRecord): void {
    record.attempts++;
    const { ctx } = this;
    const name = ctx.nameOf(record.axonId);
    const retry = record.attempts > 1 ? ` retry#${record.attempts - 1}` : "";
    ctx.trace(
      `publish ${record.id}${retry} axon=${name} ${record.events.map((e) => e.eventType).join("+")}` +
        `${record.idempotencyKey ? ` key=${record.idempotencyKey}` : ""}` +
        `${record.expectedHead !== undefined ? ` expected_head=${record.expectedHead}` : ""}`,
    );
    const options = {
      axonId: record.axonId,
      idempotencyKey: record.idempotencyKey ?? "",
      ...(record.expectedHead !== undefined && { expectedHead: BigInt(record.expectedHead) }),
    };
    const sent =
      record.events.length === 1
        ? this.client.publish({ ...options, ...record.events[0]! }).then((r) => ({
            first: Number(r.sequence),
            duplicate: r.duplicate,
          }))
        : this.client
            .publishBatch({ ...options, events: [...record.events] })
            .then((r) => ({ first: Number(r.firstSequence), duplicate: r.duplicate }));
    sent.then(
      ({ first, duplicate }) => {
        record.state = "acked";
        record.sequence = first;
        const last = first + record.events.length - 1;
        this.known.set(record.axonId, Math.max(this.knownHead(record.axonId), last));
        ctx.trace(
          `ack ${record.id} axon=${name} seq=${first}${last > first ? `..${last}` : ""}${duplicate ? " duplicate" : ""}`,
        );
        if (duplicate && record.attempts > 1) ctx.coverage.duplicateRetry++;
        ctx.checker.onAck(
          `publish ${record.id}`,
          record.axonId,
          first,
          record.events,
          duplicate ? undefined : record.expectedHead,
        );
      },
      (error: unknown) => {
        const code = ConnectError.from(error).code;
        if (code === Code.Unavailable) {
          record.state = "unknown";
          ctx.coverage.unknownOutcome++;
          ctx.trace(`unknown ${record.id} (UNAVAILABLE)`);
        } else if (code === Code.FailedPrecondition && record.expectedHead !== undefined) {
          record.state = "refused";
          ctx.coverage.expectedHeadMismatch++;
          ctx.trace(`refused ${record.id} (expected_head ${record.expectedHead} is stale)`);
        } else {
          record.state = "refused";
          ctx.checker.fail(
            12,
            `publish ${record.id} failed with ${Code[code]}: ${ConnectError.from(error).rawMessage}`,
          );
        }
      },
    );
  }
}

/**
 * A subscriber: follows one axon from a chosen sequence, checks every delivery as it arrives
 * (contiguous from where it resumed, exactly what the disk holds) and, when its stream is cut,
 * waits to be told to reconnect with the last sequence it saw.
 */
/** What a subscriber asks the server to filter on (Subscribe's event_types / origins). */
export interface SubscribeFilter {
  readonly eventTypes: readonly string[];
  readonly origins: readonly number[];
}

export class Subscriber {
  /** The cursor it resumes from: the last sequence it received (or its starting point). */
  last: number;
  /** The highest sequence actually delivered (0 before the first). */
  lastDelivered = 0;
  connected = false;
  /** Frames a disconnect dropped on the wire since the last (re)connect. */
  lostOnWire = 0;
  /** Streams opened so far (1 = the first; later ones are resumptions). */
  connects = 0;
  /** The durable trim line, applied, when the current stream was opened. */
  private lineAtConnect = 1;
  private readonly client: Client<typeof AxonService>;
  private abort: AbortController | undefined;

  constructor(
    private readonly ctx: ClientContext,
    readonly name: string,
    readonly axonId: string,
    readonly from: number,
    readonly filter?: SubscribeFilter,
  ) {
    this.last = from;
    this.client = createClient(AxonService, ctx.net.transportFor(name));
  }

  connect(): void {
    if (this.connected) return;
    const { ctx } = this;
    if (this.lostOnWire > 0) ctx.coverage.reconnectRacingDelivery++;
    this.lostOnWire = 0;
    this.connected = true;
    this.connects++;
    this.lineAtConnect = ctx.checker.firstSettled(this.axonId);
    this.abort = new AbortController();
    const filtered = this.filter
      ? ` filter=${[...this.filter.eventTypes, ...this.filter.origins.map((o) => `origin:${o}`)].join("+")}`
      : "";
    ctx.trace(`subscribe ${this.name} axon=${ctx.nameOf(this.axonId)} after=${this.last}${filtered}`);
    void this.consume(
      this.client.subscribe(
        {
          axonId: this.axonId,
          afterSequence: BigInt(this.last),
          eventTypes: [...(this.filter?.eventTypes ?? [])],
          origins: [...(this.filter?.origins ?? [])],
        },
        { signal: this.abort.signal },
      ),
    );
  }

  /** Whether an event passes this subscriber's filter. */
  wants(event: { eventType: string; origin: number }): boolean {
    const f = this.filter;
    if (!f) return true;
    return (
      (f.eventTypes.length === 0 || f.eventTypes.includes(event.eventType)) &&
      (f.origins.length === 0 || f.origins.includes(event.origin))
    );
  }

  /** The durable events it has yet to receive (for liveness). */
  missing(durable: readonly { sequence: number; eventType: string; origin: number }[]): number {
    return durable.filter((e) => e.sequence > this.last && this.wants(e)).length;
  }

  /** Cuts the stream (a network disconnect); false if it was not connected. */
  disconnect(): boolean {
    if (!this.connected) return false;
    return this.ctx.net.cutClient(this.name) > 0;
  }

  private async consume(
    frames: AsyncIterable<{ kind: { case: string | undefined; value?: unknown } }>,
  ): Promise<void> {
    const { ctx } = this;
    try {
      for await (const frame of frames) {
        const { kind } = frame;
        if (kind.case === "events") {
          for (const event of (kind.value as { events: ProtoEvent[] }).events) this.receive(event);
        } else if (kind.case === "caughtUp" || kind.case === "heartbeat") {
          this.checkHead(kind.case, Number((kind.value as { headSequence: bigint }).headSequence));
        } else if (kind.case === "fellBehind") {
          ctx.coverage.fellBehind++;
          const lastSequence = Number((kind.value as { lastSequence: bigint }).lastSequence);
          this.checkHead("fell_behind", Number((kind.value as { headSequence: bigint }).headSequence));
          // A filtered follower's cursor also moves past events it does not deliver.
          if (this.filter ? lastSequence < this.last : lastSequence !== this.last) {
            ctx.checker.fail(
              4,
              `${this.name} was told it fell behind at ${lastSequence}, but its last event was ${this.last}`,
            );
          }
        }
      }
      ctx.checker.fail(12, `${this.name}'s stream ended without an error`);
    } catch (error) {
      const e = ConnectError.from(error);
      const trimmed = trimmedBy(e);
      const line = ctx.checker.durableLog(this.axonId).first;
      if (trimmed) this.onTrimmed(trimmed.firstSequence, trimmed.requestedSequence);
      else if (e.code !== Code.Unavailable)
        // Below a durable trim line the stream must end OUT_OF_RANGE (15); elsewhere no error is expected.
        ctx.checker.fail(
          this.last + 1 < line ? 15 : 12,
          `${this.name}'s stream failed with ${Code[e.code]} after ${this.last} (trim line ${line}): ${e.rawMessage}`,
        );
    } finally {
      this.connected = false;
    }
  }

  /**
   * The stream ended OUT_OF_RANGE: events it needed were trimmed. A clean end, checked (invariant
   * 15/17: it needed a trimmed sequence, and the first available one is the durable line), after
   * which the subscriber knowingly resumes from the first available event, as the error says.
   */
  private onTrimmed(first: number, requested: number): void {
    const { ctx } = this;
    const name = ctx.nameOf(this.axonId);
    const problem =
      requested <= this.last
        ? `it names ${requested} as needed, but ${this.name} already has ${this.last}`
        : trimmedAnswerProblem(
            { firstSequence: first, requestedSequence: requested },
            { atSend: this.lineAtConnect, atArrival: ctx.checker.durableLog(this.axonId).first },
          );
    if (problem) {
      ctx.checker.fail(17, `${this.name} on axon=${name} was told its events were trimmed, but ${problem}`);
      return;
    }
    ctx.trace(
      `${this.name} told events of axon=${name} before ${first} were trimmed: resumes after ${first - 1}`,
    );
    ctx.coverage.subscriberTrimmed++;
    this.last = first - 1;
  }

  /** A head the server announces is durable and not behind what it already delivered. */
  private checkHead(what: string, head: number): void {
    const durable = this.ctx.checker.durableHead(this.axonId);
    if (head < this.lastDelivered || head > durable) {
      this.ctx.checker.fail(
        this.connects > 1 ? 5 : 4,
        `${this.name} got ${what} head=${head} after receiving ${this.lastDelivered}, with ${durable} durable`,
      );
    }
  }

  private receive(event: ProtoEvent): void {
    const sequence = Number(event.sequence);
    const { ctx } = this;
    const line = ctx.checker.durableLog(this.axonId).first;
    // after_sequence 0 replays from the first available sequence: the trim line when the stream
    // was opened, or a later one if retention moved it meanwhile.
    const fromStart = this.last === 0;
    const after = fromStart ? this.lineAtConnect - 1 : this.last;
    if (this.filter) {
      const next = ctx.checker.durable(this.axonId).find((e) => e.sequence > after && this.wants(e));
      // Trimmed since it was served (checked then): the disk no longer says what came next.
      const trimmedSince = sequence < line && sequence > after;
      if (!this.wants(event) || (next?.sequence !== sequence && !trimmedSince)) {
        ctx.checker.fail(
          this.connects > 1 ? 5 : 4,
          `filtered ${this.name} received seq ${sequence} (${event.eventType}) after ${after}; the next matching event is ${next?.sequence ?? "none"}`,
        );
      }
    } else if (
      fromStart ? sequence <= after || sequence > Math.max(line, after + 1) : sequence !== after + 1
    ) {
      const what = sequence <= after ? "a duplicate" : "a gap";
      ctx.checker.fail(
        this.connects > 1 ? 5 : 4,
        `${this.name} received seq ${sequence} after ${after} (${what}) on axon=${ctx.nameOf(this.axonId)}`,
      );
    }
    ctx.checker.onDeliver(this.name, this.axonId, {
      sequence,
      origin: event.origin,
      source: event.source,
      eventType: event.eventType,
      payload: event.payload,
    });
    this.last = Math.max(this.last, sequence);
    this.lastDelivered = Math.max(this.lastDelivered, sequence);
  }
}
