import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stdioAdapterFactory } from "@openaxon/adapter-stdio";
import { systemClock, systemRng } from "@openaxon/core";
import { GatewayRegistry, loadOrCreateKey, recordsFromStore, SecretBox } from "@openaxon/gateway";
import { RuntimeManager } from "@openaxon/runtime";
import { type RunningAxonServer, startAxonServer, WebhookRegistry } from "@openaxon/server";
import { SqlDatabases } from "@openaxon/sql";
import { type KvLogStore, openClassicLevelLogStore } from "@openaxon/store";

/**
 * A real axond core: classic-level in a temp dir behind the HTTP server on 127.0.0.1, optionally
 * with a real RuntimeManager (stdio agents) and the gateway registry, wired as axond wires them.
 */
export interface RealServer {
  readonly store: KvLogStore;
  readonly server: RunningAxonServer;
  readonly url: string;
  readonly dir: string;
  readonly runtimes: RuntimeManager | undefined;
  /** Stops the HTTP server (the store stays open) and starts a new one on the same port. */
  restart(between?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export interface RealServerOptions {
  apiKeys?: string[];
  /** Host runtimes with the stdio adapter (agents inherit PATH only). */
  runtimes?: boolean;
  /** Serve SecretService, NetworkPolicyService, GatewayConfigService and WebhookService (+ /webhooks/). */
  gateway?: boolean;
  /** Broker cancel grace for runtimes (default the broker's). */
  cancelGraceMs?: number;
  /** Serve SqlService (one SQLite file per axon under the temp dir). */
  sql?: boolean;
  /** Serve HTTPS with this PEM certificate and key. */
  tls?: { cert: string; key: string };
}

export async function startRealServer(options: RealServerOptions = {}): Promise<RealServer> {
  const dir = await mkdtemp(join(tmpdir(), "openaxon-real-server-"));
  const store = await openClassicLevelLogStore({ path: join(dir, "data") });
  const runtimes = options.runtimes
    ? new RuntimeManager({
        store,
        clock: systemClock,
        rng: systemRng,
        adapters: { stdio: stdioAdapterFactory },
        workdirRoot: join(dir, "runtimes"),
        hostEnv: { PATH: process.env.PATH },
        ...(options.cancelGraceMs !== undefined && { broker: { cancelGraceMs: options.cancelGraceMs } }),
      })
    : undefined;
  await runtimes?.start();
  const gatewayRegistry = options.gateway
    ? await GatewayRegistry.open({
        records: recordsFromStore(store),
        box: new SecretBox(await loadOrCreateKey({ dataDir: dir, env: {}, rng: systemRng }), systemRng),
        clock: systemClock,
        rng: systemRng,
      })
    : undefined;
  const webhooks =
    gatewayRegistry &&
    new WebhookRegistry({
      records: recordsFromStore(store),
      secrets: gatewayRegistry,
      axons: store,
      clock: systemClock,
      rng: systemRng,
    });
  const sql = options.sql ? await SqlDatabases.open({ dir: join(dir, "sql"), store, hosts: 1 }) : undefined;
  const start = (port: number) =>
    startAxonServer({
      store,
      host: "127.0.0.1",
      port,
      apiKeys: options.apiKeys,
      shutdownTimeoutMs: 2_000,
      ...(options.tls && { tls: options.tls }),
      ...(runtimes && { runtimes }),
      ...(gatewayRegistry && { gatewayRegistry }),
      ...(webhooks && { webhooks }),
      ...(sql && { sql }),
    });
  let server = await start(0);
  const port = server.port;
  return {
    store,
    dir,
    runtimes,
    get server() {
      return server;
    },
    url: server.url,
    async restart(between) {
      await server.close();
      await between?.();
      server = await start(port);
    },
    async close() {
      await server.close();
      await runtimes?.close();
      await sql?.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
