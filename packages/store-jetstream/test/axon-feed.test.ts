import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { StoreFailedError } from "@openaxon/store";
import { userEvent, waitUntil } from "@openaxon/store/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { namesFor, openJetStreamLogStore } from "../src/index.js";
import { type NatsCluster, startNatsCluster } from "./support/nats-cluster.js";

// A node follows a watched axon through one R1 ordered consumer. When the node holding that
// consumer dies for good, nats.js retries "consumer is offline" for ever; the feed must notice
// (missed heartbeats) and follow again from a live node, so watchers get every later commit.
let cluster: NatsCluster;
beforeAll(async () => {
  cluster = await startNatsCluster(3);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe("a watched axon's feed", () => {
  it("keeps delivering, gap-free, after the node holding its consumer is killed", async () => {
    const prefix = "F1";
    const [u1, u2, u3] = cluster.urls;
    const open = (servers: string[]) =>
      openJetStreamLogStore({
        servers,
        prefix,
        connection: { noRandomize: true, reconnectTimeWait: 50 },
        requestTimeoutMs: 2000,
        feedHeartbeatMs: 500,
      });
    const a = await open([u1!, u2!, u3!]);
    const b = await open([u2!, u3!, u1!]);
    try {
      const { id } = await b.createAxon({ name: "followed", labels: {} });
      await b.append(id, [userEvent({ n: 0 })]);
      const seen: number[] = [];
      const unwatch = a.watch(id, (events) => seen.push(...events.map((e) => e.sequence)));
      await b.append(id, [userEvent({ n: 1 })]);
      await waitUntil(() => seen.length === 1);

      const host = await feedConsumerHost(`${namesFor(prefix).streamPrefix}${id}`);
      const victim = cluster.nodes.findIndex((n) => n.name === host);
      expect(victim).toBeGreaterThanOrEqual(0);
      await cluster.kill(victim);
      const writer = victim === 1 ? a : b;
      for (let n = 2; n <= 6; n++) await appendUntilAcked(() => writer.append(id, [userEvent({ n })]));

      await waitUntil(() => seen.length >= 6, 12_000);
      expect(seen).toEqual([2, 3, 4, 5, 6, 7]);
      unwatch();
      await cluster.restart(victim);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 90_000);
});

async function appendUntilAcked(append: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await append();
      return;
    } catch (error) {
      if (!(error instanceof StoreFailedError) || attempt > 1200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** The node holding the feed's consumer (an index scan's consumer is headers-only). */
async function feedConsumerHost(stream: string): Promise<string | undefined> {
  const nc = await connect({ servers: [...cluster.urls] });
  try {
    const jsm = await jetstreamManager(nc);
    const feeds = (await jsm.consumers.list(stream).next()).filter((c) => !c.config.headers_only);
    expect(feeds, JSON.stringify(feeds)).toHaveLength(1);
    return feeds[0]?.cluster?.leader;
  } finally {
    await nc.close();
  }
}
