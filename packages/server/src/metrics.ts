import type { RuntimeStatus } from "@openaxon/runtime";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Every runtime status, so each has a series (0 when no runtime is in it). */
const RUNTIME_STATUSES = [
  "provisioning",
  "running",
  "suspending",
  "suspended",
  "resuming",
  "shutdown",
  "failed",
] as const satisfies readonly RuntimeStatus[];

/** Powers of two up to `max`: group commit sizes span 1 to thousands. */
const powersOfTwo = (max: number): number[] => {
  const out: number[] = [];
  for (let n = 1; n <= max; n *= 2) out.push(n);
  return out;
};

/**
 * The server's Prometheus metrics (names documented in the README). One Registry per server, not
 * prom-client's global one, so several servers in one process (tests) do not collide. Updates are
 * counter increments and label lookups: nothing per call beyond prom-client's own bookkeeping.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly rpcs = new Counter({
    name: "openaxon_rpc_total",
    help: "RPCs finished, by method and code (ok, not_found, canceled, ...)",
    labelNames: ["method", "code"] as const,
    registers: [this.registry],
  });
  readonly grpcFastPath = new Counter({
    name: "openaxon_grpc_fast_path_total",
    help: "calls served on raw HTTP/2 streams without Connect (gRPC unary Publish, PublishBatch, CreateAxon; gRPC and Connect Append sessions), by method",
    labelNames: ["method"] as const,
    registers: [this.registry],
  });
  readonly publishes = new Counter({
    name: "openaxon_publish_total",
    help: "Appends acknowledged durable (one per Publish, PublishBatch or Append batch)",
    registers: [this.registry],
  });
  readonly publishedEvents = new Counter({
    name: "openaxon_published_events_total",
    help: "Events in acknowledged appends (idempotent repeats included)",
    registers: [this.registry],
  });
  readonly publishFailures = new Counter({
    name: "openaxon_publish_failures_total",
    help: "Appends the store refused or failed (precondition, deleted axon, write error)",
    registers: [this.registry],
  });
  readonly publishDuration = new Histogram({
    name: "openaxon_publish_duration_seconds",
    help: "Time from handing an append to the store until it is durable (group commit and fsync included)",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly subscribers = new Gauge({
    name: "openaxon_subscribers",
    help: "Open Subscribe streams",
    registers: [this.registry],
  });
  readonly fellBehind = new Counter({
    name: "openaxon_subscriber_fell_behind_total",
    help: "Times a live subscriber lagged past its buffer and fell back to store reads",
    registers: [this.registry],
  });
  readonly axonsCreated = new Counter({
    name: "openaxon_axons_created_total",
    help: "Axons created",
    registers: [this.registry],
  });
  readonly axonsDeleted = new Counter({
    name: "openaxon_axons_deleted_total",
    help: "Axons deleted",
    registers: [this.registry],
  });

  readonly storeFsyncDuration = new Histogram({
    name: "openaxon_store_fsync_duration_seconds",
    help: "Duration of one durable write of the group commit (the batch written and fsynced), failed ones included",
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly groupCommitCommits = new Histogram({
    name: "openaxon_store_group_commit_commits",
    help: "Commits (appends, metadata and record writes) merged into one durable write",
    buckets: powersOfTwo(1024),
    registers: [this.registry],
  });
  readonly groupCommitEvents = new Histogram({
    name: "openaxon_store_group_commit_events",
    help: "Events appended by one durable write",
    buckets: [0, ...powersOfTwo(65536)],
    registers: [this.registry],
  });
  readonly storeWriteFailures = new Counter({
    name: "openaxon_store_write_failures_total",
    help: "Durable writes that failed (the store refuses writes until it recovers; see /healthz)",
    registers: [this.registry],
  });
  readonly turns = new Counter({
    name: "openaxon_turns_total",
    help: "Turns ended, by outcome (completed, cancelled, failed) and stop reason of completed turns",
    labelNames: ["outcome", "stop_reason"] as const,
    registers: [this.registry],
  });
  readonly gatewayDecisions = new Counter({
    name: "openaxon_gateway_decisions_total",
    help: "Egress decisions of the gateway (allowed, denied) by where they were made (egress-proxy, credential-gateway), counted before the audit rate limit",
    labelNames: ["decision", "via"] as const,
    registers: [this.registry],
  });

  private frameBytesInFlight: () => number = () => 0;
  private runtimeStatuses: () => readonly { readonly status: string }[] = () => [];

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const metrics = this;
    new Gauge({
      name: "openaxon_subscribe_frame_bytes_in_flight",
      help: "Bytes of Subscribe frames handed to the transport and not yet written (all streams)",
      registers: [this.registry],
      collect() {
        this.set(metrics.frameBytesInFlight());
      },
    });
    new Gauge({
      name: "openaxon_runtimes",
      help: "Runtimes hosted by this server, by status",
      labelNames: ["status"] as const,
      registers: [this.registry],
      collect() {
        const counts = new Map<string, number>(RUNTIME_STATUSES.map((s) => [s, 0]));
        for (const { status } of metrics.runtimeStatuses()) counts.set(status, (counts.get(status) ?? 0) + 1);
        for (const [status, n] of counts) this.set({ status }, n);
      },
    });
  }

  /** Where openaxon_runtimes reads from (the runtime manager's list), at scrape time. */
  watchRuntimes(list: () => readonly { readonly status: string }[]): void {
    this.runtimeStatuses = list;
  }

  /**
   * Adds openaxon_store_size_bytes, read from `read` at scrape time. Not called for a store with no
   * local files (JetStream), so the series is absent rather than a misleading 0.
   */
  watchStoreBytes(read: () => Promise<number>): void {
    new Gauge({
      name: "openaxon_store_size_bytes",
      help: "Bytes on disk of the embedded store (its LevelDB files), read at scrape time",
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }

  /** Where openaxon_subscribe_frame_bytes_in_flight reads from (the server's frame budget). */
  watchFrameBytes(read: () => number): void {
    this.frameBytesInFlight = read;
  }
}
