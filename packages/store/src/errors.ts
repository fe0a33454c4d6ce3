/** Base class so callers can tell store errors from bugs. */
export class StoreError extends Error {
  override name = "StoreError";
}

export class AxonNotFoundError extends StoreError {
  override name = "AxonNotFoundError";
  constructor(readonly axonId: string) {
    super(`axon ${axonId} not found`);
  }
}

export class ExpectedHeadMismatchError extends StoreError {
  override name = "ExpectedHeadMismatchError";
  constructor(
    readonly axonId: string,
    readonly expectedHead: number,
    readonly currentHead: number,
  ) {
    super(`expected head ${expectedHead} but axon ${axonId} is at ${currentHead}`);
  }
}

/** A read asked for events retention has trimmed: they are gone, and nothing is served in their place. */
export class EventsTrimmedError extends StoreError {
  override name = "EventsTrimmedError";
  constructor(
    readonly axonId: string,
    /** The oldest sequence still available. */
    readonly firstSequence: number,
    readonly headSequence: number,
    /** The first sequence the read needed. */
    readonly requestedSequence: number,
  ) {
    super(
      `events of axon ${axonId} before ${firstSequence} were trimmed by its retention (asked for ${requestedSequence})`,
    );
  }
}

/** An append would take the axon over the store's per-axon size cap; nothing was written. */
export class AxonFullError extends StoreError {
  override name = "AxonFullError";
  constructor(
    readonly axonId: string,
    readonly sizeBytes: number,
    readonly incomingBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `axon ${axonId} holds ${sizeBytes} bytes; ${incomingBytes} more would exceed the per-axon cap of ${limitBytes}`,
    );
  }
}

/** The store cannot enforce the retention asked for (e.g. a backend that has no per-axon limits). */
export class RetentionUnsupportedError extends StoreError {
  override name = "RetentionUnsupportedError";
}

/** The store saw a write error and refuses further appends until reopened: sequences stay gap-free. */
export class StoreFailedError extends StoreError {
  override name = "StoreFailedError";
  constructor(
    override readonly cause: unknown,
    /** What failed, for the message; the embedded store's default says a reopen is needed. */
    what = "store failed after a write error and must be reopened",
  ) {
    super(`${what}: ${String((cause as Error)?.message ?? cause)}`);
  }
}

export class StoreClosedError extends StoreError {
  override name = "StoreClosedError";
  constructor() {
    super("store is closed");
  }
}

/**
 * Stored data failed a check (chunk checksum, gap or overlap in an axon's sequences, a head below
 * its recorded high-water mark). Never served as if it were fine: the server answers DATA_LOSS.
 */
export class StoreCorruptionError extends StoreError {
  override name = "StoreCorruptionError";
  constructor(
    /** Undefined when the damage is not in one axon (e.g. the store as a whole lost writes). */
    readonly axonId: string | undefined,
    /** The sequence range affected, inclusive, when known. */
    readonly fromSequence: number | undefined,
    readonly toSequence: number | undefined,
    readonly detail: string,
  ) {
    super(
      axonId === undefined
        ? `store is damaged: ${detail}`
        : `axon ${axonId} is damaged${fromSequence === undefined ? "" : ` at sequences ${fromSequence}..${toSequence}`}: ${detail}`,
    );
  }
}

/** The data dir holds a store that cannot be opened safely (missing CURRENT, lost writes, ...). */
export class StoreRefusedError extends StoreError {
  override name = "StoreRefusedError";
}
