/**
 * Runtime leases: which node hosts a runtime when several axond nodes share one cluster. A lease
 * is one key in a store with revision-checked writes (create-if-absent, update-if-revision); the
 * revision of the holder's last write is its fencing token.
 *
 * Safety rests on two local clocks, never on comparing them: the holder trusts its lease until
 * `ttl - safety` after it *sent* its last successful write; any other node takes over only after it
 * has watched the same revision unchanged for a full `ttl` since it *first saw* it (which is after
 * that write landed). With clock rates off by at most ρ, `safety ≥ 2ρ·ttl` keeps the two windows
 * apart (property-tested in decide-lease.test.ts).
 */

export interface LeaseTiming {
  /** How long a lease lasts without renewal (also the bucket's max age). */
  readonly ttlMs: number;
  /** The holder renews once this much has passed since its last write: well inside the ttl. */
  readonly renewEveryMs: number;
  /** The holder stops trusting its lease this long before the ttl runs out (clock drift, pauses). */
  readonly safetyMs: number;
}

/** The usual split of a ttl: renew every third, stop trusting it in the last fifth. */
export function leaseTiming(ttlMs: number): LeaseTiming {
  return { ttlMs, renewEveryMs: Math.floor(ttlMs / 3), safetyMs: Math.floor(ttlMs / 5) };
}

/** What one node knows of one runtime's lease. */
export interface LeaseState {
  /** The lease as last read from the store; undefined: absent (never taken, released or expired). */
  readonly seen?: {
    readonly holder: string;
    readonly revision: number;
    /** This node's clock when it first saw this revision. */
    readonly sinceMs: number;
  };
  /** This node's hold: the revision its last successful write got, and its clock when it sent that write. */
  readonly held?: { readonly revision: number; readonly sentAtMs: number };
  /** The node is shutting down: hand the lease back, take no new one. */
  readonly stopping?: boolean;
}

export type LeaseDecision =
  /** Write a lease naming this node: create it (expectRevision 0) or replace that stale revision. */
  | { readonly kind: "acquire"; readonly expectRevision: number }
  /** Rewrite this node's lease, only if it is still at that revision. */
  | { readonly kind: "renew"; readonly revision: number }
  /** Nothing to write now: another node holds it, or this node's renewal is not due. */
  | { readonly kind: "keep-waiting" }
  /** Delete this node's lease (only at that revision) so another node takes over at once. */
  | { readonly kind: "release"; readonly revision: number }
  /** This node can no longer trust its lease: stop hosting the runtime before anything else. */
  | { readonly kind: "lost" };

export function decideLease(state: LeaseState, nowMs: number, timing: LeaseTiming): LeaseDecision {
  const { held, seen } = state;
  if (held) {
    if (!holdsLease(state, nowMs, timing)) return { kind: "lost" };
    if (state.stopping) return { kind: "release", revision: held.revision };
    if (nowMs - held.sentAtMs >= timing.renewEveryMs) return { kind: "renew", revision: held.revision };
    return { kind: "keep-waiting" };
  }
  if (state.stopping) return { kind: "keep-waiting" };
  if (!seen) return { kind: "acquire", expectRevision: 0 };
  // A lease naming this node that it does not hold (a write whose answer was lost, a restart) is
  // treated like anyone else's: the process that wrote it may still be acting on it.
  if (nowMs - seen.sinceMs >= timing.ttlMs) return { kind: "acquire", expectRevision: seen.revision };
  return { kind: "keep-waiting" };
}

/** Whether this node may still act as the runtime's host: the fence every write of the runtime passes. */
export function holdsLease(state: LeaseState, nowMs: number, timing: LeaseTiming): boolean {
  return state.held !== undefined && nowMs - state.held.sentAtMs < timing.ttlMs - timing.safetyMs;
}
