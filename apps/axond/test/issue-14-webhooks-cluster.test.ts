import { createHmac, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { SecretService, WebhookProvider, WebhookService } from "@openaxon/protocol";
import { type NatsCluster, startNatsCluster } from "@openaxon/store-jetstream/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAxonClient, readAll } from "./support/axon-client.js";
import { type AxondProcess, startAxondProcess } from "./support/axond-process.js";

// Webhooks as axond wires them, on the JetStream store: records and secrets are shared, so a
// webhook made through one node takes deliveries on another, and a redelivery to either dedupes.
let cluster: NatsCluster;
let root: string;
const nodes: AxondProcess[] = [];
const secretKey = randomBytes(32).toString("base64");

beforeAll(async () => {
  [cluster, root] = await Promise.all([startNatsCluster(3), mkdtemp(join(tmpdir(), "axond-webhooks-"))]);
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(nodes.map((n) => n.stop("SIGTERM")));
  await cluster?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

const node = (name: string) =>
  startAxondProcess({
    args: [
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      join(root, name),
      "--store",
      "jetstream",
      "--nats",
      cluster.urls.join(","),
    ],
    env: { OPENAXON_SECRET_KEY: secretKey },
  });

describe("issue 14: webhooks on axond with the JetStream store", () => {
  it("a webhook created on node a takes a GitHub delivery on node b; the redelivery to a is a duplicate", async () => {
    const [a, b] = await Promise.all([node("a"), node("b")]);
    nodes.push(a, b);
    const transport = createGrpcTransport({ baseUrl: a.url });
    const axonId = (await connectAxonClient(a.url).createAxon({ name: "hooks" })).axon!.id;
    await createClient(SecretService, transport).createSecret({ name: "gh", value: "cluster-hook-secret" });
    await createClient(WebhookService, transport).createWebhook({
      axonId,
      name: "github",
      provider: WebhookProvider.GITHUB,
      secretName: "gh",
    });

    const body = JSON.stringify({ action: "opened", number: 1 });
    const deliver = (url: string) =>
      fetch(`${url}/webhooks/${axonId}/github`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "issues",
          "x-github-delivery": "cluster-delivery-1",
          "x-hub-signature-256": `sha256=${createHmac("sha256", "cluster-hook-secret").update(body).digest("hex")}`,
        },
        body,
      }).then(async (response) => ({ status: response.status, json: await response.json() }));

    expect(await deliver(b.url)).toEqual({ status: 200, json: { sequence: 1, duplicate: false } });
    expect(await deliver(a.url)).toEqual({ status: 200, json: { sequence: 1, duplicate: true } });
    const events = await readAll(connectAxonClient(a.url), axonId);
    expect(events.map((e) => [e.source, e.eventType, e.payload])).toEqual([
      ["github", "github.issues", body],
    ]);
  }, 120_000);
});
