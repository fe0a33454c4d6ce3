import { Code, ConnectError, createRouterTransport, type Transport } from "@connectrpc/connect";
import { AxonService, Origin } from "@openaxon/protocol";

/** How one Subscribe call of the fake behaves; scripts are used up one call at a time. */
export interface SubscribeScript {
  /** Fail with `error` once this many events were sent on this stream. */
  readonly failAfterEvents?: number;
  /** Default: UNAVAILABLE. */
  readonly error?: ConnectError;
  /** Replay from here instead of the requested after_sequence (a misbehaving server). */
  readonly replayFrom?: number;
  /** End the stream cleanly right after caught_up. */
  readonly endAfterCaughtUp?: boolean;
}

export interface SubscribeCall {
  readonly afterSequence: number;
  readonly authorization: string | null;
}

/**
 * An in-memory AxonService for the client's unit tests: just enough of Subscribe and ListEvents
 * to script failures at exact points, which a real server cannot be asked to do.
 */
export class FakeAxonService {
  readonly axonId = "axn_fake";
  readonly subscribeCalls: SubscribeCall[] = [];
  readonly scripts: SubscribeScript[] = [];
  /** Streams currently open on the server side. */
  openStreams = 0;
  private sequence = 0;
  private readonly events: { sequence: bigint; payload: string }[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(readonly batchSize = 2) {}

  append(count: number): void {
    for (let i = 0; i < count; i++) {
      this.sequence++;
      this.events.push({ sequence: BigInt(this.sequence), payload: JSON.stringify({ n: this.sequence }) });
    }
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  transport(): Transport {
    return createRouterTransport(({ service }) => {
      service(AxonService, {
        subscribe: (request, context) =>
          this.subscribe(
            Number(request.afterSequence),
            context.requestHeader.get("authorization"),
            context.signal,
          ),
        getAxon: (request) => {
          if (request.id !== this.axonId)
            throw new ConnectError(`axon ${request.id} not found`, Code.NotFound);
          return { axon: { id: this.axonId, headSequence: BigInt(this.sequence) } };
        },
      });
    });
  }

  private async *subscribe(afterSequence: number, authorization: string | null, signal: AbortSignal) {
    this.subscribeCalls.push({ afterSequence, authorization });
    const script = this.scripts.shift() ?? {};
    const fail = () => script.error ?? new ConnectError("connection dropped", Code.Unavailable);
    if (script.failAfterEvents === 0) throw fail();
    let open = true;
    const release = () => {
      if (open) this.openStreams--;
      open = false;
    };
    // Counted closed once the client aborts the call, even while this generator sits at a yield.
    signal.addEventListener("abort", release, { once: true });
    this.openStreams++;
    try {
      let cursor = script.replayFrom ?? afterSequence;
      let sent = 0;
      let caughtUp = false;
      for (;;) {
        const pending = this.events.filter((event) => Number(event.sequence) > cursor);
        if (pending.length === 0) {
          if (caughtUp) {
            await this.nextAppend(signal);
            continue;
          }
          caughtUp = true;
          yield { kind: { case: "caughtUp" as const, value: { headSequence: BigInt(this.sequence) } } };
          if (script.endAfterCaughtUp) return;
          continue;
        }
        let batch = pending.slice(0, this.batchSize);
        const limit = script.failAfterEvents;
        const failing = limit !== undefined && sent + batch.length >= limit;
        if (failing) batch = batch.slice(0, limit - sent);
        if (batch.length > 0) {
          yield { kind: { case: "events" as const, value: { events: batch.map((e) => this.toEvent(e)) } } };
        }
        sent += batch.length;
        cursor = Number(batch.at(-1)?.sequence ?? cursor);
        if (failing) throw fail();
      }
    } finally {
      release();
    }
  }

  private nextAppend(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const wake = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiters.delete(wake);
        reject(signal.reason);
      };
      this.waiters.add(wake);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  private toEvent(event: { sequence: bigint; payload: string }) {
    return {
      sequence: event.sequence,
      axonId: this.axonId,
      timestampMs: 1_700_000_000_000n + event.sequence,
      origin: Origin.USER_EVENT,
      source: "fake",
      eventType: "test.event",
      payload: event.payload,
    };
  }
}
