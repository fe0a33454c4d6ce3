import { settle } from "@openaxon/broker/test-support";
import type { KvOp } from "@openaxon/store";
import { afterEach, describe, expect, it } from "vitest";
import { runtimeFixture, suspendAfter } from "./test-support/runtime-fixture.js";

// Found by reading around a simulation report: transitions started by timers and watchers were
// `void`ed, so a store that refuses writes turned an idle suspend into an unhandled rejection,
// which takes a Node process (axond) down. They are now caught and logged.
describe("a transition nobody awaits fails because the store refuses writes", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
  });

  it("is logged as an error, not left as an unhandled rejection", async () => {
    process.on("unhandledRejection", onUnhandled);
    const errors: string[] = [];
    const logger = { info() {}, warn() {}, error: (_obj: object, msg: string) => errors.push(msg) };
    const f = await runtimeFixture(undefined, { logger });
    try {
      const rt = await f.create({ lifecycle: suspendAfter(1) });
      await settle();
      // The disk starts failing: every durable write is refused from now on.
      const backend = (
        f.store as unknown as { backend: { writeDurable(ops: readonly KvOp[]): Promise<void> } }
      ).backend;
      backend.writeDurable = async () => {
        throw new Error("EIO: disk failed");
      };
      f.clock.advance(1000);
      for (let i = 0; i < 20 && !errors.some((m) => m.includes("idle transition failed")); i++)
        await settle();
      await new Promise((resolve) => setImmediate(resolve));
      expect(errors).toContain("runtime idle transition failed");
      expect(unhandled).toEqual([]);
      expect(rt.id).toMatch(/^rt_/);
    } finally {
      await f.cleanup().catch(() => {});
    }
  });
});
