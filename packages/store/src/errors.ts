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

/** The store saw a write error and refuses further appends until reopened: sequences stay gap-free. */
export class StoreFailedError extends StoreError {
  override name = "StoreFailedError";
  constructor(override readonly cause: unknown) {
    super(
      `store failed after a write error and must be reopened: ${String((cause as Error)?.message ?? cause)}`,
    );
  }
}

export class StoreClosedError extends StoreError {
  override name = "StoreClosedError";
  constructor() {
    super("store is closed");
  }
}
