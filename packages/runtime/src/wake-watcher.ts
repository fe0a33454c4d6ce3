import { type AxonLink, isTurnTrigger, recoverBrokerState } from "@openaxon/broker";
import { isMutantActive } from "@openaxon/core";

export interface WakeTrigger {
  readonly axonId: string;
  /** Sequence of the turn-starting event. */
  readonly sequence: number;
}

export interface WakeWatcherOptions {
  readonly link: AxonLink;
  readonly axonIds: readonly string[];
  /** The brokers' `source`: their cursor in the axon tells which triggers are still waiting. */
  readonly brokerSource: string;
  /** Per axon: triggers at or before this sequence do not wake the runtime (it was suspended by hand). */
  readonly wakeAfter: Readonly<Record<string, number>>;
  /** Called at most once, with the first trigger found. */
  readonly onWake: (trigger: WakeTrigger) => void;
  /** An axon could not be read (deleted, store closed). Called at most once. */
  readonly onError: (axonId: string, error: unknown) => void;
}

/**
 * Watches a suspended runtime's axons for a turn-starting event. It first asks each axon for
 * triggers the brokers never started (one may have landed while the runtime was suspending) and for
 * a turn left open by a broker that died mid-suspend, then follows the axon live. Loop prevention
 * comes with `isTurnTrigger`: only USER/EXTERNAL `user.message` wakes a runtime, never its own
 * agents' or the system's events.
 */
export class WakeWatcher {
  private readonly abort = new AbortController();
  private done = false;

  constructor(private readonly options: WakeWatcherOptions) {}

  start(): void {
    for (const axonId of this.options.axonIds) void this.watch(axonId);
  }

  stop(): void {
    this.done = true;
    this.abort.abort();
  }

  private async watch(axonId: string): Promise<void> {
    const { link, brokerSource } = this.options;
    const after = this.options.wakeAfter[axonId] ?? 0;
    const signal = this.abort.signal;
    try {
      const recovered = await recoverBrokerState(link, axonId, { source: brokerSource });
      if (signal.aborted) return;
      // A turn a broker started and never ended (the server died while the runtime was suspending)
      // needs a broker too: waking one closes it, so no client waits for its end forever.
      const waiting =
        recovered.pending.find((turn) => turn.triggerSequence > after) ?? recovered.interrupted[0];
      if (waiting && !isMutantActive("runtime-wake-missed")) {
        this.finish(() => this.options.onWake({ axonId, sequence: waiting.triggerSequence }));
        return;
      }
      for await (const event of link.follow(axonId, recovered.headSequence, signal)) {
        if (isTurnTrigger(event) && event.sequence > after) {
          this.finish(() => this.options.onWake({ axonId, sequence: event.sequence }));
          return;
        }
      }
    } catch (error) {
      if (!signal.aborted) this.finish(() => this.options.onError(axonId, error));
    }
  }

  private finish(report: () => void): void {
    if (this.done) return;
    this.stop();
    report();
  }
}
