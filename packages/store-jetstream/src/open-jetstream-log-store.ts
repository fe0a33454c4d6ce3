import { jetstream, jetstreamManager, StorageType, type StreamConfig } from "@nats-io/jetstream";
import { Kvm, type KvOptions } from "@nats-io/kv";
import { connect, type NodeConnectionOptions } from "@nats-io/transport-node";
import { type Clock, type Rng, systemClock, systemRng } from "@openaxon/core";
import { JetStreamLogStore } from "./jetstream-log-store.js";
import { namesFor } from "./names.js";

export interface OpenJetStreamLogStoreOptions {
  /** NATS URLs, e.g. `nats://h1:4222`; the client fails over between them. */
  readonly servers: readonly string[];
  /** Replicas of the stream and buckets: 3 (the default) survives one node, 1 is a single node. */
  readonly replicas?: number;
  /** Names the stream and buckets, so several deployments can share a cluster. Default `OA`. */
  readonly prefix?: string;
  readonly clock?: Clock;
  readonly rng?: Rng;
  /** Extra nats.js connection options (credentials, TLS, name). */
  readonly connection?: Partial<NodeConnectionOptions>;
  readonly onWarning?: (message: string, error: unknown) => void;
}

/**
 * Connects, makes sure the events stream and the KV buckets exist with the asked replication, and
 * starts the store's tail feed. Safe to run on every axond node at once: adding a stream or bucket
 * that exists with the same configuration is a no-op; a different replica count is refused by the
 * server (the error says so) rather than silently ignored.
 */
export async function openJetStreamLogStore(
  options: OpenJetStreamLogStoreOptions,
): Promise<JetStreamLogStore> {
  const replicas = options.replicas ?? 3;
  if (![1, 3, 5].includes(replicas)) throw new Error(`replicas must be 1, 3 or 5, got ${replicas}`);
  const names = namesFor(options.prefix);
  const nc = await connect({
    servers: [...options.servers],
    name: "openaxon-axond",
    maxReconnectAttempts: -1,
    ...options.connection,
  });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const stream: Partial<StreamConfig> & { name: string } = {
      name: names.stream,
      subjects: [`${names.subjectPrefix}.>`],
      storage: StorageType.File,
      num_replicas: replicas,
      // Reads go to the leader, which has every acknowledged commit; replicas may lag.
      allow_direct: false,
      // Commits are never deleted one by one (that would open a gap); deleting an axon purges it.
      deny_delete: true,
      deny_purge: false,
    };
    await jsm.streams.add(stream).catch(async (error: unknown) => {
      const info = await jsm.streams.info(names.stream).catch(() => undefined);
      if (!info) throw error;
      if (info.config.num_replicas !== replicas) {
        throw new Error(
          `stream ${names.stream} exists with ${info.config.num_replicas} replica(s), not ${replicas}: ` +
            "pass the same --nats-replicas on every node (or change the stream with the nats CLI)",
        );
      }
    });
    const kvm = new Kvm(js);
    const bucket: Partial<KvOptions> = {
      replicas,
      history: 1,
      storage: StorageType.File,
      allow_direct: false,
    };
    const [axons, idempotency, records] = await Promise.all([
      kvm.create(names.axonsBucket, bucket),
      kvm.create(names.idempotencyBucket, bucket),
      kvm.create(names.recordsBucket, bucket),
    ]);
    const store = new JetStreamLogStore({
      nc,
      js,
      jsm,
      names,
      axons,
      idempotency,
      records,
      clock: options.clock ?? systemClock,
      rng: options.rng ?? systemRng,
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
    await store.start();
    return store;
  } catch (error) {
    await nc.close();
    throw error;
  }
}
