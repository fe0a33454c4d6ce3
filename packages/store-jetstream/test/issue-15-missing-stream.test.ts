import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { AxonNotFoundError, StoreFailedError } from "@openaxon/store";
import { userEvent } from "@openaxon/store/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JetStreamLogStore, namesFor, openJetStreamLogStore } from "../src/index.js";
import { type NatsCluster, startNatsCluster } from "./support/nats-cluster.js";

// Under load a 3-node cluster once answered "stream not found" for an axon just created (the
// axon-count measurement in docs/scale-out.md). An axon whose metadata exists is not NOT_FOUND:
// the store says the cluster did not answer (UNAVAILABLE, retry). Here the stream is removed
// behind the store's back, which is what that wrong answer looks like to it.
let cluster: NatsCluster;
let store: JetStreamLogStore;
beforeAll(async () => {
  cluster = await startNatsCluster(1);
  store = await openJetStreamLogStore({ servers: cluster.urls, replicas: 1, prefix: "MS" });
}, 60_000);
afterAll(async () => {
  await store?.close();
  await cluster?.stop();
});

async function dropStreamBehindTheStore(axonId: string): Promise<void> {
  const nc = await connect({ servers: [...cluster.urls] });
  try {
    await (await jetstreamManager(nc)).streams.delete(`${namesFor("MS").streamPrefix}${axonId}`);
  } finally {
    await nc.close();
  }
}

describe("issue 15: an existing axon whose stream is not found", () => {
  it("is UNAVAILABLE for append, read and getAxon — never NOT_FOUND", async () => {
    const { id } = await store.createAxon({ name: "", labels: {} });
    await store.append(id, [userEvent({ n: 1 })]);
    await dropStreamBehindTheStore(id);
    await expect(store.append(id, [userEvent({ n: 2 })])).rejects.toBeInstanceOf(StoreFailedError);
    await expect(store.read(id, { afterSequence: 0, limit: 10 })).rejects.toBeInstanceOf(StoreFailedError);
    await expect(store.getAxon(id)).rejects.toThrow(/did not find an existing axon's stream/);
  });

  it("while a deleted axon stays NOT_FOUND", async () => {
    const { id } = await store.createAxon({ name: "", labels: {} });
    expect(await store.deleteAxon(id)).toBe(true);
    await expect(store.append(id, [userEvent()])).rejects.toBeInstanceOf(AxonNotFoundError);
    await expect(store.read(id, { afterSequence: 0, limit: 1 })).rejects.toBeInstanceOf(AxonNotFoundError);
    expect(await store.getAxon(id)).toBeUndefined();
  });
});
