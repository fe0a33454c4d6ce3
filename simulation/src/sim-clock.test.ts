import { describe, expect, it } from "vitest";
import { settle } from "./settle.js";
import { SIM_EPOCH_MS, SimClock } from "./sim-clock.js";

describe("SimClock", () => {
  it("moves only when told, and fires timers in due order (ties in the order they were set)", async () => {
    const clock = new SimClock();
    const fired: string[] = [];
    clock.setTimer(20, () => fired.push("b@20"));
    clock.setTimer(10, () => fired.push("a@10"));
    clock.setTimer(20, () => fired.push("c@20"));
    expect(clock.now()).toBe(SIM_EPOCH_MS);
    await settle();
    expect(fired).toEqual([]);
    expect(await clock.advanceBy(15, settle)).toBe(1);
    expect(fired).toEqual(["a@10"]);
    expect(clock.now()).toBe(SIM_EPOCH_MS + 15);
    await clock.advanceBy(5, settle);
    expect(fired).toEqual(["a@10", "b@20", "c@20"]);
  });

  it("lets the work a timer starts finish before the next timer fires", async () => {
    const clock = new SimClock();
    const order: string[] = [];
    clock.setTimer(1, () => {
      void Promise.resolve().then(() => order.push("work of the first timer"));
    });
    clock.setTimer(1, () => order.push("second timer"));
    await clock.advanceBy(1, settle);
    expect(order).toEqual(["work of the first timer", "second timer"]);
  });

  it("fires a timer set by a timer in the same advance when it falls due within it", async () => {
    const clock = new SimClock();
    const at: number[] = [];
    clock.setTimer(10, () => clock.setTimer(10, () => at.push(clock.now() - SIM_EPOCH_MS)));
    await clock.advanceBy(25, settle);
    expect(at).toEqual([20]);
  });

  it("never fires cancelled timers, nor the timers of a killed process scope", async () => {
    const clock = new SimClock();
    const scope = clock.scope();
    const fired: string[] = [];
    clock.setTimer(5, () => fired.push("cancelled")).cancel();
    scope.setTimer(5, () => fired.push("dead process"));
    clock.setTimer(5, () => fired.push("alive"));
    scope.kill();
    scope.setTimer(1, () => fired.push("set after death"));
    expect(clock.pendingTimers).toBe(1);
    await clock.advanceBy(10, settle);
    expect(fired).toEqual(["alive"]);
  });
});
