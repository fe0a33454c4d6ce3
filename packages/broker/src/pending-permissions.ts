import type { Clock, Timer } from "@openaxon/core";
import type { PermissionDecision, PermissionRequest } from "./agent-adapter.js";
import { rejectFallback } from "./permission-policy.js";

interface Waiter {
  readonly request: PermissionRequest;
  readonly resolve: (decision: PermissionDecision) => void;
  readonly timer: Timer;
}

export type PermissionAnswer = { readonly optionId: string } | { readonly outcome: "rejected" };

/**
 * ASK-policy requests waiting for a USER `permission.response`. Each rejects on its own after the
 * timeout (on the injected clock), and all reject when the turn ends, so an adapter never waits
 * forever and never hears "cancelled" for "denied".
 */
export class PendingPermissions {
  private readonly waiters = new Map<string, Waiter>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  get size(): number {
    return this.waiters.size;
  }

  wait(requestId: string, request: PermissionRequest): Promise<PermissionDecision> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimer(this.timeoutMs, () =>
        this.settle(requestId, rejectFallback(request)),
      );
      this.waiters.set(requestId, { request, resolve, timer });
    });
  }

  /**
   * Applies a user's answer. Returns "unknown" when no such request waits (already answered, timed
   * out, or never asked) and "invalid" when the option is not one the agent offered.
   */
  answer(requestId: string, answer: PermissionAnswer): "ok" | "unknown" | "invalid" {
    const waiter = this.waiters.get(requestId);
    if (!waiter) return "unknown";
    if ("outcome" in answer) {
      this.settle(requestId, rejectFallback(waiter.request));
      return "ok";
    }
    if (!waiter.request.options.some((o) => o.optionId === answer.optionId)) return "invalid";
    this.settle(requestId, { outcome: "selected", optionId: answer.optionId });
    return "ok";
  }

  rejectAll(): void {
    for (const [id, waiter] of [...this.waiters]) this.settle(id, rejectFallback(waiter.request));
  }

  private settle(requestId: string, decision: PermissionDecision): void {
    const waiter = this.waiters.get(requestId);
    if (!waiter) return;
    this.waiters.delete(requestId);
    waiter.timer.cancel();
    waiter.resolve(decision);
  }
}
