import { StartupError } from "./startup-error.js";

export const STORE_KINDS = ["classic-level", "jetstream"] as const;

/** Where axons live when not in the data dir: a NATS JetStream cluster shared by every axond node. */
export interface JetStreamChoice {
  readonly kind: "jetstream";
  readonly servers: readonly string[];
  /** Replicas of each axon's stream and of the KV buckets: 3 (default) or 1 for a single node. */
  readonly replicas: number;
}

/**
 * `--store`, `--nats`, `--nats-replicas` (or OPENAXON_STORE, OPENAXON_NATS, OPENAXON_NATS_REPLICAS),
 * flags first. Undefined means the embedded classic-level store in the data dir (the default).
 */
export function decideStoreChoice(
  flags: { store?: string; nats?: string; natsReplicas?: string },
  env: Readonly<Record<string, string | undefined>>,
): JetStreamChoice | undefined {
  const kind = (flags.store ?? nonEmpty(env.OPENAXON_STORE) ?? "classic-level").toLowerCase();
  const natsText = flags.nats ?? nonEmpty(env.OPENAXON_NATS);
  const replicasText = flags.natsReplicas ?? nonEmpty(env.OPENAXON_NATS_REPLICAS);
  if (kind === "classic-level") {
    if (natsText !== undefined || replicasText !== undefined) {
      throw new StartupError("--nats and --nats-replicas need --store jetstream (OPENAXON_STORE=jetstream)");
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
  return { kind: "jetstream", servers, replicas };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
