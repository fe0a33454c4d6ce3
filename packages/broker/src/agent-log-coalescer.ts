import type { Clock, Timer } from "@openaxon/core";

export interface AgentLogLimits {
  /** Lines arriving within this delay of the first one share one `agent.log` event. */
  readonly flushDelayMs?: number;
  /** Longest message of one event, in characters; the rest of a burst is counted as dropped. */
  readonly maxMessageChars?: number;
  /** Characters allowed per window; beyond it lines are dropped (and counted) until the window turns. */
  readonly maxCharsPerWindow?: number;
  readonly windowMs?: number;
}

/**
 * Turns an agent's stderr into few `agent.log` events: lines are batched for a short delay, each
 * event is capped, and a per-window budget bounds the total, so a noisy agent cannot flood the axon
 * or memory. Dropped lines are never silent: the next event says how many were dropped.
 */
export class AgentLogCoalescer {
  private readonly flushDelayMs: number;
  private readonly maxMessageChars: number;
  private readonly maxCharsPerWindow: number;
  private readonly windowMs: number;
  private lines: string[] = [];
  private chars = 0;
  private dropped = 0;
  private windowStart = Number.NEGATIVE_INFINITY;
  private windowChars = 0;
  private windowExhausted = false;
  private timer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly publish: (message: string) => void,
    limits: AgentLogLimits = {},
  ) {
    this.flushDelayMs = limits.flushDelayMs ?? 250;
    this.maxMessageChars = limits.maxMessageChars ?? 8192;
    this.maxCharsPerWindow = limits.maxCharsPerWindow ?? 256 * 1024;
    this.windowMs = limits.windowMs ?? 60_000;
  }

  push(line: string): void {
    this.rollWindow();
    const text = line.length > this.maxMessageChars ? `${line.slice(0, this.maxMessageChars - 1)}…` : line;
    if (this.windowChars + text.length > this.maxCharsPerWindow) {
      this.windowExhausted = true;
      this.dropped++;
    } else if (this.chars + text.length > this.maxMessageChars) {
      this.dropped++;
    } else {
      this.lines.push(text);
      this.chars += text.length + 1;
      this.windowChars += text.length + 1;
    }
    this.timer ??= this.clock.setTimer(this.flushDelayMs, () => this.flush());
  }

  /**
   * Publishes what is pending. `force` (before a turn ends, and on stop) publishes even a bare
   * drop count; otherwise, while the window's budget is spent, the count waits for the next window.
   */
  flush(force = false): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.rollWindow();
    if (this.lines.length === 0 && this.dropped === 0) return;
    if (this.lines.length === 0 && this.windowExhausted && !force) {
      const wait = Math.max(1, this.windowStart + this.windowMs - this.clock.now());
      this.timer = this.clock.setTimer(wait, () => this.flush());
      return;
    }
    const parts = [...this.lines];
    if (this.dropped > 0)
      parts.push(`[openaxon: ${this.dropped} agent log line(s) dropped by the rate limit]`);
    this.lines = [];
    this.chars = 0;
    this.dropped = 0;
    this.publish(parts.join("\n"));
  }

  private rollWindow(): void {
    const now = this.clock.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.windowChars = 0;
      this.windowExhausted = false;
    }
  }
}
