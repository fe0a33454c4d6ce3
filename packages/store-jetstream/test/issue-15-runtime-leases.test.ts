import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JetStreamLogStore, openJetStreamLogStore } from "../src/index.js";
import { type NatsCluster, startNatsCluster } from "./support/nats-cluster.js";

// Runtime leases in a real JetStream KV bucket: two stores (two "nodes") on one server race for
// the same keys; only revision-checked writes win, and a lease nobody renews ages out.
let cluster: NatsCluster;
let a: JetStreamLogStore;
let b: JetStreamLogStore;
beforeAll(async () => {
  cluster = await startNatsCluster(1);
  const open = () => openJetStreamLogStore({ servers: cluster.urls, replicas: 1, prefix: "LS" });
  [a, b] = await Promise.all([open(), open()]);
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([a?.close(), b?.close()]);
  await cluster?.stop();
});

describe("issue 15: runtime leases in JetStream KV", () => {
  it("lets exactly one of many racing creates win, and only the holder's revision renews or releases", async () => {
    const [la, lb] = await Promise.all([a.openLeases(60_000), b.openLeases(60_000)]);
    const wins = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? la : lb).write("rt_race", `node${i}`, 0)),
    );
    const won = wins.filter((r) => r !== undefined);
    expect(won).toHaveLength(1);
    const revision = won[0]!;
    const lease = (await lb.list()).get("rt_race");
    expect(lease?.revision).toBe(revision);

    // A stale revision loses; the current one renews (a new revision: the new fencing token).
    const renewed = await la.write("rt_race", lease!.holder, revision);
    expect(renewed).toBeGreaterThan(revision);
    expect(await lb.write("rt_race", "thief", revision)).toBeUndefined();

    // A release at a stale revision does nothing; at the current one the lease is gone and free.
    await lb.release("rt_race", revision);
    expect((await la.list()).get("rt_race")?.revision).toBe(renewed);
    await la.release("rt_race", renewed!);
    expect((await la.list()).has("rt_race")).toBe(false);
    expect(await lb.write("rt_race", "b", 0)).toBeGreaterThan(renewed!);
  });

  it("a lease nobody renews disappears after the bucket's ttl, and can then be created again", async () => {
    // Its own bucket: the ttl is the bucket's max age.
    const store = await openJetStreamLogStore({ servers: cluster.urls, replicas: 1, prefix: "LT" });
    try {
      const leases = await store.openLeases(1000);
      expect(await leases.write("rt_ttl", "a", 0)).toBeDefined();
      expect(await leases.write("rt_ttl", "b", 0)).toBeUndefined();
      const start = Date.now();
      while ((await leases.list()).has("rt_ttl")) {
        expect(Date.now() - start).toBeLessThan(15_000);
        await sleep(100);
      }
      expect(await leases.write("rt_ttl", "b", 0)).toBeDefined();
      expect((await leases.list()).get("rt_ttl")?.holder).toBe("b");
      // A node configured with another ttl cannot open the bucket: the ttl is the bucket's max age.
      await expect(store.openLeases(5000)).rejects.toThrow(
        /LT_leases has a 1000 ms ttl, this node asks for 5000 ms: every node must use the same/,
      );
      await expect(store.openLeases(1000)).resolves.toBeDefined();
    } finally {
      await store.close();
    }
  }, 30_000);
});
