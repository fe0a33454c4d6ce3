import { setTimeout as sleep } from "node:timers/promises";
import { jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { Kvm, type KvOptions } from "@nats-io/kv";
import { connect, type NodeConnectionOptions } from "@nats-io/transport-node";
import { type Clock, type Rng, systemClock, systemRng } from "@openaxon/core";
import { JetStreamLogStore } from "./jetstream-log-store.js";
import { namesFor } from "./names.js";
import { isTransientStartError } from "./transient-start-error.js";

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
  /**
   * How often the cluster tells an idle live feed it is alive; three missed heartbeats and the feed
   * follows again from a new consumer (the node holding it died). Default 5000; kept within 500 and 15000.
   */
  readonly feedHeartbeatMs?: number;
  /** How long a JetStream request (publish ack, message get) may take before it counts as failed. Default 5000. */
  readonly requestTimeoutMs?: number;
  /**
   * How long to keep trying while the cluster is not ready (no meta leader yet: requests time out
   * or get a 503), e.g. when axond and the cluster start together. Default 30000.
   */
  readonly startTimeoutMs?: number;
}

/**
 * Connects and makes sure the KV buckets exist with the asked replication (each axon's stream is
 * made by createAxon). Safe to run on every axond node at once: creating a bucket that exists with
 * the same configuration is a no-op.
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
    const timeout = options.requestTimeoutMs ?? 5000;
    const bucket: Partial<KvOptions> = {
      replicas,
      history: 1,
      storage: StorageType.File,
      allow_direct: false,
    };
    const { jsm, js, axons, idempotency, records } = await whileStarting(
      options.startTimeoutMs ?? 30_000,
      options.onWarning,
      async () => {
        const jsm = await jetstreamManager(nc, { timeout });
        const js = jetstream(nc, { timeout });
        const kvm = new Kvm(js);
        const [axons, idempotency, records] = await Promise.all([
          kvm.create(names.axonsBucket, bucket),
          kvm.create(names.idempotencyBucket, bucket),
          kvm.create(names.recordsBucket, bucket),
        ]);
        return { jsm, js, axons, idempotency, records };
      },
    );
    // A bucket just made (maybe by another node at the same moment) answers once its stream has
    // elected a leader: wait for that here, not in the first request a client makes.
    await Promise.all([axons, idempotency, records].map((kv) => untilAnswering(() => kv.get("ready"))));
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
      replicas,
      // A scan's next message is a pull away: twice a request's budget before calling it stalled.
      readIdleMs: 2 * timeout,
      ...(options.feedHeartbeatMs ? { feedHeartbeatMs: options.feedHeartbeatMs } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
    return store;
  } catch (error) {
    await nc.close();
    throw error;
  }
}

/** Runs `step` again while it fails only because the cluster is not ready, for up to `budgetMs`. */
async function whileStarting<T>(
  budgetMs: number,
  onWarning: ((message: string, error: unknown) => void) | undefined,
  step: () => Promise<T>,
): Promise<T> {
  const deadline = performance.now() + budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!isTransientStartError(error) || performance.now() >= deadline) throw error;
      onWarning?.(`the JetStream cluster is not ready yet (attempt ${attempt}); trying again`, error);
      await sleep(Math.min(250 * attempt, 2000));
    }
  }
}

async function untilAnswering(probe: () => Promise<unknown>, attempts = 60): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await probe();
      return;
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(250);
    }
  }
}
