/**
 * A token bucket for streams a client resets before their response ends. Legitimate clients
 * cancel now and then (a tail stopped, a deadline hit); a rapid-reset attack (CVE-2023-44487)
 * cancels thousands per second, each costing the server a handler start.
 */
export class ResetBudget {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  /** Spends one reset; false when the budget is exhausted (close the connection). */
  spend(nowMs: number): boolean {
    const earned = ((nowMs - this.lastMs) / 1000) * this.perSecond;
    this.tokens = Math.min(this.burst, this.tokens + earned);
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
