import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ReplayProgress } from "./progress.js";

describe("ReplayProgress", () => {
  it("is shown only for long replays written to a pipe while stderr is a terminal", () => {
    expect(ReplayProgress.enabled({ stdout: { isTTY: false }, stderr: { isTTY: true } }, 50_000)).toBe(true);
    expect(ReplayProgress.enabled({ stdout: { isTTY: true }, stderr: { isTTY: true } }, 50_000)).toBe(false);
    expect(ReplayProgress.enabled({ stdout: { isTTY: false }, stderr: { isTTY: false } }, 50_000)).toBe(
      false,
    );
    expect(ReplayProgress.enabled({ stdout: { isTTY: false }, stderr: { isTTY: true } }, 10)).toBe(false);
  });

  it("redraws at most every 100 ms and clears its line", () => {
    const stderr = new PassThrough();
    let now = 1_000;
    const progress = new ReplayProgress(stderr, 1_000_000, () => now);
    progress.update(1);
    progress.update(2);
    now += 100;
    progress.update(120_000);
    progress.clear();
    expect(stderr.read().toString()).toBe(
      "\r\x1b[Kreplaying 1/1000000\r\x1b[Kreplaying 120000/1000000\r\x1b[K",
    );
  });
});
