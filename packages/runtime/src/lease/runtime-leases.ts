import type { Clock, Timer } from "@openaxon/core";
import type { RuntimeLogger } from "../runtime-logger.js";
import {
  decideLease,
  holdsLease,
  type LeaseDecision,
  type LeaseState,
  type LeaseTiming,
} from "./decide-lease.js";
import type { LeaseStore } from "./lease-store.js";

export interface RuntimeLeasesOptions {
  readonly store: LeaseStore;
  /** This node's name in the leases it writes. */
  readonly nodeId: string;
  readonly clock: Clock;
  readonly timing: LeaseTiming;
  /** How often the loop looks at every lease. Default: a quarter of the ttl. */
  readonly pollMs?: number;
  /** The runtimes some node should host now (not shut down). */
  readonly candidates: () => Promise<readonly string[]>;
  /** This node just took the runtime's lease: host it. */
  readonly onAcquired: (runtimeId: string) => Promise<void>;
  /** This node can no longer trust the runtime's lease: stop hosting it (write nothing more). */
  readonly onLost: (runtimeId: string) => Promise<void>;
  readonly logger: RuntimeLogger;
}

/**
 * The lease loop of one node: every poll it reads all runtime leases, and per runtime does what
 * `decideLease` says — takes free or stale ones, renews its own, gives up ones it can no longer
 * trust, hands back ones whose runtime was shut down. `holds(id)` is the fence every write of a
 * hosted runtime checks. Runs on the injected clock; ticks never overlap.
 */
export class RuntimeLeases {
  private readonly states = new Map<string, LeaseState>();
  /** Runtimes being created here: leased before their record exists, so not yet candidates. */
  private readonly creating = new Set<string>();
  /** Per held lease, a timer at the instant it stops being trusted: fires even if a pass hangs. */
  private readonly expiries = new Map<string, Timer>();
  private timer: Timer | undefined;
  /** Runtimes with a lease write in flight: a pass leaves them alone until it answers. */
  private readonly busy = new Set<string>();
  private stopped = false;

  constructor(private readonly options: RuntimeLeasesOptions) {}

  get pollMs(): number {
    return this.options.pollMs ?? Math.max(50, Math.floor(this.options.timing.ttlMs / 4));
  }

  /** Runs the first pass now and schedules the next ones. */
  start(): Promise<void> {
    return this.pass();
  }

  /** Whether this node may act for the runtime now: its lease is held and still trusted. */
  holds(runtimeId: string): boolean {
    const state = this.states.get(runtimeId);
    return state !== undefined && holdsLease(state, this.options.clock.now(), this.options.timing);
  }

  /** The node whose lease this node last saw for the runtime, if any. */
  holderOf(runtimeId: string): string | undefined {
    return this.states.get(runtimeId)?.seen?.holder;
  }

  /** Takes the lease of a runtime being created here (before its record exists anywhere). */
  async acquireNew(runtimeId: string): Promise<boolean> {
    const sentAtMs = this.options.clock.now();
    this.creating.add(runtimeId);
    const revision = await this.options.store.write(runtimeId, this.options.nodeId, 0);
    if (revision === undefined) {
      this.creating.delete(runtimeId);
      return false;
    }
    this.trust(runtimeId, revision, sentAtMs);
    return true;
  }

  /** The creation of a runtime leased by `acquireNew` ended (its record is stored, or it failed). */
  created(runtimeId: string): void {
    this.creating.delete(runtimeId);
  }

  /**
   * Stops the loop. A pass in flight is not waited for (the lease store may not be answering): it
   * takes and renews nothing more, and hands back a lease it wins meanwhile. `release()` then hands
   * the leases back: call it once the runtimes have stopped writing, so the next node never
   * overlaps with this one.
   */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    for (const expiry of this.expiries.values()) expiry.cancel();
    this.expiries.clear();
  }

  /** Deletes every lease this node holds so another node takes over at once (graceful shutdown). */
  async release(): Promise<void> {
    await Promise.all(
      [...this.states.entries()].map(async ([id, state]) => {
        if (!state.held) return;
        this.states.set(id, { ...withoutHeld(state), stopping: true });
        await this.options.store
          .release(id, state.held.revision)
          .catch((error: unknown) =>
            this.options.logger.warn({ runtimeId: id, err: error }, "lease release failed"),
          );
      }),
    );
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimer(this.pollMs, () => void this.pass());
  }

  /**
   * One pass, then the next is scheduled. A pass that has not finished within a ttl (a lease store
   * request that never answers) is left behind so the loop keeps going: held leases still run out
   * on their own timers, and `busy` keeps the next pass off the runtimes still waiting on it.
   */
  private pass(): Promise<void> {
    const { clock, timing, logger } = this.options;
    let deadline: Timer | undefined;
    const late = new Promise<void>((resolve) => {
      deadline = clock.setTimer(timing.ttlMs, () => {
        logger.warn({ ttlMs: timing.ttlMs }, "a runtime lease pass did not finish within the ttl; going on");
        resolve();
      });
    });
    const work = this.tick().catch((error: unknown) =>
      logger.error({ err: error }, "runtime lease pass failed"),
    );
    return Promise.race([work, late]).finally(() => {
      deadline?.cancel();
      this.schedule();
    });
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let candidates: readonly string[];
    let leases: Awaited<ReturnType<LeaseStore["list"]>>;
    try {
      [candidates, leases] = await Promise.all([this.options.candidates(), this.options.store.list()]);
    } catch (error) {
      // Nothing learned: held leases run out on their own clock (holds() turns false).
      this.options.logger.warn({ err: error }, "reading runtime leases failed");
      await this.loseUntrusted();
      return;
    }
    // Taken after the answer, so a revision is never dated before it was seen.
    const now = this.options.clock.now();
    const wanted = new Set([...candidates, ...this.creating]);
    const ids = new Set([
      ...candidates,
      ...[...this.states.keys()].filter((id) => this.states.get(id)?.held),
    ]);
    await Promise.all(
      [...ids].map(async (id) => {
        const previous = this.states.get(id) ?? {};
        const lease = leases.get(id);
        let state: LeaseState = withoutSeen(previous);
        if (lease) {
          const since = previous.seen?.revision === lease.revision ? previous.seen.sinceMs : now;
          state = { ...state, seen: { holder: lease.holder, revision: lease.revision, sinceMs: since } };
        }
        if (!wanted.has(id)) state = { ...state, stopping: true };
        this.states.set(id, state);
        if (this.stopped || this.busy.has(id)) return;
        this.busy.add(id);
        try {
          await this.act(id, decideLease(state, now, this.options.timing));
        } catch (error) {
          this.options.logger.warn({ runtimeId: id, err: error }, "runtime lease step failed");
        } finally {
          this.busy.delete(id);
        }
      }),
    );
    for (const [id, state] of this.states) if (!state.held && !wanted.has(id)) this.states.delete(id);
  }

  private async act(id: string, decision: LeaseDecision): Promise<void> {
    const { store, nodeId, clock, logger } = this.options;
    switch (decision.kind) {
      case "keep-waiting":
        return;
      case "acquire": {
        const sentAtMs = clock.now();
        const revision = await store.write(id, nodeId, decision.expectRevision);
        if (revision === undefined) return;
        if (this.stopped) {
          await store.release(id, revision);
          return;
        }
        const takenFrom = this.states.get(id)?.seen?.holder;
        this.trust(id, revision, sentAtMs);
        logger.info({ runtimeId: id, revision, ...(takenFrom && { takenFrom }) }, "runtime lease taken");
        await this.options.onAcquired(id);
        return;
      }
      case "renew": {
        const sentAtMs = clock.now();
        const revision = await store.write(id, nodeId, decision.revision);
        if (revision !== undefined && this.states.get(id)?.held?.revision !== decision.revision) {
          // The answer came after the lease was given up here (ran out, or handed back on close)
          // and the runtime was stopped: hand the new revision back too.
          await store.release(id, revision);
          return;
        }
        if (revision !== undefined) {
          this.trust(id, revision, sentAtMs);
          return;
        }
        await this.lose(id, "the runtime's lease changed: another node took it, or it aged out");
        return;
      }
      case "lost":
        await this.lose(id, "the runtime's lease could not be renewed in time");
        return;
      case "release": {
        await this.lose(id, "the runtime no longer runs here");
        await store.release(id, decision.revision);
        return;
      }
    }
  }

  /** Gives up every lease the clock says can no longer be trusted (the store did not answer). */
  private async loseUntrusted(): Promise<void> {
    const now = this.options.clock.now();
    for (const [id, state] of this.states) {
      if (state.held && !holdsLease(state, now, this.options.timing)) {
        await this.lose(id, "the lease store did not answer before the lease ran out");
      }
    }
  }

  private async lose(id: string, reason: string): Promise<void> {
    this.expiries.get(id)?.cancel();
    this.expiries.delete(id);
    const state = this.states.get(id) ?? {};
    this.states.set(id, withoutHeld(state));
    this.options.logger.warn({ runtimeId: id, reason }, "runtime lease given up");
    await this.options.onLost(id);
  }

  /** Records a successful write and arms the timer that gives the lease up once it is no longer trusted. */
  private trust(id: string, revision: number, sentAtMs: number): void {
    const { clock, timing, logger } = this.options;
    this.states.set(id, this.heldAt(revision, sentAtMs));
    this.expiries.get(id)?.cancel();
    const delay = Math.max(0, sentAtMs + timing.ttlMs - timing.safetyMs - clock.now());
    this.expiries.set(
      id,
      clock.setTimer(delay, () => {
        this.expiries.delete(id);
        if (this.states.get(id)?.held?.revision !== revision || this.holds(id)) return;
        this.lose(id, "the lease was not renewed in time").catch((error: unknown) =>
          logger.error({ runtimeId: id, err: error }, "stopping a runtime whose lease ran out failed"),
        );
      }),
    );
  }

  private heldAt(revision: number, sentAtMs: number): LeaseState {
    return {
      held: { revision, sentAtMs },
      seen: { holder: this.options.nodeId, revision, sinceMs: this.options.clock.now() },
    };
  }
}

function withoutHeld(state: LeaseState): LeaseState {
  const { held: _held, ...rest } = state;
  return rest;
}

function withoutSeen(state: LeaseState): LeaseState {
  const { seen: _seen, ...rest } = state;
  return rest;
}
