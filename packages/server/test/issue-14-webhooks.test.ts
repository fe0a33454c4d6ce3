import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { systemClock, systemRng } from "@openaxon/core";
import { GatewayRegistry, loadOrCreateKey, recordsFromStore, SecretBox } from "@openaxon/gateway";
import { AxonService, Origin, SecretService, WebhookProvider, WebhookService } from "@openaxon/protocol";
import { type KvLogStore, openClassicLevelLogStore } from "@openaxon/store";
import { pino } from "pino";
import { afterEach, describe, expect, test } from "vitest";
import { type RunningAxonServer, startAxonServer, WebhookRegistry } from "../src/index.js";

const SECRET = "gh-webhook-secret-5b1f0c";
const hmac = (data: string) => createHmac("sha256", SECRET).update(data).digest("hex");

interface Setup {
  dir: string;
  store: KvLogStore;
  server: RunningAxonServer;
  logs: string[];
  axons: ReturnType<typeof createClient<typeof AxonService>>;
  secrets: ReturnType<typeof createClient<typeof SecretService>>;
  webhooks: ReturnType<typeof createClient<typeof WebhookService>>;
  axonId: string;
  head(): Promise<number>;
  post(
    path: string,
    body: string | Buffer,
    headers: Record<string, string>,
  ): Promise<{ status: number; json: unknown }>;
}

let s: Setup | undefined;
afterEach(async () => {
  await s?.server.close();
  await s?.store.close();
  if (s) await rm(s.dir, { recursive: true, force: true });
  s = undefined;
});

/** A real server on 127.0.0.1:0 over classic-level, wired as axond wires it. */
async function setup(options: { apiKeys?: string[] } = {}): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), "openaxon-webhooks-"));
  const logs: string[] = [];
  const logger = pino(
    { level: "info" },
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  const store = await openClassicLevelLogStore({ path: join(dir, "store") });
  const box = new SecretBox(await loadOrCreateKey({ dataDir: dir, env: {}, rng: systemRng }), systemRng);
  const records = recordsFromStore(store);
  const registry = await GatewayRegistry.open({ records, box, clock: systemClock, rng: systemRng, logger });
  const webhookRegistry = new WebhookRegistry({
    records,
    secrets: registry,
    axons: store,
    clock: systemClock,
    rng: systemRng,
  });
  const server = await startAxonServer({
    store,
    host: "127.0.0.1",
    port: 0,
    logger,
    gatewayRegistry: registry,
    webhooks: webhookRegistry,
    ...(options.apiKeys && { apiKeys: options.apiKeys }),
  });
  const key = options.apiKeys?.[0];
  const transport = createConnectTransport({
    baseUrl: server.url,
    httpVersion: "1.1",
    ...(key && {
      interceptors: [
        (next) => (request) => {
          request.header.set("authorization", `Bearer ${key}`);
          return next(request);
        },
      ],
    }),
  });
  const axons = createClient(AxonService, transport);
  const axonId = (await axons.createAxon({ name: "ci" })).axon!.id;
  return {
    dir,
    store,
    server,
    logs,
    axons,
    secrets: createClient(SecretService, transport),
    webhooks: createClient(WebhookService, transport),
    axonId,
    head: async () => (await store.getAxon(axonId))!.headSequence,
    async post(path, body, headers) {
      const response = await fetch(`${server.url}${path}`, { method: "POST", headers, body });
      const text = await response.text();
      return { status: response.status, json: text === "" ? undefined : JSON.parse(text) };
    },
  };
}

function githubHeaders(body: string, delivery = "d6e1a0a2-0000-11f0-8000-000000000001") {
  return {
    "content-type": "application/json",
    "x-github-event": "pull_request",
    "x-github-delivery": delivery,
    "x-hub-signature-256": `sha256=${hmac(body)}`,
  };
}

async function withGithubHook(h: Setup, name = "github") {
  await h.secrets.createSecret({ name: "gh", value: SECRET });
  const { webhook } = await h.webhooks.createWebhook({
    axonId: h.axonId,
    name,
    provider: WebhookProvider.GITHUB,
    secretName: "gh",
  });
  return webhook!;
}

const PR = JSON.stringify({ action: "opened", number: 42, pull_request: { title: "Add webhooks" } });

describe("issue 14: signed webhooks in", () => {
  test("a GitHub delivery publishes one EXTERNAL event; the redelivery dedupes", async () => {
    s = await setup();
    const webhook = await withGithubHook(s);
    expect(webhook).toMatchObject({ id: expect.stringMatching(/^wh_/), name: "github", secretName: "gh" });
    const path = `/webhooks/${s.axonId}/github`;

    const first = await s.post(path, PR, githubHeaders(PR));
    expect(first).toEqual({ status: 200, json: { sequence: 1, duplicate: false } });
    const events = await s.store.read(s.axonId, { afterSequence: 0, limit: 10 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      origin: Origin.EXTERNAL_EVENT,
      source: "github",
      eventType: "github.pull_request",
      payload: PR,
    });

    const again = await s.post(path, PR, githubHeaders(PR));
    expect(again).toEqual({ status: 200, json: { sequence: 1, duplicate: true } });
    expect(await s.head()).toBe(1);
    // Another delivery id is another event.
    expect(await s.post(path, PR, githubHeaders(PR, "other-delivery"))).toMatchObject({
      status: 200,
      json: { sequence: 2, duplicate: false },
    });
  });

  test("a wrong signature is 401, publishes nothing and leaves an audit line", async () => {
    s = await setup();
    await withGithubHook(s);
    const path = `/webhooks/${s.axonId}/github`;
    const forged = { ...githubHeaders(PR), "x-hub-signature-256": `sha256=${"0".repeat(64)}` };
    expect((await s.post(path, PR, forged)).status).toBe(401);
    const tampered = PR.replace("42", "43");
    expect((await s.post(path, tampered, githubHeaders(PR))).status).toBe(401);
    const unsigned: Record<string, string> = githubHeaders(PR);
    delete unsigned["x-hub-signature-256"];
    expect((await s.post(path, PR, unsigned)).status).toBe(401);
    expect(await s.head()).toBe(0);
    const audits = s.logs.map((line) => JSON.parse(line)).filter((line) => line.audit === "webhook.refused");
    expect(audits).toHaveLength(3);
    expect(audits[0]).toMatchObject({ axon_id: s.axonId, webhook: "github", status: 401, level: 40 });
    expect(s.logs.join("")).not.toContain(SECRET);
  });

  test("Slack: the URL check is answered, a signed event is published, a stale timestamp is 401", async () => {
    s = await setup();
    await s.secrets.createSecret({ name: "slack-signing", value: SECRET });
    await s.webhooks.createWebhook({
      axonId: s.axonId,
      name: "slack",
      provider: WebhookProvider.SLACK,
      secretName: "slack-signing",
    });
    const path = `/webhooks/${s.axonId}/slack`;
    const signed = (body: string, timestamp: number) => ({
      "content-type": "application/json",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": `v0=${hmac(`v0:${timestamp}:${body}`)}`,
    });
    const now = Math.floor(Date.now() / 1000);

    const challenge = JSON.stringify({ token: "t", challenge: "abc123", type: "url_verification" });
    expect(await s.post(path, challenge, signed(challenge, now))).toEqual({
      status: 200,
      json: { challenge: "abc123" },
    });
    expect(await s.head()).toBe(0);

    const mention = JSON.stringify({
      type: "event_callback",
      event_id: "Ev0001",
      event: { type: "app_mention", text: "<@U1> deploy" },
    });
    expect((await s.post(path, mention, signed(mention, now))).status).toBe(200);
    const [event] = await s.store.read(s.axonId, { afterSequence: 0, limit: 10 });
    expect(event).toMatchObject({
      source: "slack",
      eventType: "slack.app_mention",
      origin: Origin.EXTERNAL_EVENT,
    });
    // Slack retries with the same event_id (and a fresh timestamp): a duplicate.
    expect((await s.post(path, mention, signed(mention, now + 1))).json).toMatchObject({ duplicate: true });

    const stale = await s.post(path, mention, signed(mention, now - 6 * 60));
    expect(stale.status).toBe(401);
    expect(JSON.stringify(stale.json)).toContain("5 minutes");
    expect(await s.head()).toBe(1);
  });

  test("a body over 1 MiB is 413; unknown axon or hook is 404; GET is 405", async () => {
    s = await setup();
    await withGithubHook(s);
    const big = JSON.stringify({ blob: "x".repeat(1024 * 1024) });
    const tooLarge = await s.post(`/webhooks/${s.axonId}/github`, big, githubHeaders(big));
    expect(tooLarge.status).toBe(413);
    // Without Content-Length (chunked): counted while reading.
    const chunked = await fetch(`${s.server.url}/webhooks/${s.axonId}/github`, {
      method: "POST",
      headers: githubHeaders(big),
      body: new Blob([big]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await s.post(`/webhooks/${s.axonId}/nope`, PR, githubHeaders(PR))).status).toBe(404);
    expect((await s.post(`/webhooks/ax_unknown/github`, PR, githubHeaders(PR))).status).toBe(404);
    expect((await s.post(`/webhooks/${s.axonId}/github/extra`, PR, githubHeaders(PR))).status).toBe(404);
    expect((await fetch(`${s.server.url}/webhooks/${s.axonId}/github`)).status).toBe(405);
    expect(await s.head()).toBe(0);
  });

  test("a webhook whose secret was deleted fails closed: 401 and an audit line", async () => {
    s = await setup();
    await withGithubHook(s);
    await s.secrets.deleteSecret({ id: "gh" });
    const refused = await s.post(`/webhooks/${s.axonId}/github`, PR, githubHeaders(PR));
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.json)).toContain("does not exist");
    expect(await s.head()).toBe(0);
    expect(s.logs.some((line) => line.includes('"audit":"webhook.refused"'))).toBe(true);
  });

  test("with API keys the endpoint needs none (the signature is the authentication); the service needs admin", async () => {
    s = await setup({ apiKeys: ["admin-key"] });
    await withGithubHook(s);
    expect((await s.post(`/webhooks/${s.axonId}/github`, PR, githubHeaders(PR))).status).toBe(200);
    const anonymous = createClient(
      WebhookService,
      createConnectTransport({ baseUrl: s.server.url, httpVersion: "1.1" }),
    );
    const error = await anonymous.listWebhooks({}).catch((e) => ConnectError.from(e));
    expect(error).toMatchObject({ code: Code.Unauthenticated });
    // A browser page elsewhere is refused by the same Origin rule as the API, before the body.
    const fromPage = await s.post(`/webhooks/${s.axonId}/github`, PR, {
      ...githubHeaders(PR, "from-page"),
      origin: "https://evil.example",
    });
    expect(fromPage.status).toBe(403);
    expect(await s.head()).toBe(1);
  });

  test("WebhookService: create checks the axon, the secret and the name; list, get, delete", async () => {
    s = await setup();
    const webhook = await withGithubHook(s);
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e) => ConnectError.from(e).code,
      );
    const create = (
      fields: Partial<{ axonId: string; name: string; provider: WebhookProvider; secretName: string }>,
    ) =>
      codeOf(
        s!.webhooks.createWebhook({
          axonId: s!.axonId,
          name: "another",
          provider: WebhookProvider.GENERIC_HMAC_SHA256,
          secretName: "gh",
          ...fields,
        }),
      );
    expect(await create({ name: "github" })).toBe(Code.AlreadyExists);
    expect(await create({ axonId: "ax_missing" })).toBe(Code.NotFound);
    expect(await create({ secretName: "missing" })).toBe(Code.NotFound);
    expect(await create({ name: "bad/name" })).toBe(Code.InvalidArgument);
    expect(await create({ provider: WebhookProvider.UNSPECIFIED })).toBe(Code.InvalidArgument);
    expect(await create({})).toBe("ok");
    expect((await s.webhooks.listWebhooks({ axonId: s.axonId })).webhooks.map((w) => w.name)).toEqual(
      expect.arrayContaining(["github", "another"]),
    );
    expect((await s.webhooks.getWebhook({ id: webhook.id })).webhook?.provider).toBe(WebhookProvider.GITHUB);
    await s.webhooks.deleteWebhook({ id: webhook.id });
    expect(await codeOf(s.webhooks.getWebhook({ id: webhook.id }))).toBe(Code.NotFound);
    expect((await s.post(`/webhooks/${s.axonId}/github`, PR, githubHeaders(PR))).status).toBe(404);
  });
});
