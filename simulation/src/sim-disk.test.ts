import { seededRng } from "@openaxon/core";
import { KvLogStore } from "@openaxon/store";
import { describe, expect, it } from "vitest";
import { settle } from "./settle.js";
import { SimClock } from "./sim-clock.js";
import { SimDisk } from "./sim-disk.js";

const put = (key: string) => ({ type: "put" as const, key, value: new Uint8Array([1]) });
const keysOf = async (backend: { entries: (r: object) => Promise<Array<[string, Uint8Array]>> }) =>
  (await backend.entries({})).map(([k]) => k);

describe("SimDisk", () => {
  it("shows a write to readers at once but makes it durable only when the scheduler syncs it", async () => {
    const disk = new SimDisk();
    const backend = disk.open();
    let synced = false;
    void backend.writeDurable([put("a")]).then(() => {
      synced = true;
    });
    await settle();
    expect(await keysOf(backend)).toEqual(["a"]);
    expect(synced).toBe(false);
    expect([...disk.durableSnapshot().snapshot().keys()]).toEqual([]);
    expect(disk.syncNext()).toBe(true);
    await settle();
    expect(synced).toBe(true);
    expect([...disk.durableSnapshot().snapshot().keys()]).toEqual(["a"]);
  });

  it("a power cut keeps a prefix of the writes in flight, and the dead process's backend never answers again", async () => {
    const disk = new SimDisk();
    const backend = disk.open();
    const outcomes: string[] = [];
    for (const key of ["a", "b", "c"]) {
      backend.writeDurable([put(key)]).then(
        () => outcomes.push(`${key} ok`),
        () => outcomes.push(`${key} failed`),
      );
    }
    expect(disk.crash(2)).toEqual({ inFlight: 3, survived: 2 });
    let answered = false;
    void backend.get("a").then(() => {
      answered = true;
    });
    await settle();
    expect(outcomes).toEqual([]);
    expect(answered).toBe(false);
    expect(await keysOf(disk.open())).toEqual(["a", "b"]);
  });

  it("under the production KvLogStore: an append is acknowledged only once synced, and a crash loses only the unsynced", async () => {
    const disk = new SimDisk();
    const clock = new SimClock();
    const store = new KvLogStore({ backend: disk.open(), clock, rng: seededRng(1) });
    const creating = store.createAxon({ name: "x", labels: {} });
    await settle();
    disk.syncNext();
    const axonId = (await creating).id;
    const event = { origin: 3 as const, source: "t", eventType: "note", payload: "{}" };
    let acked = 0;
    void store.append(axonId, [event]).then(() => acked++);
    await settle();
    expect(acked).toBe(0);
    expect(await store.read(axonId, { afterSequence: 0, limit: 10 })).toEqual([]);
    disk.syncNext();
    await settle();
    expect(acked).toBe(1);
    void store.append(axonId, [event]);
    await settle();
    disk.crash(0);
    const reopened = new KvLogStore({ backend: disk.open(), clock, rng: seededRng(2) });
    expect((await reopened.read(axonId, { afterSequence: 0, limit: 10 })).map((e) => e.sequence)).toEqual([
      1,
    ]);
  });
});
