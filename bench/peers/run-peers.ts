import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import { describeMachine } from "../machine.js";
import { NOTES_MARKER } from "../report.js";
import type { DriverName } from "./driver.js";
import { type FanoutResult, fanout } from "./fanout.js";
import type { FanoutClient } from "./fanout-worker.js";
import type { GeneratorResult, GeneratorTask } from "./generator.js";
import { axonsAndSubscribers, type MemoryResult } from "./memory.js";
import {
  clientCeilings,
  formatLiveMarkdown,
  formatPeersMarkdown,
  formatPeersTable,
  type PeerRow,
  ratios,
} from "./peers-report.js";
import {
  builtAxond,
  missingBinaries,
  processCpuSeconds,
  rssMiB,
  type SystemProcess,
  settled,
  startAxond,
  startNats,
  startNullAxond,
  startRedis,
} from "./processes.js";
import { runGeneratorInWorker } from "./run-generator.js";
import { type StallResult, stalledSubscriber } from "./stall.js";

// `npm run bench -- --peers`: axond, Redis Streams (AOF everysec and always) and NATS JetStream
// (file storage) started side by side on loopback and driven by the same generator, one at a time.

const SCENARIOS = ["unary", "batch", "replay", "create", "fanout", "stall", "memory"] as const;
type Scenario = (typeof SCENARIOS)[number];
const SYSTEMS = ["axond", "null-axond", "redis-everysec", "redis-always", "jetstream"] as const;
type SystemName = (typeof SYSTEMS)[number];

const USAGE = `usage: npm run bench -- --peers [--events N] [--seconds S] [--only LIST] [--write]
  --events N          replay size and the cap on publish scenarios (default 1,000,000)
  --axons N           axons created for the RSS row (default 10,000)
  --seconds S         time cap of each publish scenario (default 10)
  --subscribers N     live fan-out subscribers on one axon (default 1,000)
  --fanout-seconds S  how long the fan-out publisher runs, measured (default 10)
  --fanout-warmup S   fan-out publishing before that, not counted in latency (default 2)
  --fanout-rate N     fan-out publish rate, events/s (default 1,000)
  --stall-events N    events published past the stalled subscriber (default 500,000)
  memory: a fresh axond, --axons N created, then --subscribers N live on one (100 ev/s, 5 s): RSS
  --built             run axond from apps/axond/dist (npm run build first: a stale dist/ is
                      measured as it is), as installed, not from its sources through tsx
                      (whose loader thread holds ~50 MiB of RSS)
  --only LIST         run only these scenarios: ${SCENARIOS.join(",")} (comma-separated)
  --systems LIST      run only these systems: ${SYSTEMS.join(",")} (comma-separated; for A/B
                      runs of one pair, e.g. --only batch --systems axond,redis-always)
  --write             record the table in docs/benchmarks.md ("Side by side")`;

interface Settings {
  readonly events: number;
  readonly seconds: number;
  readonly axons: number;
  readonly subscribers: number;
  readonly fanoutSeconds: number;
  readonly fanoutWarmupSeconds: number;
  readonly fanoutRate: number;
  readonly stallEvents: number;
  readonly only: ReadonlySet<Scenario>;
  readonly systems: ReadonlySet<SystemName>;
  readonly write: boolean;
  readonly built: boolean;
}

function parseList<T extends string>(
  option: string,
  all: readonly T[],
  value: string | undefined,
): ReadonlySet<T> {
  if (value === undefined) return new Set(all);
  const names = value.split(",").map((n) => n.trim());
  for (const name of names) {
    if (!(all as readonly string[]).includes(name)) {
      throw new Error(`${option} takes ${all.join(", ")}; got ${JSON.stringify(name)}\n${USAGE}`);
    }
  }
  return new Set(names as T[]);
}

export async function runPeers(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== "--peers"),
    options: {
      events: { type: "string", default: "1000000" },
      seconds: { type: "string", default: "10" },
      axons: { type: "string", default: "10000" },
      subscribers: { type: "string", default: "1000" },
      "fanout-seconds": { type: "string", default: "10" },
      "fanout-warmup": { type: "string", default: "2" },
      "fanout-rate": { type: "string", default: "1000" },
      "stall-events": { type: "string", default: "500000" },
      only: { type: "string" },
      systems: { type: "string" },
      write: { type: "boolean", default: false },
      built: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return void console.log(USAGE);
  const s: Settings = {
    events: Number(values.events),
    seconds: Number(values.seconds),
    axons: Number(values.axons),
    subscribers: Number(values.subscribers),
    fanoutSeconds: Number(values["fanout-seconds"]),
    fanoutWarmupSeconds: Number(values["fanout-warmup"]),
    fanoutRate: Number(values["fanout-rate"]),
    stallEvents: Number(values["stall-events"]),
    only: parseList("--only", SCENARIOS, values.only),
    systems: parseList("--systems", SYSTEMS, values.systems),
    write: values.write,
    built: values.built,
  };
  if (s.built && !existsSync(builtAxond))
    throw new Error(`--built: ${builtAxond} is missing; run npm run build`);
  const freshAxond = () => startAxond({ built: s.built });
  const counts = [s.events, s.axons, s.subscribers, s.fanoutRate, s.stallEvents];
  if (!(counts.every((n) => Number.isSafeInteger(n) && n > 0) && s.seconds > 0 && s.fanoutSeconds > 0)) {
    throw new Error(USAGE);
  }
  if (!(s.fanoutWarmupSeconds >= 0)) {
    throw new Error(USAGE);
  }

  const machine = describeMachine(os.tmpdir());
  const loadStart = os.loadavg();
  console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${fmtLoad(loadStart)}`);
  const missing = missingBinaries();
  if (missing.length > 0) {
    console.log(
      `skipping peers: ${missing.join(", ")} not found; install with: sudo apt-get install -y redis-server nats-server`,
    );
  }

  const rows: PeerRow[] = [];
  let fanoutResult: FanoutResult | undefined;
  let fanoutFramesResult: FanoutResult | undefined;
  const liveFanout = async (axond: SystemProcess, client: FanoutClient) => {
    process.stdout.write(`  live fan-out axond, ${client} subscribers… `);
    await settled(axond.pid);
    return fanout(axond, {
      subscribers: s.subscribers,
      seconds: s.fanoutSeconds,
      warmupSeconds: s.fanoutWarmupSeconds,
      rate: s.fanoutRate,
      workers: 2,
      streamsPerConnection: 200,
      client,
    });
  };
  let stallResult: StallResult | undefined;
  let memoryResult: MemoryResult | undefined;
  const on = (scenario: Scenario) => s.only.has(scenario);
  const runs = (system: SystemName) => s.systems.has(system);
  /** The publish scenarios through axond's clients (unary-32 with grpc-js and the SDK, batch 100×4). */
  const measurePublishing = async (system: SystemProcess) => {
    if (on("unary")) {
      for (const driver of ["axond-grpc", "axond-sdk"] as const) {
        rows.push(await measure(system, driver, "unary-32", unary(driver, system, s)));
      }
    }
    if (on("batch"))
      rows.push(await measure(system, "axond-grpc", "batch 100×4", batch("axond-grpc", system, s)));
  };
  const firstAxond = runs("axond") && (["unary", "batch", "replay", "create"] as const).some(on);
  if (firstAxond)
    await withSystem(freshAxond, async (axond) => {
      await measurePublishing(axond);
      if (on("replay")) {
        const log = await populate("axond-grpc", axond, s.events);
        for (const driver of ["axond-sdk", "axond-grpc"] as const) {
          rows.push(await measure(axond, driver, "replay", () => replay(driver, axond, log, s.events)));
        }
      }
      if (!on("create")) return;
      const axons = s.axons;
      rows.push(
        await measure(axond, "axond-grpc", `${axons.toLocaleString("en-US")} axons created`, () =>
          runGeneratorInWorker({
            driver: "axond-grpc",
            address: axond.address,
            log: "bench-axon",
            kind: "create",
            events: axons,
          }),
        ),
      );
    });
  if (runs("axond") && on("fanout")) {
    // Each on a fresh axond, so its peak RSS is the fan-out's own (the first axond's replay alone
    // peaks above 300 MiB). Then again with subscribers that cost the bench less
    // (h2-frame-client.ts): how much of the latency is the subscribers' own CPU on 2 cores.
    await withSystem(freshAxond, async (axond) => {
      fanoutResult = await liveFanout(axond, "node-http2");
    });
    await withSystem(freshAxond, async (axond) => {
      fanoutFramesResult = await liveFanout(axond, "frames");
    });
  }
  if (runs("null-axond") && (on("unary") || on("batch"))) {
    // The same clients against a server that does nothing: the ceiling any server could reach with them.
    await withSystem(startNullAxond, measurePublishing);
  }
  if (runs("axond") && on("stall")) {
    // A fresh axond: RSS left over from the fan-out would hide what the stalled stream costs.
    await withSystem(freshAxond, async (axond) => {
      process.stdout.write("  stalled subscriber axond-lean… ");
      stallResult = await stalledSubscriber(axond, {
        events: s.stallEvents,
        batchSize: 1000,
        concurrency: 4,
      });
    });
  }
  if (runs("axond") && on("memory")) {
    // A fresh axond again: item 5's budget is for axons and subscribers, not the other scenarios' heap.
    await withSystem(freshAxond, async (axond) => {
      process.stdout.write(`  ${s.axons.toLocaleString("en-US")} axons + live subscribers axond-lean… `);
      memoryResult = await axonsAndSubscribers(axond, {
        axons: s.axons,
        subscribers: s.subscribers,
        rate: 100,
        seconds: 5,
        from: s.built ? "dist/" : "src/ through tsx",
      });
    });
  }
  const peerScenarios = (["unary", "batch", "replay"] as const).some(on);
  if (peerScenarios && !missing.includes("redis-server")) {
    for (const fsync of ["everysec", "always"] as const) {
      if (!runs(`redis-${fsync}`)) continue;
      await withSystem(
        () => startRedis(fsync),
        async (redis) => {
          if (on("unary")) rows.push(await measure(redis, "redis", "unary-32", unary("redis", redis, s)));
          if (on("batch")) rows.push(await measure(redis, "redis", "batch 100×4", batch("redis", redis, s)));
          if (fsync === "everysec" && on("replay")) {
            const log = await populate("redis", redis, s.events);
            rows.push(await measure(redis, "redis", "replay", () => replay("redis", redis, log, s.events)));
          }
        },
      );
    }
  }
  if (runs("jetstream") && peerScenarios && !missing.includes("nats-server")) {
    await withSystem(startNats, async (nats) => {
      if (on("unary")) rows.push(await measure(nats, "jetstream", "unary-32", unary("jetstream", nats, s)));
      if (on("batch"))
        rows.push(await measure(nats, "jetstream", "batch 100×4", batch("jetstream", nats, s)));
      if (!on("replay")) return;
      const log = await populate("jetstream", nats, s.events);
      rows.push(await measure(nats, "jetstream", "replay", () => replay("jetstream", nats, log, s.events)));
    });
  }

  const loadEnd = os.loadavg();
  const summary = {
    rows,
    ratios: ratios(rows),
    ceilings: clientCeilings(rows),
    fanout: fanoutResult,
    fanoutFrames: fanoutFramesResult,
    stall: stallResult,
    memory: memoryResult,
    loadStart: fmtLoad(loadStart),
    loadEnd: fmtLoad(loadEnd),
  };
  console.log(`\n${formatPeersTable(summary)}`);
  if (s.write) {
    const doc = new URL("../../docs/benchmarks.md", import.meta.url);
    const command = ["npm run bench --", ...argv].join(" ");
    let text = await readFile(doc, "utf8");
    // Each section is replaced only by a run that measured it, so `--only` runs keep the other.
    if (rows.length > 0) {
      text = withSection(
        text,
        SIDE_BY_SIDE,
        SIDE_BY_SIDE_END,
        formatPeersMarkdown(summary, machine, command),
      );
    }
    if (summary.fanout || summary.stall || summary.memory) {
      text = withSection(text, LIVE, LIVE_END, formatLiveMarkdown(summary, machine, command));
    }
    await writeFile(doc, text);
    console.log("\nrecorded in docs/benchmarks.md (Side by side)");
  }
}

const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");

async function withSystem(start: () => Promise<SystemProcess>, body: (p: SystemProcess) => Promise<void>) {
  const system = await start();
  console.log(`${system.name} (pid ${system.pid}) on ${system.address}`);
  try {
    await body(system);
  } finally {
    await system.stop();
  }
}

let logs = 0;
const freshLog = (prefix: string) => `bench-${prefix}-${++logs}`;

function unary(driver: DriverName, system: SystemProcess, s: Settings) {
  return async () => {
    const log = await createLog(driver, system);
    return runGeneratorInWorker({
      driver,
      address: system.address,
      log,
      kind: "unary",
      events: s.events,
      concurrency: 32,
      seconds: s.seconds,
    });
  };
}

function batch(driver: DriverName, system: SystemProcess, s: Settings) {
  return async () => {
    const log = await createLog(driver, system);
    return runGeneratorInWorker({
      driver,
      address: system.address,
      log,
      kind: "batch",
      events: s.events,
      batchSize: 100,
      concurrency: 4,
      seconds: s.seconds,
    });
  };
}

function replay(driver: DriverName, system: SystemProcess, log: string, events: number) {
  return runGeneratorInWorker({ driver, address: system.address, log, kind: "replay", events });
}

async function createLog(driver: DriverName, system: SystemProcess): Promise<string> {
  const { openDriver } = await import("./driver.js");
  const d = await openDriver(driver, system.address);
  try {
    return await d.createLog(freshLog(driver));
  } finally {
    await d.close();
  }
}

/** Fills a fresh log with exactly `events` events (batches of 1,000, 4 callers; not measured). */
async function populate(driver: DriverName, system: SystemProcess, events: number): Promise<string> {
  const log = await createLog(driver, system);
  const task: GeneratorTask = {
    driver,
    address: system.address,
    log,
    kind: "batch",
    events,
    batchSize: 1000,
    concurrency: 4,
    seconds: 86_400,
  };
  const result = await runGeneratorInWorker(task);
  if (result.events !== events) throw new Error(`populating ${driver} wrote ${result.events} of ${events}`);
  return log;
}

/** Runs one scenario, sampling the system's CPU and peak RSS from /proc meanwhile. */
async function measure(
  system: SystemProcess,
  client: DriverName,
  scenario: string,
  run: () => Promise<GeneratorResult>,
): Promise<PeerRow> {
  process.stdout.write(`  ${scenario} ${client}… `);
  const waited = await settled(system.pid);
  if (waited > 1) process.stdout.write(`(waited ${waited.toFixed(1)} s for ${system.name} to go idle) `);
  let peakRss = rssMiB(system.pid) ?? 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMiB(system.pid) ?? 0);
  }, 200);
  const cpu0 = processCpuSeconds(system.pid);
  try {
    const r = await run();
    const serverCpu = processCpuSeconds(system.pid) - cpu0;
    const row: PeerRow = {
      system: system.name,
      client,
      scenario,
      events: r.events,
      seconds: r.seconds,
      eventsPerSecond: r.events / r.seconds,
      serverCpuMicrosPerEvent: (serverCpu * 1e6) / r.events,
      generatorBusy: r.generatorCpuSeconds / r.seconds,
      peakRssMiB: Math.max(peakRss, rssMiB(system.pid) ?? 0),
      ...(r.p50Ms !== undefined && { p50Ms: r.p50Ms, p99Ms: r.p99Ms }),
    };
    console.log(`${Math.round(row.eventsPerSecond).toLocaleString("en-US")} ev/s`);
    return row;
  } finally {
    clearInterval(sampler);
  }
}

const SIDE_BY_SIDE = "## Side by side\n";
const SIDE_BY_SIDE_END = "<!-- end of side by side -->";
const LIVE = "## Side by side: live fan-out and stalled subscriber";
const LIVE_END = "<!-- end of live fan-out -->";

/** Puts a section right after the notes marker (so `npm run bench` keeps it), replacing an older one. */
function withSection(doc: string, heading: string, endMarker: string, section: string): string {
  const start = doc.indexOf(heading);
  const end = doc.indexOf(endMarker);
  const without =
    start >= 0 && end > start
      ? doc.slice(0, start) + doc.slice(end + endMarker.length).replace(/^\n+/, "")
      : doc;
  const marker = without.indexOf(NOTES_MARKER);
  const block = `${section.trimEnd()}\n\n${endMarker}\n\n`;
  if (marker < 0) return `${without.trimEnd()}\n\n${NOTES_MARKER}\n\n${block}`;
  const at = marker + NOTES_MARKER.length;
  return `${without.slice(0, at)}\n\n${block}${without.slice(at).replace(/^\n+/, "")}`;
}
