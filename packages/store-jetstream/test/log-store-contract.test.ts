import { describeLogStoreContract, describeRetentionContract } from "@openaxon/store/test-support";
import { afterAll, beforeAll } from "vitest";
import { openJetStreamLogStore } from "../src/index.js";
import { type NatsCluster, startNatsCluster } from "./support/nats-cluster.js";

// One cluster per replica count for the whole file; each case gets its own name prefix, so its
// own stream and buckets (left until the cluster stops), and never sees another case's axons.
let single: NatsCluster;
let triple: NatsCluster;
beforeAll(async () => {
  [single, triple] = await Promise.all([startNatsCluster(1), startNatsCluster(3)]);
}, 60_000);
afterAll(async () => {
  await Promise.all([single?.stop(), triple?.stop()]);
});

let cases = 0;
function subjectOn(cluster: () => NatsCluster, replicas: number) {
  return async () => {
    const prefix = `T${++cases}`;
    const store = await openJetStreamLogStore({ servers: cluster().urls, replicas, prefix });
    return {
      store,
      dispose: async () => {
        await store.close();
      },
    };
  };
}

describeLogStoreContract(
  "JetStreamLogStore, R=1 (single node)",
  subjectOn(() => single, 1),
  { numRuns: 10 },
);
describeLogStoreContract(
  "JetStreamLogStore, R=3 (3-node cluster)",
  subjectOn(() => triple, 3),
  { numRuns: 6 },
);
describeRetentionContract(
  "JetStreamLogStore, R=1",
  subjectOn(() => single, 1),
  { supported: false },
);
