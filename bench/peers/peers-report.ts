import type { MachineInfo } from "../machine.js";
import type { FanoutResult } from "./fanout.js";
import type { MemoryResult } from "./memory.js";
import type { StallResult } from "./stall.js";

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
  /** The publish pairs again with axond replaced by null-axond: how far the client alone lets a server go. */
  readonly ceilings: readonly Ratio[];
  /** Live fan-out with node:http2 subscribers: the row the checks read. */
  readonly fanout?: FanoutResult;
  /** The same on a fresh axond with frame-level subscribers (less bench CPU): shown, not checked. */
  readonly fanoutFrames?: FanoutResult;
  readonly stall?: StallResult;
  readonly memory?: MemoryResult;
  readonly loadStart: string;
  readonly loadEnd: string;
}

const find = (rows: readonly PeerRow[], system: string, client: string, scenario: string) =>
  rows.find((r) => r.system === system && r.client === client && r.scenario === scenario)?.eventsPerSecond;

const pair = (label: string, a: number | undefined, b: number | undefined, target: number): Ratio => ({
  label,
  value: a !== undefined && b !== undefined ? a / b : undefined,
  target,
});

/** The publish "Done when" pairs: an axond client against a peer in the same scenario. */
const PUBLISH_PAIRS = [
  {
    what: "SDK publish() unary-32",
    client: "axond-sdk",
    scenario: "unary-32",
    peer: "Redis everysec unary-32",
    peerSystem: "redis-everysec",
    peerClient: "redis",
  },
  {
    what: "grpc-js unary-32",
    client: "axond-grpc",
    scenario: "unary-32",
    peer: "JetStream unary-32",
    peerSystem: "jetstream",
    peerClient: "jetstream",
  },
  {
    what: "PublishBatch 100×4",
    client: "axond-grpc",
    scenario: "batch 100×4",
    peer: "Redis always MULTI 100×4",
    peerSystem: "redis-always",
    peerClient: "redis",
  },
] as const;

/** A publish pair with `system` serving the axond client: axond itself, or null-axond for the ceiling. */
const publishPair = (rows: readonly PeerRow[], system: string, p: (typeof PUBLISH_PAIRS)[number]) =>
  pair(
    `${p.what}${system === "axond" ? "" : ` against ${system}`} ÷ ${p.peer}`,
    find(rows, system, p.client, p.scenario),
    find(rows, p.peerSystem, p.peerClient, p.scenario),
    1.0,
  );

/** The issue's "Done when" pairs: axond ÷ peer. */
export function ratios(rows: readonly PeerRow[]): Ratio[] {
  return [
    ...PUBLISH_PAIRS.map((p) => publishPair(rows, "axond", p)),
    pair(
      "SDK replay ÷ Redis XRANGE paging",
      find(rows, "axond", "axond-sdk", "replay"),
      find(rows, "redis-everysec", "redis", "replay"),
      1.5,
    ),
  ];
}

/**
 * The publish pairs with axond replaced by null-axond (a server that stores nothing): the ratio no
 * server could beat with that client on this machine. Its target is the pair's.
 */
export function clientCeilings(rows: readonly PeerRow[]): Ratio[] {
  return PUBLISH_PAIRS.map((p) => publishPair(rows, "null-axond", p));
}

const ceilingText = (r: Ratio) =>
  r.value === undefined
    ? "n/a (peer skipped)"
    : `${r.value.toFixed(2)}×: ${r.value >= r.target ? "the client leaves room to reach" : "the client alone keeps any server below"} the ${r.target.toFixed(1)}× target`;

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

const aligned = (head: readonly string[], rows: readonly string[][]) => {
  const table = [head, ...rows];
  const widths = head.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return table.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
};

export function formatPeersTable(s: PeersSummary): string {
  const live = liveChecks(s);
  return [
    ...(s.rows.length > 0 ? [...aligned(HEAD, s.rows.map(cells)), ""] : []),
    ...(s.rows.length > 0 ? [...s.ratios.map((r) => `${r.label}: ${ratioText(r)}`), ""] : []),
    ...(s.ceilings.some((c) => c.value !== undefined)
      ? [...s.ceilings.map((c) => `${c.label}: ${ceilingText(c)}`), ""]
      : []),
    ...(fanoutRows(s).length > 0 ? [...aligned(FANOUT_HEAD, fanoutRows(s)), ""] : []),
    ...(s.stall ? [...aligned(STALL_HEAD, [stallCells(s.stall)]), ""] : []),
    ...(s.memory ? [...aligned(MEMORY_HEAD, [memoryCells(s.memory)]), ""] : []),
    ...(live.length > 0 ? [...live.map((c) => `${c.label}: ${checkText(c)}`), ""] : []),
    ...[s.fanout?.errors, s.fanoutFrames?.errors, s.stall?.errors, s.memory?.live.errors].flatMap((e) =>
      e && e.length > 0 ? [`errors: ${e.join("; ")}`] : [],
    ),
    `load average (1/5/15 min) at start ${s.loadStart}, at end ${s.loadEnd}`,
  ].join("\n");
}

// Live fan-out and the stalled subscriber: axond only, with the lean Subscribe client.

const RSS_BOUND_MIB = 400;
/** Issue 10 item 5: 10k axons and 1k live subscribers in 200 MB. */
const MEMORY_BOUND_MB = 200;
const FANOUT_P99_BOUND_MS = 50;

export interface Check {
  readonly label: string;
  readonly met: boolean | undefined;
  readonly value: string;
}

const checkText = (c: Check) => `${c.value} ${c.met === undefined ? "(n/a)" : c.met ? "met" : "missed"}`;

/** The issue's "Done when" checks for the live scenarios. */
export function liveChecks(s: Pick<PeersSummary, "fanout" | "stall" | "memory">): Check[] {
  const checks: Check[] = [];
  const f = s.fanout;
  if (f) {
    checks.push(
      {
        label: `fan-out publish→deliver p99 ≤ ${FANOUT_P99_BOUND_MS} ms (after ${f.warmupSeconds} s of warm-up, whose worst was ${ms(f.warmupMaxMs)} ms)`,
        met: f.p99Ms === undefined ? undefined : f.p99Ms <= FANOUT_P99_BOUND_MS,
        value: `**${ms(f.p99Ms)} ms**`,
      },
      {
        label: "fan-out every event delivered, in order, to every subscriber",
        met:
          f.missing === 0 &&
          f.undelivered === 0 &&
          f.duplicates === 0 &&
          f.completeSubscribers === f.subscribers,
        value: `**${int(f.deliveries)} of ${int(f.expectedDeliveries)} deliveries, ${int(f.missing)} skipped, ${int(f.undelivered)} never arrived, ${int(f.duplicates)} duplicates, ${int(f.completeSubscribers)} of ${int(f.subscribers)} subscribers complete**`,
      },
      {
        label: `fan-out axond peak RSS ≤ ${RSS_BOUND_MIB} MB`,
        met: f.peakRssMiB <= RSS_BOUND_MIB,
        value: `**${int(f.peakRssMiB)} MiB**`,
      },
    );
  }
  const t = s.stall;
  if (t) {
    checks.push(
      {
        label: `stalled subscriber: axond peak RSS ≤ ${RSS_BOUND_MIB} MB while stalled`,
        met: t.stalledPeakRssMiB <= RSS_BOUND_MIB,
        value: `**${int(t.stalledPeakRssMiB)} MiB** (baseline ${int(t.baselineRssMiB)}, +${int(t.stalledPeakRssMiB - t.baselineRssMiB)})`,
      },
      {
        label: "stalled subscriber: stream reported fell_behind",
        met: t.fellBehind > 0,
        value: `**${t.fellBehind} fell_behind frame(s)**`,
      },
      {
        label: "stalled subscriber: every event delivered with no gap after resuming",
        met: t.missing === 0 && t.duplicates === 0 && t.lastSequence === t.events && t.events > 0,
        value: `**${int(t.delivered)} of ${int(t.events)} delivered, ${int(t.missing)} missing, ${int(t.duplicates)} duplicates**`,
      },
    );
  }
  const m = s.memory;
  if (m) {
    const mb = (m.peakRssMiB * 1024 * 1024) / 1e6;
    checks.push(
      {
        label: `${int(m.axons)} axons and ${int(m.subscribers)} live subscribers: axond peak RSS with the subscribers live ≤ ${MEMORY_BOUND_MB} MB (item 5)`,
        met: mb <= MEMORY_BOUND_MB,
        value: `**${int(mb)} MB** (${int(m.peakRssMiB)} MiB)`,
      },
      {
        label: "those subscribers got every event, in order",
        met:
          m.live.missing === 0 &&
          m.live.undelivered === 0 &&
          m.live.duplicates === 0 &&
          m.live.completeSubscribers === m.live.subscribers,
        value: `**${int(m.live.deliveries)} of ${int(m.live.expectedDeliveries)} deliveries**`,
      },
    );
  }
  return checks;
}

const MEMORY_HEAD = [
  "axons and live subscribers",
  "axons",
  "subscribers (connections)",
  "axond RSS MiB: fresh / after axons / peak with subscribers",
  "events (rate)",
  "deliveries",
];
const memoryCells = (m: MemoryResult) => [
  `axond from ${m.from} (fresh, lean client)`,
  int(m.axons),
  `${int(m.subscribers)} (${m.live.connections})`,
  `${int(m.startRssMiB)} / ${int(m.afterAxonsRssMiB)} / ${int(m.peakRssMiB)}`,
  `${int(m.live.events)} (${int(m.live.events / m.live.publishSeconds)} ev/s)`,
  int(m.live.deliveries),
];

const FANOUT_HEAD = [
  "live fan-out",
  "subscribers (connections)",
  "events (rate)",
  "deliveries",
  "skipped / never arrived / duplicates",
  "drain after publishing",
  "p50 / p99 / max ms publish→deliver",
  "p50 / p99 ms sequenced→deliver",
  "warm-up not counted: s (worst ms)",
  "p50 / p99 ms PublishBatch ack",
  "server CPU µs/delivery",
  "subscriber threads busy",
  "axond peak RSS MiB",
];
const FANOUT_CLIENT_LABELS: Record<FanoutResult["client"], string> = {
  "node-http2": "axond (node:http2 subscribers)",
  frames: "axond (frame-level subscribers)",
};
const fanoutRows = (s: Pick<PeersSummary, "fanout" | "fanoutFrames">) =>
  [s.fanout, s.fanoutFrames].flatMap((f) => (f ? [fanoutCells(f)] : []));
const fanoutCells = (f: FanoutResult) => [
  FANOUT_CLIENT_LABELS[f.client],
  `${int(f.subscribers)} (${f.connections})`,
  `${int(f.events)} (${int(f.events / f.publishSeconds)} ev/s)`,
  int(f.deliveries),
  `${int(f.missing)} / ${int(f.undelivered)} / ${int(f.duplicates)}`,
  `${f.drainSeconds.toFixed(1)} s`,
  `${ms(f.p50Ms)} / ${ms(f.p99Ms)} / ${ms(f.maxMs)}`,
  `${ms(f.commitToDeliverP50Ms)} / ${ms(f.commitToDeliverP99Ms)}`,
  `${f.warmupSeconds} (${ms(f.warmupMaxMs)})`,
  `${ms(f.ackP50Ms)} / ${ms(f.ackP99Ms)}`,
  f.serverCpuMicrosPerDelivery.toFixed(1),
  `${Math.round(f.subscriberBusy * 100)}%`,
  int(f.peakRssMiB),
];
const STALL_HEAD = [
  "stalled subscriber",
  "events published (time)",
  "axond RSS MiB: before / stalled peak / resume peak",
  "fell_behind",
  "delivered after resume (time)",
  "missing / duplicates",
];
const stallCells = (t: StallResult) => [
  "axond (lean client)",
  `${int(t.events)} (${t.publishSeconds.toFixed(1)} s)`,
  `${int(t.baselineRssMiB)} / ${int(t.stalledPeakRssMiB)} / ${int(t.resumePeakRssMiB)}`,
  String(t.fellBehind),
  `${int(t.delivered)} (${t.resumeSeconds.toFixed(1)} s)`,
  `${int(t.missing)} / ${int(t.duplicates)}`,
];
const mdTable = (head: readonly string[], rows: readonly string[][]) =>
  `| ${head.join(" | ")} |\n|${head.map(() => "---").join("|")}|\n${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}`;

export function formatLiveMarkdown(s: PeersSummary, machine: MachineInfo, command: string): string {
  const parts = [
    `## Side by side: live fan-out and stalled subscriber

Recorded by \`${command}\` on ${machine.date}: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB,
Node ${machine.node}, ${machine.os}. Load average (1/5/15 min) at start ${s.loadStart}, at end ${s.loadEnd}.

axond only so far (Redis XREAD BLOCK and JetStream ordered push consumers are not in yet). The
subscribers (\`bench/peers/fanout-worker.ts\`) decode only each event's sequence and the send time
the publisher put first in its payload. The first row's subscribers are a lean gRPC client over
\`node:http2\` (\`bench/lean-grpc.ts\`); the checks below read that row. On 2 cores they still
take most of a core, which axond then competes for, so the fan-out runs a second time with
subscribers that read HTTP/2 frames off a plain socket (\`bench/peers/h2-frame-client.ts\`,
standing for subscribers on other machines): the difference between the rows is the bench's own
share of the latency, not a change in axond. Each row has a fresh axond, so its peak RSS is the
fan-out's own.

**Live fan-out** (\`bench/peers/fanout.ts\`): the subscribers open Subscribe on one fresh axon from 2
worker threads, at most 200 streams per HTTP/2 connection (axond allows 256), and wait for
caught_up; then one publisher sends PublishBatch every 10 ms with the events due at the target
rate, each stamped with its send time (wall clock, shared by all threads). Latency is send →
subscriber decoded the frame, over every delivery of an event sent after the warm-up, so it
includes the fsync'd group commit. The warm-up is the first seconds of publishing (same rate, same
checks): a fresh axond spends them optimizing the fan-out code and growing its young heap, and its
worst latency is shown apart rather than mixed into the steady state's p99. Each
stream checks sequences arrive 1, 2, 3… (a jump counts the skipped events as missing, a repeat as a
duplicate); after the publisher stops, streams drain until each has the last acked sequence or
nothing arrived for 10 s ("never arrived" counts what was still missing then).
"sequenced→deliver" starts at the event's server \`timestamp_ms\` (whole ms, same machine clock),
which the store assigns when it sequences the event, just before its group commit: so it is the
commit and the fan-out, without the publisher→server leg. "PublishBatch ack" is the publisher's
call → ack time. "subscriber
threads busy" near 100% would mean the bench, not axond, was the limit.

**Stalled subscriber** (\`bench/peers/stall.ts\`, on a fresh axond): one Subscribe stream goes live, then its HTTP/2
stream is paused (the client stops reading, so its flow-control window closes) while the events are
published in PublishBatch calls of 1,000 from 4 callers; axond's RSS is sampled every 100 ms until
2 s after the last ack. Then the stream resumes and must report fell_behind and deliver every
sequence with no gap or duplicate.`,
  ];
  if (fanoutRows(s).length > 0) parts.push(mdTable(FANOUT_HEAD, fanoutRows(s)));
  if (s.stall) parts.push(mdTable(STALL_HEAD, [stallCells(s.stall)]));
  if (s.memory) {
    parts.push(
      `**Axons and live subscribers** (\`bench/peers/memory.ts\`, on a fresh axond): ${int(s.memory.axons)} axons created
(32 callers), then ${int(s.memory.subscribers)} Subscribe streams live on one more axon while it gets 100 ev/s for 5 s
(the fan-out code at a low rate); axond's RSS sampled throughout.`,
      mdTable(MEMORY_HEAD, [memoryCells(s.memory)]),
    );
  }
  parts.push(
    `Checks (issue 10 "Done when"):\n\n${liveChecks(s)
      .map((c) => `- ${c.label}: ${checkText(c)}`)
      .join("\n")}`,
  );
  return `${parts.join("\n\n")}\n`;
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
scenarios stop at the event cap or the time cap, whichever comes first. Each scenario starts once the
system's process has gone idle (under 5% of a core for 0.5 s, at most 60 s), so background work the
previous one left (LevelDB compactions, AOF rewrites) is not billed to it. Server CPU and peak RSS
come from \`/proc/<pid>\`; "generator busy" is the generator thread's CPU over wall time (near 100%
would mean the generator, not the system, was the limit).

| ${HEAD.join(" | ")} |
|${HEAD.map(() => "---").join("|")}|
${s.rows.map((r) => `| ${cells(r).join(" | ")} |`).join("\n")}

Ratios (axond ÷ peer, the issue 10 "Done when" pairs):

${s.ratios.map((r) => `- ${r.label}: **${ratioText(r)}**`).join("\n")}
${
  s.ceilings.some((c) => c.value !== undefined)
    ? `
Client ceilings: the publish clients against \`null-axond\` (\`bench/peers/null-axond.ts\`), a stand-in on
axond's wire that keeps only a counter per axon (no validation, no store, no fsync). No server can
give a client more than that, so these bound what the publish pairs above can reach on this machine:

${s.ceilings.map((c) => `- ${c.label}: **${ceilingText(c)}**`).join("\n")}
`
    : ""
}`;
}
