import type { MachineInfo } from "../machine.js";

export interface PeerRow {
  readonly system: string;
  readonly client: string;
  readonly scenario: string;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** CPU of the server process (all threads) per event, from /proc. */
  readonly serverCpuMicrosPerEvent: number;
  /** Generator thread CPU ÷ wall time: near 1 means the generator, not the system, was the limit. */
  readonly generatorBusy: number;
  readonly peakRssMiB: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

export interface Ratio {
  readonly label: string;
  readonly value: number | undefined;
  readonly target: number;
}

export interface PeersSummary {
  readonly rows: readonly PeerRow[];
  readonly ratios: readonly Ratio[];
  readonly loadStart: string;
  readonly loadEnd: string;
}

const find = (rows: readonly PeerRow[], system: string, client: string, scenario: string) =>
  rows.find((r) => r.system === system && r.client === client && r.scenario === scenario)?.eventsPerSecond;

/** The issue's "Done when" pairs: axond ÷ peer. */
export function ratios(rows: readonly PeerRow[]): Ratio[] {
  const pair = (label: string, a: number | undefined, b: number | undefined, target: number): Ratio => ({
    label,
    value: a !== undefined && b !== undefined ? a / b : undefined,
    target,
  });
  return [
    pair(
      "SDK publish() unary-32 ÷ Redis everysec unary-32",
      find(rows, "axond", "axond-sdk", "unary-32"),
      find(rows, "redis-everysec", "redis", "unary-32"),
      1.0,
    ),
    pair(
      "grpc-js unary-32 ÷ JetStream unary-32",
      find(rows, "axond", "axond-grpc", "unary-32"),
      find(rows, "jetstream", "jetstream", "unary-32"),
      1.0,
    ),
    pair(
      "PublishBatch 100×4 ÷ Redis always MULTI 100×4",
      find(rows, "axond", "axond-grpc", "batch 100×4"),
      find(rows, "redis-always", "redis", "batch 100×4"),
      1.0,
    ),
    pair(
      "SDK replay ÷ Redis XRANGE paging",
      find(rows, "axond", "axond-sdk", "replay"),
      find(rows, "redis-everysec", "redis", "replay"),
      1.5,
    ),
  ];
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number | undefined) => (n === undefined ? "" : n < 10 ? n.toFixed(2) : n.toFixed(1));
const cells = (r: PeerRow) => [
  r.scenario,
  r.system,
  r.client,
  int(r.events),
  `${r.seconds.toFixed(2)} s`,
  int(r.eventsPerSecond),
  r.p50Ms === undefined ? "" : `${ms(r.p50Ms)} / ${ms(r.p99Ms)}`,
  r.serverCpuMicrosPerEvent.toFixed(1),
  `${Math.round(r.generatorBusy * 100)}%`,
  int(r.peakRssMiB),
];
const HEAD = [
  "scenario",
  "system",
  "client",
  "events",
  "time",
  "ev/s",
  "p50 / p99 ms per call",
  "server CPU µs/event",
  "generator busy",
  "server peak RSS MiB",
];
const ratioText = (r: Ratio) =>
  r.value === undefined
    ? "n/a (peer skipped)"
    : `${r.value.toFixed(2)}× (target ≥ ${r.target.toFixed(1)}×) ${r.value >= r.target ? "met" : "missed"}`;

export function formatPeersTable(s: PeersSummary): string {
  const table = [HEAD, ...s.rows.map(cells)];
  const widths = HEAD.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = table.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
  return [
    ...lines,
    "",
    ...s.ratios.map((r) => `${r.label}: ${ratioText(r)}`),
    "",
    `load average (1/5/15 min) at start ${s.loadStart}, at end ${s.loadEnd}`,
  ].join("\n");
}

export function formatPeersMarkdown(s: PeersSummary, machine: MachineInfo, command: string): string {
  return `## Side by side

Recorded by \`${command}\` on ${machine.date}: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB,
Node ${machine.node}, ${machine.os}. Load average (1/5/15 min) at start ${s.loadStart}, at end ${s.loadEnd}.

Each system runs as its own child process on 127.0.0.1 with a fresh temp dir, one system at a time:
axond (\`apps/axond\`, acks after an fsync'd group commit), redis-server with AOF and
\`appendfsync everysec\` or \`always\` (RDB off), nats-server with JetStream file storage. The same
generator (\`bench/peers/generator.ts\`, on a worker thread) sends the same 200-byte JSON payloads at
the same concurrency through one driver per system (\`bench/peers/*-driver.ts\`): unary-32 is 32
callers each awaiting its own ack (axond: grpc-js from the .proto, and the SDK's \`publish()\`; Redis:
XADD; JetStream: \`js.publish\` awaiting the PubAck); batch 100×4 is 4 callers of 100-event batches
(axond PublishBatch; Redis MULTI of 100 XADDs; JetStream 100 async publishes then await all);
replay reads a log populated beforehand from the start (axond Subscribe via the SDK and grpc-js;
Redis XRANGE pages of 1,000; JetStream an ordered consumer), checking order and payloads. Publish
scenarios stop at the event cap or the time cap, whichever comes first. Server CPU and peak RSS
come from \`/proc/<pid>\`; "generator busy" is the generator thread's CPU over wall time (near 100%
would mean the generator, not the system, was the limit).

| ${HEAD.join(" | ")} |
|${HEAD.map(() => "---").join("|")}|
${s.rows.map((r) => `| ${cells(r).join(" | ")} |`).join("\n")}

Ratios (axond ÷ peer, the issue 10 "Done when" pairs):

${s.ratios.map((r) => `- ${r.label}: **${ratioText(r)}**`).join("\n")}
`;
}
