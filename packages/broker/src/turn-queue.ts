import type { ContentBlock } from "./agent-adapter.js";

/** A client's `session.new` / `session.load`: which session the agent works in from here on. */
export type SessionRequest = { readonly kind: "new" } | { readonly kind: "load"; readonly sessionId: string };

/**
 * A trigger waiting for its turn. A session request waits in the same line (`session` set, no
 * turn of its own), so it takes effect exactly between the turns the log puts it between.
 */
export interface QueuedTurn {
  readonly turnId: string;
  readonly triggerSequence: number;
  /** What to prompt the agent with, or why the trigger cannot become a prompt. */
  readonly content: string | readonly ContentBlock[] | { readonly invalid: string };
  readonly session?: SessionRequest | { readonly invalid: string };
}

/**
 * The per-mount FIFO of triggers. Turns leave it strictly in trigger order, one at a time; a cancel
 * may remove a waiting turn from the middle.
 */
export class TurnQueue {
  private readonly items: QueuedTurn[] = [];
  private waiter: (() => void) | undefined;

  get size(): number {
    return this.items.length;
  }

  push(turn: QueuedTurn): void {
    const last = this.items[this.items.length - 1];
    // Triggers come from one ordered log; an out-of-order push would be a broker bug.
    if (last && last.triggerSequence >= turn.triggerSequence) {
      throw new Error(`trigger ${turn.triggerSequence} queued after ${last.triggerSequence}`);
    }
    this.items.push(turn);
    this.waiter?.();
  }

  has(turnId: string): boolean {
    return this.items.some((t) => t.turnId === turnId);
  }

  /** Removes a waiting turn; returns it, or undefined if it is not queued. */
  remove(turnId: string): QueuedTurn | undefined {
    const index = this.items.findIndex((t) => t.turnId === turnId);
    return index < 0 ? undefined : this.items.splice(index, 1)[0];
  }

  /** The oldest waiting turn, once there is one; undefined if `signal` aborts first. */
  async next(signal: AbortSignal): Promise<QueuedTurn | undefined> {
    while (this.items.length === 0) {
      if (signal.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiter = undefined;
          signal.removeEventListener("abort", wake);
          resolve();
        };
        this.waiter = wake;
        signal.addEventListener("abort", wake, { once: true });
      });
    }
    if (signal.aborted) return undefined;
    return this.items.shift();
  }

  snapshot(): readonly QueuedTurn[] {
    return [...this.items];
  }
}
