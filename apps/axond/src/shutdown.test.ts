import { EventEmitter } from "node:events";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { handleShutdown } from "./shutdown.js";

function setup(stop: () => Promise<void>) {
  const proc = new EventEmitter();
  const exits: number[] = [];
  handleShutdown({
    process: proc,
    logger: pino({ level: "silent" }),
    stop,
    exit: (code) => exits.push(code),
  });
  return { proc, exits };
}

describe("handleShutdown", () => {
  it.each(["SIGINT", "SIGTERM"])(
    "stops gracefully on %s and exits 0 only after stop resolves",
    async (signal) => {
      let finish!: () => void;
      let stops = 0;
      const { proc, exits } = setup(() => {
        stops++;
        return new Promise((resolve) => {
          finish = resolve;
        });
      });
      proc.emit(signal, signal);
      await Promise.resolve();
      expect(stops).toBe(1);
      expect(exits).toEqual([]);
      finish();
      await new Promise((resolve) => setImmediate(resolve));
      expect(exits).toEqual([0]);
    },
  );

  it("exits at once on a second signal while stopping", async () => {
    const { proc, exits } = setup(() => new Promise(() => {}));
    proc.emit("SIGTERM", "SIGTERM");
    proc.emit("SIGINT", "SIGINT");
    expect(exits).toEqual([1]);
  });

  it("exits 1 when stopping fails", async () => {
    const { proc, exits } = setup(() => Promise.reject(new Error("disk gone")));
    proc.emit("SIGTERM", "SIGTERM");
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([1]);
  });

  it("exits 1 on an uncaught error", () => {
    const { proc, exits } = setup(() => Promise.resolve());
    proc.emit("uncaughtException", new Error("bug"));
    proc.emit("unhandledRejection", new Error("bug"));
    expect(exits).toEqual([1, 1]);
  });
});
