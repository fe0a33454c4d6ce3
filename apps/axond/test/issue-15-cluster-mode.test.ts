import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { SqlService } from "@openaxon/protocol";
import { type NatsCluster, startNatsCluster } from "@openaxon/store-jetstream/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAxonClient, payloadOf, readAll } from "./support/axon-client.js";
import { type AxondProcess, runAxondToExit, startAxondProcess } from "./support/axond-process.js";

// Two real axond processes, each on its own data dir, sharing a real 3-node JetStream cluster.
let cluster: NatsCluster;
let root: string;
const nodes: AxondProcess[] = [];
const secretKey = randomBytes(32).toString("base64");

beforeAll(async () => {
  [cluster, root] = await Promise.all([startNatsCluster(3), mkdtemp(join(tmpdir(), "axond-cluster-"))]);
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(nodes.map((n) => n.stop("SIGTERM")));
  await cluster?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

function startNode(name: string, servers: readonly string[]) {
  return startAxondProcess({
    args: [
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      join(root, name),
      "--store",
      "jetstream",
      "--nats",
      servers.join(","),
    ],
    env: { OPENAXON_SECRET_KEY: secretKey },
  });
}

describe("issue 15: axond --store jetstream", () => {
  it("refuses to start in cluster mode without a shared secret key, and says why", async () => {
    const exit = await runAxondToExit({
      args: [
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        join(root, "nokey"),
        "--store",
        "jetstream",
        "--nats",
        cluster.urls.join(","),
      ],
    });
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toMatch(/OPENAXON_SECRET_KEY, the same on every axond node/);
  }, 60_000);

  it("two axond nodes serve one consistent log: concurrent publishes through both get one gap-free sequence", async () => {
    const [u1, u2, u3] = cluster.urls;
    const [a, b] = await Promise.all([startNode("a", [u1!, u2!, u3!]), startNode("b", [u2!, u3!, u1!])]);
    nodes.push(a, b);
    const ca = connectAxonClient(a.url);
    const cb = connectAxonClient(b.url);
    const { axon } = await ca.createAxon({ name: "shared" });
    const axonId = axon!.id;
    expect((await cb.getAxon({ id: axonId })).axon?.name).toBe("shared");
    const sequences = await Promise.all(
      Array.from({ length: 16 }, async (_, writer) => {
        const client = writer % 2 === 0 ? ca : cb;
        const out: number[] = [];
        for (let i = 0; i < 5; i++) {
          const { sequence } = await client.publish({
            axonId,
            origin: 3,
            source: "test",
            eventType: "user.message",
            payload: JSON.stringify({ writer, i }),
            idempotencyKey: `w${writer}-${i}`,
          });
          out.push(Number(sequence));
        }
        return out;
      }),
    );
    const all = sequences.flat().sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    const [onA, onB] = await Promise.all([readAll(ca, axonId), readAll(cb, axonId)]);
    expect(onA.map((e) => e.sequence)).toEqual(all.map(BigInt));
    expect(onB.map(payloadOf)).toEqual(onA.map(payloadOf));
    // A retry through the other node is recognised as the same publish.
    const again = await cb.publish({
      axonId,
      origin: 3,
      source: "test",
      eventType: "user.message",
      payload: JSON.stringify({ writer: 0, i: 0 }),
      idempotencyKey: "w0-0",
    });
    expect(Number(again.sequence)).toBe(sequences[0]![0]);
    expect((await ca.getAxon({ id: axonId })).axon?.headSequence).toBe(80n);
  }, 90_000);

  it("refuses SQL with FAILED_PRECONDITION and the reason: an axon's database would differ between nodes", async () => {
    const node = await startNode("sql", cluster.urls);
    nodes.push(node);
    const { axon } = await connectAxonClient(node.url).createAxon({ name: "with-sql" });
    const sql = createClient(SqlService, createGrpcTransport({ baseUrl: node.url }));
    const error = await sql.query({ axonId: axon!.id, sql: "SELECT 1" }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).toBe(Code.FailedPrecondition);
    expect(error?.rawMessage).toMatch(
      /^SQL databases are per node and are not available with --store jetstream/,
    );
  }, 60_000);
});
