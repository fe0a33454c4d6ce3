import type { RetentionPassReport } from "@openaxon/store";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { scheduleRetention } from "./retention-schedule.js";

const report: RetentionPassReport = { axonsTrimmed: 0, eventsTrimmed: 0, axonsPurged: 0 };

describe("scheduleRetention", () => {
  it("runs passes one after another, keeps going after a failure, and stop waits for the pass in progress", async () => {
    let passes = 0;
    let inFlight = 0;
    let overlapped = false;
    let release: (() => void) | undefined;
    const store = {
      applyRetention: async () => {
        passes++;
        inFlight++;
        overlapped ||= inFlight > 1;
        try {
          if (passes === 1) throw new Error("disk hiccup");
          if (passes === 3) await new Promise<void>((resolve) => (release = resolve));
          return report;
        } finally {
          inFlight--;
        }
      },
    };
    const schedule = scheduleRetention({ store, intervalMs: 1, logger: pino({ level: "silent" }) });
    while (passes < 3 || !release) await new Promise((resolve) => setTimeout(resolve, 2));
    let stopped = false;
    const stopping = schedule.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stopped).toBe(false);
    release();
    await stopping;
    const after = passes;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(passes).toBe(after);
    expect(overlapped).toBe(false);
  });
});
