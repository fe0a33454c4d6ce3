import { axonFixture, settle } from "@openaxon/broker/test-support";
import { afterEach, describe, expect, it } from "vitest";
import { type WakeTrigger, WakeWatcher } from "./wake-watcher.js";

const watchers: WakeWatcher[] = [];
afterEach(() => {
  for (const w of watchers.splice(0)) w.stop();
});

async function watch(wakeAfterSequence?: number) {
  const f = await axonFixture();
  const wakes: WakeTrigger[] = [];
  const errors: unknown[] = [];
  const start = () => {
    const watcher = new WakeWatcher({
      link: f.link,
      axonIds: [f.axonId],
      brokerSource: "broker",
      wakeAfter: wakeAfterSequence === undefined ? {} : { [f.axonId]: wakeAfterSequence },
      onWake: (t) => wakes.push(t),
      onError: (_axonId, e) => errors.push(e),
    });
    watchers.push(watcher);
    watcher.start();
    return watcher;
  };
  return { f, wakes, errors, start };
}

describe("WakeWatcher", () => {
  it("wakes once, for the first USER or EXTERNAL user.message, ignoring AGENT and SYSTEM events", async () => {
    const { f, wakes, start } = await watch();
    start();
    await settle();
    await f.publish("user.message", { content: "agent" }, 2);
    await f.publish("user.message", { content: "system" }, 4);
    await f.publish("turn.cancel", {}, 3);
    await settle();
    expect(wakes).toEqual([]);
    const seq = await f.publish("user.message", { content: "webhook" }, 1);
    await f.publish("user.message", { content: "user" }, 3);
    await settle();
    expect(wakes).toEqual([{ axonId: f.axonId, sequence: seq }]);
  });

  it("wakes at once for a trigger no broker has started yet (it landed during the suspend)", async () => {
    const { f, wakes, start } = await watch();
    const seq = await f.publish("user.message", { content: "early" });
    start();
    await settle();
    expect(wakes).toEqual([{ axonId: f.axonId, sequence: seq }]);
  });

  it("lets triggers up to wakeAfter wait, and wakes for a newer one", async () => {
    const { f, wakes, start } = await watch(1);
    await f.publish("user.message", { content: "queued before a suspend by request" });
    start();
    await settle();
    expect(wakes).toEqual([]);
    const seq = await f.publish("user.message", { content: "newer" });
    await settle();
    expect(wakes).toEqual([{ axonId: f.axonId, sequence: seq }]);
  });

  it("reports an axon that cannot be read, and nothing after stop()", async () => {
    const { f, wakes, errors, start } = await watch();
    await f.store.deleteAxon(f.axonId);
    start();
    await settle();
    expect(errors).toHaveLength(1);
    const { f: g, wakes: gWakes, start: gStart } = await watch();
    gStart().stop();
    await g.publish("user.message", { content: "too late" });
    await settle();
    expect(gWakes).toEqual([]);
    expect(wakes).toEqual([]);
  });
});
