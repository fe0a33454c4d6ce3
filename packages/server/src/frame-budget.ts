/**
 * A server-wide budget, in bytes, for Subscribe frames in flight: handed to the transport and not
 * yet written out. A stream waits for room before sending its next frame; while it waits its live
 * buffer fills, and past its limit it falls behind and later re-reads from the store. So however
 * many subscribers are slow, frame memory stays under the budget (one frame larger than the whole
 * budget may still go alone, so an oversized event cannot wedge a stream).
 */
export class FrameBudget {
  private inFlight = 0;
  private readonly waiting: Array<{ bytes: number; resolve: () => void }> = [];

  constructor(readonly capacityBytes: number) {}

  get bytesInFlight(): number {
    return this.inFlight;
  }

  /** Resolves once `bytes` are reserved; rejects with the signal's reason if it aborts first. */
  acquire(bytes: number, signal: AbortSignal): Promise<void> | undefined {
    if (this.waiting.length === 0 && this.fits(bytes)) {
      this.inFlight += bytes;
      return undefined;
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        bytes,
        resolve: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        this.grant();
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  release(bytes: number): void {
    this.inFlight -= bytes;
    this.grant();
  }

  private fits(bytes: number): boolean {
    return this.inFlight === 0 || this.inFlight + bytes <= this.capacityBytes;
  }

  /** First come, first served, so a large frame is not starved by small ones. */
  private grant(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!;
      this.inFlight += next.bytes;
      next.resolve();
    }
  }
}
