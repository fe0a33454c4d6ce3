import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import {
  assertAxonLogLinearizable,
  HistoryRecorder,
  type LogWorkloadPlan,
  logWorkloadPlan,
  runLogWorkload,
  waitUntil,
} from "@openaxon/store/test-support";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JetStreamLogStore, namesFor, openJetStreamLogStore } from "../src/index.js";
import { type NatsCluster, startNatsCluster } from "./support/nats-cluster.js";

// Recorded histories through two stores, each first connected to a different node of a real
// 3-node cluster: concurrent writers (shared idempotency keys, racing expected heads) and readers
// on one axon, every history checked for linearizability (issue 15).
let cluster: NatsCluster;
let a: JetStreamLogStore;
let b: JetStreamLogStore;
beforeAll(async () => {
  cluster = await startNatsCluster(3);
  const [u1, u2, u3] = cluster.urls;
  const open = (servers: string[]) =>
    openJetStreamLogStore({
      servers,
      prefix: "LIN",
      connection: { noRandomize: true, reconnectTimeWait: 50 },
      requestTimeoutMs: 5000,
    });
  a = await open([u1!, u2!, u3!]);
  b = await open([u2!, u3!, u1!]);
}, 60_000);
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await cluster?.stop();
});

describe("issue 15: histories recorded through two nodes of a 3-node cluster are linearizable", () => {
  it("any plan of racing appends and reads, split across the nodes", async () => {
    let operations = 0;
    await fc.assert(
      fc.asyncProperty(logWorkloadPlan({ writers: 8, readers: 4, steps: 6 }), async (plan) => {
        const { id } = await a.createAxon({ name: "", labels: {} });
        const recorder = new HistoryRecorder();
        const clients = [
          { name: "node-1", store: a },
          { name: "node-2", store: b },
        ];
        await runLogWorkload({ plan, clients, axonId: id, recorder });
        const history = recorder.history(id);
        operations += history.length;
        assertAxonLogLinearizable(history);
      }),
      { numRuns: 10 },
    );
    expect(operations).toBeGreaterThan(10 * 4);
  }, 120_000);

  it("a history through a kill -9 of the stream leader, with unanswered appends, is linearizable too", async () => {
    const { id } = await a.createAxon({ name: "", labels: {} });
    // Long enough to be mid-run when the leader dies: 8 writers × 25 appends, shared keys, some racing heads.
    const plan: LogWorkloadPlan = {
      writers: Array.from({ length: 8 }, (_, w) =>
        Array.from({ length: 25 }, (_, n) => ({
          size: 1 + ((w + n) % 3),
          key: n % 4 === 0 ? (w + n) % 6 : undefined,
          expect: n % 5 === 0 ? ("seen" as const) : ("none" as const),
        })),
      ),
      readers: Array.from({ length: 4 }, (_, r) => [
        { kind: "read" as const, after: r * 5, limit: 30, descending: r % 2 === 1 },
        { kind: "head" as const },
      ]),
    };
    const recorder = new HistoryRecorder();
    const clients = [
      { name: "node-1", store: a },
      { name: "node-2", store: b },
    ];
    const run = runLogWorkload({ plan, clients, axonId: id, recorder });
    await waitUntil(() => recorder.history(id).length >= 60, 20_000);
    const leader = await streamLeader(`${namesFor("LIN").streamPrefix}${id}`);
    const victim = cluster.nodes.findIndex((n) => n.name === leader);
    expect(victim).toBeGreaterThanOrEqual(0);
    await cluster.kill(victim);
    await run;
    await cluster.restart(victim);
    const history = recorder.history(id);
    expect(history.length).toBeGreaterThan(300);
    assertAxonLogLinearizable(history);
  }, 120_000);
});

async function streamLeader(stream: string): Promise<string | undefined> {
  const nc = await connect({ servers: [...cluster.urls] });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream);
    return info.cluster?.leader;
  } finally {
    await nc.close();
  }
}
