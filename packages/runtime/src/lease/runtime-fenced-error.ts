import { RuntimeStateError } from "../errors.js";

/**
 * A write of a runtime this node no longer holds the lease for (it expired or another node took it
 * over): refused so that two nodes never drive one runtime. FAILED_PRECONDITION on the wire.
 */
export class RuntimeFencedError extends RuntimeStateError {
  constructor(runtimeId: string) {
    super(
      `runtime ${runtimeId} is no longer hosted by this node: its lease expired or another node took it over; ` +
        "the write was refused (ask the node that holds it now)",
    );
    this.name = "RuntimeFencedError";
  }
}
