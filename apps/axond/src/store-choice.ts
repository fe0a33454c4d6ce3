import { formatDuration, parseDuration } from "@openaxon/core";
import { StartupError } from "./startup-error.js";

export const STORE_KINDS = ["classic-level", "jetstream"] as const;

/** Where axons live when not in the data dir: a NATS JetStream cluster shared by every axond node. */
export interface JetStreamChoice {
  readonly kind: "jetstream";
  readonly servers: readonly string[];
  /** Replicas of each axon's stream and of the KV buckets: 3 (default) or 1 for a single node. */
  readonly replicas: number;
  /** How long a runtime's lease lasts without renewal: the node holding it is presumed dead after it. */
  readonly runtimeLeaseTtlMs: number;
}

export const DEFAULT_RUNTIME_LEASE_TTL_MS = 10_000;
export const MIN_RUNTIME_LEASE_TTL_MS = 1_000;

/**
 * `--store`, `--nats`, `--nats-replicas` (or OPENAXON_STORE, OPENAXON_NATS, OPENAXON_NATS_REPLICAS),
 * flags first. Undefined means the embedded classic-level store in the data dir (the default).
 */
export function decideStoreChoice(
  flags: { store?: string; nats?: string; natsReplicas?: string; runtimeLeaseTtl?: string },
  env: Readonly<Record<string, string | undefined>>,
): JetStreamChoice | undefined {
  const kind = (flags.store ?? nonEmpty(env.OPENAXON_STORE) ?? "classic-level").toLowerCase();
  const natsText = flags.nats ?? nonEmpty(env.OPENAXON_NATS);
  const replicasText = flags.natsReplicas ?? nonEmpty(env.OPENAXON_NATS_REPLICAS);
  const ttlText = flags.runtimeLeaseTtl ?? nonEmpty(env.OPENAXON_RUNTIME_LEASE_TTL);
  if (kind === "classic-level") {
    if (natsText !== undefined || replicasText !== undefined) {
      throw new StartupError("--nats and --nats-replicas need --store jetstream (OPENAXON_STORE=jetstream)");
    }
    if (ttlText !== undefined) {
      throw new StartupError(
        "--runtime-lease-ttl needs --store jetstream (OPENAXON_STORE=jetstream): with the embedded store one node hosts every runtime, no lease is needed",
      );
    }
    return undefined;
  }
  if (kind !== "jetstream") {
    throw new StartupError(`invalid store "${kind}" (expected one of ${STORE_KINDS.join(", ")})`);
  }
  const servers = (natsText ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (servers.length === 0) {
    throw new StartupError(
      "--store jetstream needs the cluster's addresses: --nats nats://h1:4222,nats://h2:4222,nats://h3:4222 (or OPENAXON_NATS)",
    );
  }
  for (const server of servers) {
    if (!/^(nats|tls):\/\/[^\s/]+$/.test(server)) {
      throw new StartupError(`--nats "${server}" must look like nats://host:port or tls://host:port`);
    }
  }
  const replicas = replicasText === undefined ? 3 : Number(replicasText);
  if (![1, 3, 5].includes(replicas)) {
    throw new StartupError(`--nats-replicas must be 1, 3 or 5, got "${replicasText}"`);
  }
  const runtimeLeaseTtlMs = ttlText === undefined ? DEFAULT_RUNTIME_LEASE_TTL_MS : parseDuration(ttlText);
  if (runtimeLeaseTtlMs === undefined || runtimeLeaseTtlMs < MIN_RUNTIME_LEASE_TTL_MS) {
    throw new StartupError(
      `--runtime-lease-ttl must be a duration of at least ${formatDuration(MIN_RUNTIME_LEASE_TTL_MS)} such as 10s, got "${ttlText}"`,
    );
  }
  return { kind: "jetstream", servers, replicas, runtimeLeaseTtlMs };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
