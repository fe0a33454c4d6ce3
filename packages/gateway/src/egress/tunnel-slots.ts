/**
 * Counts each runtime's open proxy connections (CONNECT tunnels and in-flight plain requests) so
 * one agent cannot exhaust the host's sockets. A slot is released exactly once, when its
 * connection closes.
 */
export class TunnelSlots {
  readonly #inUse = new Map<string, number>();

  /** Takes a slot, or returns undefined when the runtime already holds `limit`. */
  tryAcquire(runtimeId: string, limit: number): (() => void) | undefined {
    const count = this.#inUse.get(runtimeId) ?? 0;
    if (count >= limit) return undefined;
    this.#inUse.set(runtimeId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#inUse.get(runtimeId) ?? 1) - 1;
      if (left > 0) this.#inUse.set(runtimeId, left);
      else this.#inUse.delete(runtimeId);
    };
  }

  inUse(runtimeId: string): number {
    return this.#inUse.get(runtimeId) ?? 0;
  }
}
