import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import {
  type AppendError,
  type AppendRequestSchema,
  type AxonService,
  type EventInputSchema,
  ExpectedHeadMismatchSchema,
  PayloadTooLargeSchema,
} from "@openaxon/protocol";
import { toSafeNumber } from "./convert.js";
import { encodable, preEncodedAppendRequest } from "./event-input-wire.js";
import { RequestQueue } from "./request-queue.js";
import type { Timers } from "./timers.js";
import type { PublishResult } from "./types.js";

type WireEvent = MessageInitShape<typeof EventInputSchema> & {
  payload: string;
  source: string;
  eventType: string;
};
type AppendRequestInit = MessageInitShape<typeof AppendRequestSchema>;

export interface ProducerOptions {
  /** How long a publish waits for others to share its batch. Default 0: until the next macrotask. */
  readonly lingerMs?: number;
  /** A batch is sent as soon as it holds this many events. Default 1000 (the server's maximum). */
  readonly maxBatchEvents?: number;
  /** …or this many payload bytes (UTF-16 units). Default 1 MiB. */
  readonly maxBatchBytes?: number;
  /** Batches wait in the client while this many bytes are sent but unacknowledged. Default 8 MiB. */
  readonly maxUnackedBytes?: number;
  /** An idle session is closed after this long, so it never keeps a process alive. Default 100 ms. */
  readonly idleCloseMs?: number;
}

interface Caller {
  readonly event: WireEvent;
  readonly resolve: (result: PublishResult) => void;
  readonly reject: (error: unknown) => void;
}

interface Batch {
  readonly axonId: string;
  readonly callers: Caller[];
  /** Alone-batches carry the caller's own expected_head / idempotency key. */
  readonly expectedHead?: bigint | undefined;
  readonly idempotencyKey: string;
  bytes: number;
  /** The transport has taken it: from then on its outcome is unknown until acknowledged. */
  taken: boolean;
  attempts: number;
}

interface Session {
  readonly requests: RequestQueue<{ batch: Batch; request: AppendRequestInit }, AppendRequestInit>;
  readonly inFlight: Batch[];
  unackedBytes: number;
}

/** Codes of error acks that guarantee the batch wrote nothing (the server validated it first). */
const VALIDATION_CODES = new Set<Code>([Code.InvalidArgument, Code.PermissionDenied, Code.ResourceExhausted]);
/** A batch with an idempotency key is resent on a new session at most this often. */
const MAX_ATTEMPTS = 3;

/**
 * Coalesces concurrent `publish()` calls into batches on one Append session. Each caller gets its
 * own sequence (its place in the batch) and its own error.
 *
 * Rules that keep publish semantics exact:
 * - A call with `expectedHead` or `idempotencyKey` is sent alone, as its own batch, after what
 *   was queued before it for that axon.
 * - A coalesced batch rejected by validation (INVALID_ARGUMENT, PERMISSION_DENIED,
 *   RESOURCE_EXHAUSTED) wrote nothing, so each of its events is resent alone: only the bad one fails.
 * - When the session dies, batches the transport never took are sent on a new session; a taken but
 *   unacknowledged batch is resent only if it has an idempotency key (a retry then cannot duplicate
 *   it). Every other caller gets UNAVAILABLE saying the event may or may not have been written.
 */
export class AppendProducer {
  readonly #open = new Map<string, Batch>();
  readonly #queue: Batch[] = [];
  #session: Session | undefined;
  #nextBatchId = 1n;
  #lingerTimer: { cancel(): void } | undefined;
  #idleTimer: { cancel(): void } | undefined;
  readonly #lingerMs: number;
  readonly #maxBatchEvents: number;
  readonly #maxBatchBytes: number;
  readonly #maxUnackedBytes: number;
  readonly #idleCloseMs: number;

  /**
   * `preEncode`: send each batch's events pre-encoded (event-input-wire.ts). Only with a binary
   * codec: a JSON transport would drop them.
   */
  constructor(
    private readonly rpc: Client<typeof AxonService>,
    private readonly timers: Timers,
    options: ProducerOptions = {},
    private readonly preEncode = false,
  ) {
    this.#lingerMs = options.lingerMs ?? 0;
    this.#maxBatchEvents = options.maxBatchEvents ?? 1000;
    this.#maxBatchBytes = options.maxBatchBytes ?? 1024 * 1024;
    this.#maxUnackedBytes = options.maxUnackedBytes ?? 8 * 1024 * 1024;
    this.#idleCloseMs = options.idleCloseMs ?? 100;
  }

  publish(
    axonId: string,
    event: WireEvent,
    alone: { expectedHead?: bigint | undefined; idempotencyKey: string },
  ): Promise<PublishResult> {
    return new Promise<PublishResult>((resolve, reject) => {
      const caller: Caller = { event, resolve, reject };
      if (alone.expectedHead !== undefined || alone.idempotencyKey !== "") {
        this.#close(axonId);
        this.#queue.push(newBatch(axonId, [caller], alone.expectedHead, alone.idempotencyKey));
        this.#pump();
        return;
      }
      let batch = this.#open.get(axonId);
      if (!batch) {
        batch = newBatch(axonId, [], undefined, "");
        this.#open.set(axonId, batch);
      }
      batch.callers.push(caller);
      batch.bytes += eventBytes(event);
      if (batch.callers.length >= this.#maxBatchEvents || batch.bytes >= this.#maxBatchBytes) {
        this.#close(axonId);
        this.#pump();
      } else {
        this.#lingerTimer ??= lingerTimer(this.#lingerMs, () => {
          this.#lingerTimer = undefined;
          for (const id of [...this.#open.keys()]) this.#close(id);
          this.#pump();
        });
      }
    });
  }

  /** Moves the axon's coalescing batch to the send queue. */
  #close(axonId: string): void {
    const batch = this.#open.get(axonId);
    if (!batch) return;
    this.#open.delete(axonId);
    this.#queue.push(batch);
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const session = this.#session ?? this.#openSession();
      if (session.inFlight.length > 0 && session.unackedBytes >= this.#maxUnackedBytes) return;
      const batch = this.#queue.shift()!;
      batch.attempts++;
      const fields = {
        batchId: this.#nextBatchId++,
        axonId: batch.axonId,
        events: batch.callers.map((c) => c.event),
        expectedHead: batch.expectedHead,
        idempotencyKey: batch.idempotencyKey,
      };
      // Events the hand encoder cannot write exactly (a JS caller's non-string field) go through
      // protobuf-es, whose message init and the server's validation answer them as before.
      const request =
        this.preEncode && fields.events.every(encodable) ? preEncodedAppendRequest(fields) : fields;
      // In flight only once its request exists: responses are matched to batches by position.
      session.inFlight.push(batch);
      session.unackedBytes += batch.bytes;
      session.requests.push({ batch, request });
    }
    this.#scheduleIdleClose();
  }

  #openSession(): Session {
    this.#idleTimer?.cancel();
    this.#idleTimer = undefined;
    const session: Session = {
      requests: new RequestQueue(({ batch, request }) => {
        batch.taken = true;
        return request;
      }),
      inFlight: [],
      unackedBytes: 0,
    };
    this.#session = session;
    void this.#run(session);
    return session;
  }

  async #run(session: Session): Promise<void> {
    let failure: ConnectError | undefined;
    try {
      for await (const response of this.rpc.append(session.requests)) {
        const batch = session.inFlight.shift();
        if (!batch) throw new ConnectError("append session: a response without a batch", Code.Internal);
        session.unackedBytes -= batch.bytes;
        if (response.result.case === "ack") settleAck(batch, response.result.value);
        else if (response.result.case === "error") this.#settleRejection(batch, response.result.value);
        this.#pump();
      }
    } catch (error) {
      failure = ConnectError.from(error);
    }
    if (this.#session === session) this.#session = undefined;
    session.requests.end();
    this.#recover(session, failure);
  }

  /** The session is over: resend what is safe to resend, fail the rest. */
  #recover(session: Session, failure: ConnectError | undefined): void {
    const resend: Batch[] = [];
    for (const batch of session.inFlight) {
      const safe = !batch.taken || (batch.idempotencyKey !== "" && batch.attempts < MAX_ATTEMPTS);
      if (safe) {
        batch.taken = false;
        resend.push(batch);
        continue;
      }
      const reason = failure ? `${Code[failure.code]}: ${failure.rawMessage}` : "the server ended it";
      const error = new ConnectError(
        `the append session ended before this event was acknowledged (${reason}); it may or may not have been written — publish with an idempotencyKey to make retrying safe`,
        Code.Unavailable,
        undefined,
        undefined,
        failure,
      );
      for (const caller of batch.callers) caller.reject(error);
    }
    this.#queue.unshift(...resend);
    if (this.#queue.length > 0) this.#pump();
  }

  #settleRejection(batch: Batch, error: AppendError): void {
    if (batch.callers.length > 1 && VALIDATION_CODES.has(error.code)) {
      // Nothing was written: send each event alone so only the offending caller fails.
      this.#queue.unshift(...batch.callers.map((c) => newBatch(batch.axonId, [c], undefined, "")));
      return;
    }
    const details = [
      ...(error.expectedHeadMismatch
        ? [{ desc: ExpectedHeadMismatchSchema, value: error.expectedHeadMismatch }]
        : []),
      ...(error.payloadTooLarge ? [{ desc: PayloadTooLargeSchema, value: error.payloadTooLarge }] : []),
    ];
    // A publish sent alone gets the unary Publish message, without the batch's "events[0]." path.
    const message = batch.callers.length === 1 ? error.message.replace(/^events\[0\]\./, "") : error.message;
    const connectError = new ConnectError(message, error.code as Code, undefined, details);
    for (const caller of batch.callers) caller.reject(connectError);
  }

  #scheduleIdleClose(): void {
    const session = this.#session;
    if (!session || session.inFlight.length > 0 || this.#queue.length > 0 || this.#open.size > 0) return;
    this.#idleTimer?.cancel();
    this.#idleTimer = this.timers.setTimer(this.#idleCloseMs, () => {
      this.#idleTimer = undefined;
      if (this.#session === session && session.inFlight.length === 0 && this.#queue.length === 0) {
        this.#session = undefined;
        session.requests.end();
      }
    });
  }
}

/**
 * The linger wait holds a caller's publish, so unlike the SDK's other timers it must keep the
 * process alive (an unref'd timer could let a script exit with the event never sent).
 */
function lingerTimer(delayMs: number, fn: () => void): { cancel(): void } {
  if (delayMs <= 0 && typeof setImmediate === "function") {
    const handle = setImmediate(fn);
    return { cancel: () => clearImmediate(handle) };
  }
  const handle = setTimeout(fn, delayMs);
  return { cancel: () => clearTimeout(handle) };
}

function newBatch(
  axonId: string,
  callers: Caller[],
  expectedHead: bigint | undefined,
  idempotencyKey: string,
): Batch {
  return {
    axonId,
    callers,
    expectedHead,
    idempotencyKey,
    bytes: callers.reduce((sum, c) => sum + eventBytes(c.event), 0),
    taken: false,
    attempts: 0,
  };
}

/** Tolerates a JS caller's missing or non-string field: the server's validation will name it. */
function eventBytes(event: WireEvent): number {
  return lengthOf(event.payload) + lengthOf(event.source) + lengthOf(event.eventType) + 32;
}

const lengthOf = (value: unknown) => (typeof value === "string" ? value.length : 0);

function settleAck(
  batch: Batch,
  ack: { firstSequence: bigint; lastSequence: bigint; timestampMs: bigint; duplicate: boolean },
): void {
  const first = toSafeNumber(ack.firstSequence, "first_sequence");
  const timestampMs = toSafeNumber(ack.timestampMs, "timestamp_ms");
  batch.callers.forEach((caller, i) => {
    caller.resolve({ sequence: first + i, timestampMs, duplicate: ack.duplicate });
  });
}
