import { ManualClock } from "@openaxon/core/testing";
import { describe, expect, it } from "vitest";
import { IdleTimer, idleSinceAll } from "./idle-timer.js";

describe("IdleTimer", () => {
  it("fires once the runtime has been idle for the idle time, counted from when it became idle", () => {
    const clock = new ManualClock();
    let fired = 0;
    const timer = new IdleTimer(clock, 60_000, () => fired++);
    const since = clock.now();
    clock.advance(10_000);
    timer.update(since);
    clock.advance(49_999);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
    expect(timer.expired(since)).toBe(true);
  });

  it("does not fire while busy, and restarts the count when the runtime is idle again", () => {
    const clock = new ManualClock();
    let fired = 0;
    const timer = new IdleTimer(clock, 1000, () => fired++);
    timer.update(clock.now());
    clock.advance(900);
    timer.update(undefined); // a turn started
    clock.advance(5000);
    expect(fired).toBe(0);
    timer.update(clock.now()); // idle again
    clock.advance(999);
    expect(fired).toBe(0);
    expect(timer.expired(clock.now() - 999)).toBe(false);
    clock.advance(1);
    expect(fired).toBe(1);
  });

  it("never fires with an idle time of 0", () => {
    const clock = new ManualClock();
    let fired = 0;
    const timer = new IdleTimer(clock, 0, () => fired++);
    timer.update(clock.now());
    clock.advance(1e9);
    expect(fired).toBe(0);
    expect(clock.pending).toBe(0);
  });
});

describe("idleSinceAll", () => {
  it("is the latest idle time when all are idle, and undefined when any is busy or none exist", () => {
    expect(idleSinceAll([5, 9, 7])).toBe(9);
    expect(idleSinceAll([5, undefined])).toBeUndefined();
    expect(idleSinceAll([])).toBeUndefined();
  });
});
