import type { LeaseStore } from "@openaxon/runtime";
import { type LogStore, type RecordStore, StoreError, type StoreObserver } from "@openaxon/store";
import { openJetStreamLogStore } from "@openaxon/store-jetstream";
import type { Logger } from "pino";
import type { AxondConfig } from "./config.js";
import { openDataDir } from "./data-dir.js";
import { NODE_LOCAL_RECORD_KINDS, NodeLocalRecords } from "./node-local-records.js";
import { shareLocalRuntimes } from "./share-local-runtimes.js";
import { StartupError } from "./startup-error.js";

/**
 * The store `--store` asks for. Embedded (default): classic-level in the data dir. JetStream: the
 * cluster holds axons, events, secrets (still encrypted), policies, gateway configs and runtimes,
 * so every node serves them; each runtime is hosted by the node holding its lease
 * (`runtimeLeases`); only this node's host identity stays in its data dir. Cluster mode needs the same
 * OPENAXON_SECRET_KEY on every node (a key generated per data dir could not open the secrets
 * another node stored), and refuses to start without one. `observer` sees the embedded store's
 * writes (JetStream's are the cluster's: see docs/scale-out.md).
 */
export async function openStore(
  config: AxondConfig,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  observer?: StoreObserver,
): Promise<LogStore & RecordStore & { readonly runtimeLeases?: LeaseStore }> {
  const choice = config.store;
  if (!choice) {
    return openDataDir(config.dataDir, logger, {
      maxAxonBytes: config.maxAxonBytes,
      ...(observer && { observer }),
    });
  }
  if (!env.OPENAXON_SECRET_KEY?.trim()) {
    throw new StartupError(
      "--store jetstream needs OPENAXON_SECRET_KEY, the same on every axond node: secrets are stored in " +
        "the cluster encrypted with it, and a key generated per data dir could not open another node's",
    );
  }
  const local = await openDataDir(config.dataDir, logger);
  try {
    const shared = await openJetStreamLogStore({
      servers: choice.servers,
      replicas: choice.replicas,
      onWarning: (message, error) => logger.warn({ err: error, component: "store" }, message),
    });
    let leases: LeaseStore;
    try {
      leases = await shared.openLeases(choice.runtimeLeaseTtlMs).catch((error: unknown) => {
        throw new StartupError(
          `cannot open the runtime lease bucket with a ${choice.runtimeLeaseTtlMs} ms ttl (every node needs the same --runtime-lease-ttl): ${String((error as Error)?.message ?? error)}`,
        );
      });
      // Runtimes of a node from before leases lived in its data dir: they join the cluster's.
      const moved = await shareLocalRuntimes(local, shared);
      if (moved > 0)
        logger.warn(
          { runtimes: moved },
          "moved this node's runtime records from its data dir into the cluster",
        );
    } catch (error) {
      await shared.close();
      throw error;
    }
    logger.info(
      {
        store: "jetstream",
        servers: choice.servers,
        replicas: choice.replicas,
        runtimeLeaseTtlMs: choice.runtimeLeaseTtlMs,
        nodeLocalRecords: [...NODE_LOCAL_RECORD_KINDS],
      },
      "cluster mode: axons, events, secrets, policies, gateway configs and runtimes are in JetStream; each runtime runs on the node holding its lease; SQL databases are off",
    );
    return new NodeLocalRecords(shared, local, leases);
  } catch (error) {
    await local.close();
    if (error instanceof StoreError || error instanceof StartupError) throw error;
    throw new StartupError(
      `cannot open the JetStream store on ${choice.servers.join(",")}: ${String((error as Error)?.message ?? error)}`,
    );
  }
}
