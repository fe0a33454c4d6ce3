import { join } from "node:path";
import { createConsoleSite } from "@openaxon/console";
import { systemClock, systemRng } from "@openaxon/core";
import { recordsFromStore } from "@openaxon/gateway";
import { ServerMetrics, startAxonServer, storeWriteObserver, WebhookRegistry } from "@openaxon/server";
import { SqlDatabases } from "@openaxon/sql";
import type { Logger } from "pino";
import type { AxondConfig } from "./config.js";
import { STORE_SUBDIR } from "./data-dir.js";
import { directoryBytes } from "./directory-bytes.js";
import { DisposerStack } from "./disposer-stack.js";
import { startGateway } from "./gateway.js";
import { formatListenUrl } from "./listen-address.js";
import { openStore } from "./open-store.js";
import { scheduleRetention } from "./retention-schedule.js";
import { createRuntimes } from "./runtimes.js";
import { StartupError } from "./startup-error.js";
import { readTlsFiles } from "./tls-files.js";
import { countingTurnOutcomes } from "./turn-outcomes.js";

export interface RunningAxond {
  /** Where clients connect, with the real port when the config asked for port 0. */
  readonly url: string;
  /** Graceful stop: drains streams, stops every agent, then closes (flushes) the store. */
  stop(): Promise<void>;
}

/** Why SqlService answers FAILED_PRECONDITION under `--store jetstream` (docs/scale-out.md). */
export const CLUSTER_SQL_REFUSAL =
  "SQL databases are per node and are not available with --store jetstream: an axon's database would " +
  "differ between the axond nodes serving it; run SQL on an axond with the embedded store (the default), " +
  "or keep the state in the axon's events";

/** Opens the data dir and serves it. Throws `StartupError` for problems the operator can fix. */
export async function startAxond(config: AxondConfig, logger: Logger): Promise<RunningAxond> {
  const resources = new DisposerStack();
  const closeAll = () =>
    resources.dispose((name, error) => logger.error({ err: error, resource: name }, "close failed"));
  try {
    // One set of metrics for /metrics, fed by the store's writes, the turns, the gateway and the server.
    const metrics = new ServerMetrics();
    const opened = resources.use(
      "store",
      await openStore(config, process.env, logger, storeWriteObserver(metrics, logger)),
      (s) => s.close(),
    );
    if (!config.store) metrics.watchStoreBytes(() => directoryBytes(join(config.dataDir, STORE_SUBDIR)));
    // Everything below appends through this one, so every turn's end is counted once.
    const store = countingTurnOutcomes(opened, metrics, logger);
    // Trimming and freeing deleted axons' disk; stopped (a pass finished) before the store closes.
    resources.use(
      "retention",
      scheduleRetention({ store, intervalMs: config.retentionIntervalMs, logger }),
      (r) => r.stop(),
    );
    // One SQLite file per axon under <data dir>/sql (issue 12); closed after the server, before the store.
    // Not in cluster mode: a file on one node's disk would differ between the nodes serving an axon.
    const sql = config.store
      ? undefined
      : resources.use(
          "sql",
          await SqlDatabases.open({ dir: join(config.dataDir, "sql"), store, logger }),
          (s) => s.close(),
        );
    const gateway = resources.use(
      "gateway",
      await startGateway({
        store,
        dataDir: config.dataDir,
        sandboxMode: config.sandbox,
        env: process.env,
        logger,
        onDecision: (decision, via) => metrics.gatewayDecisions.inc({ decision, via }),
      }),
      (g) => g.close(),
    );
    const runtimes = resources.use(
      "runtimes",
      createRuntimes({
        store,
        dataDir: config.dataDir,
        logger,
        network: gateway.network,
        ...(opened.runtimeLeases &&
          config.store && { leases: { store: opened.runtimeLeases, ttlMs: config.store.runtimeLeaseTtlMs } }),
      }),
      (r) => r.close(),
    );
    await runtimes.start();
    const server = resources.use(
      "server",
      await startAxonServer({
        store,
        ...(sql ? { sql } : { sqlRefusal: CLUSTER_SQL_REFUSAL }),
        runtimes,
        gatewayRegistry: gateway.registry,
        // Signed deliveries at /webhooks/<axon>/<hook>; records shared like secrets (cluster-wide).
        webhooks: new WebhookRegistry({
          records: recordsFromStore(store),
          secrets: gateway.registry,
          axons: store,
          clock: systemClock,
          rng: systemRng,
        }),
        host: config.listen.host,
        port: config.listen.port,
        apiKeys: [...config.apiKeys],
        allowedHosts: config.allowedHosts,
        corsOrigins: config.corsOrigins,
        // The web console at `/`, bundled in memory on its first request.
        site: createConsoleSite({ onBundleError: (err) => logger.error({ err }, "console bundle failed") }),
        logger,
        metrics,
        ...(config.tls ? { tls: await readTlsFiles(config.tls) } : {}),
        allowCleartext: config.allowCleartext,
        limits: {
          maxConnections: config.maxConnections,
          maxConcurrentStreams: config.maxStreamsPerConnection,
        },
      }).catch((error: unknown) => {
        throw explainListenError(error, config);
      }),
      (s) => s.close(),
    );
    const url = formatListenUrl({ host: config.listen.host, port: server.port }, config.tls !== undefined);
    logger.info(
      { url, dataDir: config.dataDir, apiKeys: config.apiKeys.length, sandbox: gateway.sandbox.kind },
      "axond started",
    );
    // Shutdown closes in reverse: server (drains streams), runtimes (stop agents), gateway, store.
    return { url, stop: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function explainListenError(error: unknown, config: AxondConfig): unknown {
  const code = (error as { code?: string }).code;
  const where = formatListenUrl(config.listen).slice("http://".length);
  if (typeof code === "string" && code.startsWith("ERR_OSSL")) {
    return new StartupError(
      `cannot serve TLS with ${config.tls?.certPath} and ${config.tls?.keyPath}: ${(error as Error).message}`,
    );
  }
  switch (code) {
    case "EADDRINUSE":
      return new StartupError(`cannot listen on ${where}: the address is already in use`);
    case "EADDRNOTAVAIL":
      return new StartupError(`cannot listen on ${where}: no local interface has that address`);
    case "EACCES":
      return new StartupError(
        `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`,
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new StartupError(`cannot listen on ${where}: the host name does not resolve`);
    default:
      return error;
  }
}
