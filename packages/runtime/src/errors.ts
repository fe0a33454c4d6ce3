/** No runtime has this id. */
export class RuntimeNotFoundError extends Error {
  constructor(readonly runtimeId: string) {
    super(`runtime ${runtimeId} not found; list runtimes with ListRuntimes`);
    this.name = "RuntimeNotFoundError";
  }
}

/** The request itself is wrong (a client mistake): bad mounts, unknown protocol, missing binary. */
export class InvalidRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidRuntimeError";
  }
}

/** The runtime (or an axon) is in a state that forbids the operation, e.g. suspending a shut-down runtime. */
export class RuntimeStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuntimeStateError";
  }
}

/** The manager is closing or closed (the server is shutting down). */
export class RuntimeManagerClosedError extends Error {
  constructor() {
    super("the runtime manager is shutting down");
    this.name = "RuntimeManagerClosedError";
  }
}

/**
 * The server cannot give the runtime what it asks for: a sandbox where none is available, or
 * network settings on a server without a gateway. FAILED_PRECONDITION on the wire.
 */
export class RuntimePreconditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuntimePreconditionError";
  }
}
