import { ManualClock } from "@openaxon/core/testing";
import { describe, expect, it } from "vitest";
import { AgentLogCoalescer } from "./agent-log-coalescer.js";

function setup(limits = {}) {
  const clock = new ManualClock();
  const published: string[] = [];
  const logs = new AgentLogCoalescer(clock, (m) => published.push(m), {
    flushDelayMs: 100,
    maxMessageChars: 50,
    maxCharsPerWindow: 120,
    windowMs: 10_000,
    ...limits,
  });
  return { clock, published, logs };
}

describe("AgentLogCoalescer", () => {
  it("batches lines that arrive within the flush delay into one message", () => {
    const { clock, published, logs } = setup();
    logs.push("a");
    logs.push("b");
    expect(published).toEqual([]);
    clock.advance(100);
    logs.push("c");
    clock.advance(100);
    expect(published).toEqual(["a\nb", "c"]);
  });

  it("caps one message and says how many lines it dropped", () => {
    const { clock, published, logs } = setup();
    for (let i = 0; i < 10; i++) logs.push(`line ${i} ......`); // 15 chars each
    clock.advance(100);
    expect(published).toHaveLength(1);
    expect(published[0]!.length).toBeLessThanOrEqual(50 + 80);
    expect(published[0]).toMatch(
      /^line 0 \.{6}\nline 1 \.{6}\nline 2 \.{6}\n\[openaxon: 7 agent log line\(s\) dropped/,
    );
  });

  it("holds a flooding agent to the window budget, reporting the drops once the window turns", () => {
    const { clock, published, logs } = setup();
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5; i++) logs.push("x".repeat(9));
      clock.advance(100);
    }
    const chars = published.join("").length;
    expect(chars).toBeLessThan(120 + 200);
    const before = published.length;
    clock.advance(10_000);
    expect(published.length).toBe(before + 1);
    expect(published[published.length - 1]).toMatch(/dropped by the rate limit/);
    // A new window lets lines through again.
    logs.push("fresh");
    clock.advance(100);
    expect(published[published.length - 1]).toBe("fresh");
  });

  it("truncates a single enormous line", () => {
    const { clock, published, logs } = setup();
    logs.push("y".repeat(10_000));
    clock.advance(100);
    expect(published[0]).toBe(`${"y".repeat(49)}…`);
  });

  it("flush(true) publishes at once and leaves no timer behind", () => {
    const { clock, published, logs } = setup();
    logs.push("last words");
    logs.flush(true);
    expect(published).toEqual(["last words"]);
    expect(clock.pending).toBe(0);
  });
});
