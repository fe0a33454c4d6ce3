import { seededRng } from "@openaxon/core";
import { ManualClock } from "@openaxon/core/testing";
import { describe, expect, it } from "vitest";
import { AxonFullError } from "./errors.js";
import { KvLogStore } from "./kv-log-store.js";
import { storedEventBytes } from "./log-store.js";
import { MemoryBackend } from "./memory-backend.js";
import { userEvent } from "./test-support/user-event.js";

const keysOf = (backend: MemoryBackend, axonId: string) =>
  [...backend.snapshot().keys()].filter((key) => key.includes(axonId));

// Issue 13 item 6: deleting an axon left all its data on disk.
describe("issue 13: deleting an axon removes its data", () => {
  it("purges every key of the axon, and a pass finishes a purge that a close interrupted", async () => {
    const backend = new MemoryBackend();
    const open = () => new KvLogStore({ backend, clock: new ManualClock(), rng: seededRng(1) });
    const first = open();
    const kept = await first.createAxon({ name: "kept", labels: {} });
    await first.append(kept.id, [userEvent()]);
    const axon = await first.createAxon({ name: "big", labels: {} });
    for (let i = 0; i < 50; i++) await first.append(axon.id, [userEvent({ i })], { idempotencyKey: `k${i}` });
    expect(await first.deleteAxon(axon.id)).toBe(true);
    // Closed before the background purge ran: the tombstone and the events are still there.
    await first.close();
    expect(keysOf(backend, axon.id).length).toBeGreaterThan(50);

    const second = open();
    expect(await second.getAxon(axon.id)).toBeUndefined();
    expect(await second.applyRetention()).toMatchObject({ axonsPurged: 1 });
    expect(keysOf(backend, axon.id)).toEqual([]);
    expect(await second.getAxon(kept.id)).toMatchObject({ headSequence: 1 });
    expect(await second.applyRetention()).toMatchObject({ axonsPurged: 0 });
    await second.close();
  });

  it("refuses appends past the size cap without writing, and counts bytes across a reopen", async () => {
    const backend = new MemoryBackend();
    const size = storedEventBytes(userEvent({ i: 0 }));
    const open = () =>
      new KvLogStore({ backend, clock: new ManualClock(), rng: seededRng(1), maxAxonBytes: size * 3 });
    const first = open();
    const axon = await first.createAxon({ name: "", labels: {} });
    await first.append(axon.id, [userEvent({ i: 0 }), userEvent({ i: 1 })]);
    await first.close();
    const second = open();
    const error = await second
      .append(axon.id, [userEvent({ i: 2 }), userEvent({ i: 3 })])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AxonFullError);
    expect(error).toMatchObject({ sizeBytes: size * 2, incomingBytes: size * 2, limitBytes: size * 3 });
    expect((await second.getAxon(axon.id))?.headSequence).toBe(2);
    expect(await second.append(axon.id, [userEvent({ i: 2 })])).toMatchObject({ firstSequence: 3 });
    await second.close();
  });
});
