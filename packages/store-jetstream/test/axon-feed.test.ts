import {
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { systemClock } from "@openaxon/core";
import { userEvent, waitUntil } from "@openaxon/store/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AxonFeed, type AxonFeedOptions, type CommitListener } from "../src/axon-feed.js";
import { encodeCommitInfo } from "../src/commit-headers.js";
import { namesFor, openJetStreamLogStore } from "../src/index.js";
import { isStreamNotFound } from "../src/stream-not-found.js";
import { appendUntilAcked } from "./support/append-until-acked.js";
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
    const warnings: string[] = [];
    const open = (servers: string[]) =>
      openJetStreamLogStore({
        servers,
        prefix,
        connection: { noRandomize: true, reconnectTimeWait: 50 },
        requestTimeoutMs: 2000,
        feedHeartbeatMs: 500,
        onWarning: (message) => warnings.push(message),
      });
    const a = await open([u1!, u2!, u3!]);
    const b = await open([u2!, u3!, u1!]);
    try {
      const { id } = await b.createAxon({ name: "followed", labels: {} });
      await b.append(id, [userEvent({ n: 0 })]);
      const seen: number[] = [];
      const stream = `${namesFor(prefix).streamPrefix}${id}`;
      const unwatch = a.watch(id, (events) => seen.push(...events.map((e) => e.sequence)));
      // A raw watch() follows from the last commit when its feed starts (a follower reads the store
      // to cover that window); append only once the feed's consumer exists, or it may start after.
      for (let i = 0; (await feedConsumers(stream)).length === 0; i++) {
        if (i === 200) throw new Error("the feed's consumer never appeared");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await b.append(id, [userEvent({ n: 1 })]);
      await waitUntil(() => seen.length === 1);

      const host = await feedConsumerHost(stream);
      const victim = cluster.nodes.findIndex((n) => n.name === host);
      expect(victim).toBeGreaterThanOrEqual(0);
      await cluster.kill(victim);
      const writer = victim === 1 ? a : b;
      for (let n = 2; n <= 6; n++) await appendUntilAcked(writer, id, [userEvent({ n })], `n${n}`);

      // ~60 s (attempts of ~5 ms): an election on a loaded 2-core CI runner has taken over 10 s.
      await waitUntil(() => seen.length >= 6, 12_000);
      // One more commit after the rest: a late duplicate or reordering would show before it.
      await appendUntilAcked(writer, id, [userEvent({ n: 7 })], "n7");
      await waitUntil(() => seen.includes(8), 12_000);
      expect(seen).toEqual([2, 3, 4, 5, 6, 7, 8]);
      // It got there by following again, not because nats.js recovered on its own.
      expect(warnings.some((w) => w.startsWith(`following axon ${id} again`))).toBe(true);
      unwatch();
      await cluster.restart(victim);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 90_000);
});

describe("AxonFeed", () => {
  it("closes at once while its first consumer is still being made", async () => {
    await withStream("FEEDCLOSE", async ({ js }) => {
      for (let i = 0; i < 5; i++) {
        const feed = feedOn(js, "FEEDCLOSE", () => {});
        await feed.close();
        await feed.finished;
      }
    });
  }, 30_000);

  it("keeps following through a 'stream not found' the axon's metadata does not confirm", async () => {
    await withStream("FEEDBACK", async ({ js, jsm, config }) => {
      const seen: string[] = [];
      const reasons: unknown[] = [];
      const feed = feedOn(js, "FEEDBACK", (_, __, body) => seen.push(Buffer.from(body).toString()), {
        onRestart: (reason) => reasons.push(reason),
        confirmGone: async () => false,
      });
      await js.publish("feedback", "one", { headers: commitHeaders() });
      await waitUntil(() => seen.length === 1, 6000);
      // The cluster answers "not found" for a while, then has the stream again (what a wrong
      // answer looks like from here): the feed must still be trying when it comes back.
      await jsm.streams.delete("FEEDBACK");
      await waitUntil(() => reasons.some(isStreamNotFound), 6000);
      await jsm.streams.add(config);
      for (let n = 0; n < 2; n++) await js.publish("feedback", `again ${n}`, { headers: commitHeaders() });
      // The stream came back with its sequences from 1, so where the feed starts in it is the
      // server's call; what matters is that it is still there and reaches the newest commit.
      await waitUntil(() => seen.at(-1) === "again 1", 6000);
      expect(seen[0]).toBe("one");
      await feed.close();
    });
  }, 60_000);

  it("stops for good, quietly, once its axon's stream is deleted", async () => {
    await withStream("FEEDGONE", async ({ js, jsm }) => {
      const restarts: unknown[] = [];
      const feed = feedOn(js, "FEEDGONE", () => {}, { onRestart: (reason) => restarts.push(reason) });
      await jsm.streams.delete("FEEDGONE");
      await feed.finished;
      // Ended by the stream's absence, not after a run of failed attempts.
      expect(restarts.length).toBeLessThanOrEqual(1);
      await feed.close();
    });
  }, 60_000);
});

/** A fresh R3 stream `name` (its subject: the name in lower case) for `run`, on its own connection. */
async function withStream(
  name: string,
  run: (s: {
    js: JetStreamClient;
    jsm: JetStreamManager;
    config: Partial<StreamConfig> & { name: string };
  }) => Promise<void>,
): Promise<void> {
  const nc = await connect({ servers: [...cluster.urls] });
  try {
    const jsm = await jetstreamManager(nc);
    const config = { name, subjects: [name.toLowerCase()], num_replicas: 3 };
    await jsm.streams.add(config);
    await run({ js: jetstream(nc), jsm, config });
  } finally {
    await nc.close();
  }
}

/** A feed from the stream's start, heartbeats every 500 ms. */
const feedOn = (
  js: JetStreamClient,
  stream: string,
  listener: CommitListener,
  options: Partial<AxonFeedOptions> = {},
) => new AxonFeed(js, stream, 1, listener, { clock: systemClock, heartbeatMs: 500, ...options });

/** Headers of a one-event commit: what the feed hands its listener. */
const commitHeaders = () => encodeCommitInfo({ first: 1, count: 1, timestampMs: 0 });

/**
 * The node holding the feed's consumer: the newest that is not headers-only (an index scan's is;
 * a feed that already followed again on a slow machine leaves an older one behind).
 */
async function feedConsumerHost(stream: string): Promise<string | undefined> {
  const feeds = await feedConsumers(stream);
  expect(feeds.length).toBeGreaterThan(0);
  return feeds.at(-1)?.cluster?.leader;
}

/** The stream's feed consumers (not headers-only, unlike an index scan's), oldest first. */
async function feedConsumers(stream: string): Promise<ConsumerInfo[]> {
  const nc = await connect({ servers: [...cluster.urls] });
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.consumers.list(stream).next())
      .filter((c) => !c.config.headers_only)
      .sort((x, y) => Date.parse(x.created) - Date.parse(y.created));
  } finally {
    await nc.close();
  }
}
