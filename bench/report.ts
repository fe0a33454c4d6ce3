import type { MachineInfo } from "./machine.js";
import type { Figure } from "./scenarios.js";

const rate = (n: number) => `${Math.round(n).toLocaleString("en-US")} events/s`;
const verdict = (f: Figure) =>
  f.target === undefined
    ? ""
    : f.eventsPerSecond >= f.target
      ? `✅ ≥ ${rate(f.target)}`
      : `❌ < ${rate(f.target)}`;
const cpu = (f: Figure) => `${f.cpuMicrosPerEvent.toFixed(1)} µs CPU/event`;
const split = (f: Figure) =>
  f.cpuSplit
    ? `${f.cpuSplit.server.toFixed(1)} / ${f.cpuSplit.client.toFixed(1)} / ${f.cpuSplit.other.toFixed(1)} µs`
    : "";
const latency = (f: Figure) =>
  f.latency ? `p50 ${f.latency.p50.toFixed(1)} / p99 ${f.latency.p99.toFixed(1)} ${f.latency.unit}` : "";

export function formatConsole(figures: readonly Figure[]): string {
  return figures
    .map((f) =>
      [
        `${f.name}: ${rate(f.eventsPerSecond)}`,
        `  ${f.settings}; ${f.events.toLocaleString("en-US")} events in ${f.seconds.toFixed(2)} s; ${cpu(f)}`,
        ...(f.cpuSplit ? [`  per event: server thread / client thread / other threads ${split(f)}`] : []),
        ...(f.latency ? [`  ${latency(f)}`] : []),
        ...(f.target !== undefined ? [`  target ${verdict(f)}`] : []),
      ].join("\n"),
    )
    .join("\n");
}

export function formatMarkdown(machine: MachineInfo, figures: readonly Figure[], command: string): string {
  const rows = figures.map(
    (f) =>
      `| ${f.name} | ${f.settings} | ${f.events.toLocaleString("en-US")} | ${f.seconds.toFixed(2)} s | **${rate(f.eventsPerSecond)}** | ${cpu(f)} | ${split(f)} | ${latency(f)} | ${verdict(f)} |`,
  );
  return `# Benchmarks

Recorded by \`${command}\` on ${machine.date}. Regenerate with \`npm run bench\`; this file is rewritten on
every full run (quick runs with \`--events N\` print but do not record unless given \`--write\`).

## Machine

| | |
|---|---|
| CPU | ${machine.cpu} |
| Cores | ${machine.cores} |
| RAM | ${machine.memoryGiB} GiB |
| Node | ${machine.node} |
| OS | ${machine.os} |
| Data dir filesystem | ${machine.filesystem} |
| Load average at start (1 min) | ${machine.loadAverage} |

## Setup

- One process: the real server (\`startAxonServer\`, h2c + HTTP/1.1 on 127.0.0.1:0) over the real
  classic-level store in a fresh temp dir. Every acknowledged publish is durable: group commit writes
  LevelDB batches with \`sync: true\`.
- The load generator runs on a worker thread (as a client in another process would), talking gRPC over
  one HTTP/2 connection (\`@connectrpc/connect-node\` \`createGrpcTransport\`). Rows marked "lean
  client" use \`bench/lean-grpc.ts\` instead: gRPC framing over \`node:http2\` with hand-written
  protobuf (every event field still decoded), standing for a cheap client (Go, Rust, another machine),
  so the server's own cost shows.
- Payloads are ~170-byte JSON objects, different for every event. A short warm-up (2,000 unary + 20,000
  batched events) runs first and is not counted.
- Throughput = events / wall-clock time from the first call to the last acknowledgement (replay: from
  Subscribe to \`caught_up\`). After each publish scenario the axon's head is checked against the count.
- CPU = CPU time of the whole process (server thread, client worker, LevelDB and libuv threads) per
  event. It moves far less than throughput when other work shares the machine, so compare runs by it
  (heavy contention still inflates it: up to ~30% at a load average of 10 on this 2-core VM).
  The split column divides it by thread (from \`/proc\`): the server's JS thread, the load generator's
  worker thread, and all others (V8 GC helpers, LevelDB, libuv). On 2 cores, throughput is bounded by
  the busiest single thread (1 s / its µs per event) and by the total over 2 cores.

## Figures

| Scenario | Settings | Events | Time | Throughput | CPU | CPU: server / client / other threads | Latency | Target |
|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

## How to run

\`\`\`sh
npm run bench                        # full run (a few minutes on 2 cores), records this file
npm run bench -- --events 20000      # quick run of every scenario, prints only
npm run bench -- --only replay --replay-events 300000   # one scenario, prints only
npm run bench -- --help              # all options (sizes, batch size, concurrency)
node --cpu-prof --conditions=source --import tsx bench/main.ts --events 200000 --no-write
                                     # CPU profiles (*.cpuprofile, one per thread) for Chrome DevTools
npm run bench -- --peers             # axond, Redis and NATS JetStream side by side (below)
npm run build && npm run bench -- --peers --only memory --built
                                     # 10k axons + 1k live subscribers on the built axond, RSS
npm run bench -- --peers --only batch --systems axond,redis-always
                                     # one pair only, for alternating A/B runs
node --import tsx bench/durable-write-latency.ts
                                     # this disk's durable-write latency: LevelDB sync vs O_DSYNC
node --import tsx bench/grpc-js-floor.ts
                                     # grpc-js against itself in one process: its unary calls/s
\`\`\`
`;
}

/** Hand-written analysis below this marker in docs/benchmarks.md survives regeneration. */
export const NOTES_MARKER = "<!-- notes below are kept when the figures above are regenerated -->";

export function keptNotes(existing: string): string {
  const at = existing.indexOf(NOTES_MARKER);
  return at < 0 ? `\n${NOTES_MARKER}\n` : `\n${existing.slice(at)}`;
}
