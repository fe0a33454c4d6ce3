import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

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
    help: "gRPC unary calls served on the fast path (raw HTTP/2 stream, no Connect), by method",
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

  private frameBytesInFlight: () => number = () => 0;

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
  }

  /** Where openaxon_subscribe_frame_bytes_in_flight reads from (the server's frame budget). */
  watchFrameBytes(read: () => number): void {
    this.frameBytesInFlight = read;
  }
}
