import { Code } from "@connectrpc/connect";
import { ManualClock } from "@openaxon/core/testing";
import { afterEach, expect, test, vi } from "vitest";
import { follow, kinds } from "./support/follow.js";
import { type Harness, startHarness, userEvent } from "./support/harness.js";

let h: Harness | undefined;
afterEach(() => h?.close());

/** Advances the clock once the stream is idle and waiting on its heartbeat timer. */
async function tick(clock: ManualClock, ms: number) {
  await vi.waitFor(() => expect(clock.pending).toBeGreaterThan(0), { timeout: 5000, interval: 2 });
  clock.advance(ms);
}

test("an idle stream gets a heartbeat carrying the head each interval, and none while events flow", async () => {
  const clock = new ManualClock();
  h = await startHarness({ clock, heartbeatIntervalMs: 15_000 });
  const axonId = (await h.client.createAxon({})).axon!.id;
  await h.client.publish({ axonId, ...userEvent(1) });
  const f = follow(h.client, { axonId });
  await f.waitFor((x) => kinds(x).includes("caughtUp"));
  expect(kinds(f)).toEqual(["events", "caughtUp"]);

  await tick(clock, 15_000);
  await f.waitFor((x) => kinds(x).length === 3);
  expect(f.frames[2]!.kind).toMatchObject({ case: "heartbeat", value: { headSequence: 1n } });

  // Less than an interval of silence: no heartbeat.
  await tick(clock, 14_999);
  await h.client.publish({ axonId, ...userEvent(2) });
  await f.waitForEvents(2);
  expect(kinds(f)).toEqual(["events", "caughtUp", "heartbeat", "events"]);

  await tick(clock, 15_000);
  await f.waitFor((x) => kinds(x).length === 5);
  expect(f.frames[4]!.kind).toMatchObject({ case: "heartbeat", value: { headSequence: 2n } });
  await f.cancel();
});

test("a deletion behind the service's back is noticed at the next heartbeat", async () => {
  const clock = new ManualClock();
  h = await startHarness({ clock, heartbeatIntervalMs: 1000 });
  const axonId = (await h.client.createAxon({})).axon!.id;
  const f = follow(h.client, { axonId });
  await f.waitFor((x) => kinds(x).includes("caughtUp"));
  await h.store.deleteAxon(axonId);
  await tick(clock, 1000);
  await f.done;
  expect(f.error?.code).toBe(Code.NotFound);
});
