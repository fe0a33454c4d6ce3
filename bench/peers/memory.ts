import { type FanoutResult, fanout } from "./fanout.js";
import { rssMiB, type SystemProcess, settled } from "./processes.js";
import { runGeneratorInWorker } from "./run-generator.js";

// Issue 10 item 5 on a fresh axond: many axons created, then many live subscribers, and the RSS
// that costs. The subscribers get a slow trickle of events (the fan-out scenario's code, at a low
// rate) so they are live streams doing work, not idle sockets.

export interface MemorySettings {
  readonly axons: number;
  readonly subscribers: number;
  /** Events per second while the subscribers are live. */
  readonly rate: number;
  readonly seconds: number;
  /** How axond was started, for the report: "dist/" or "src/ through tsx". */
  readonly from: string;
}

export interface MemoryResult {
  readonly from: string;
  readonly axons: number;
  readonly subscribers: number;
  readonly startRssMiB: number;
  /** After creating the axons and going idle. */
  readonly afterAxonsRssMiB: number;
  /** Peak while the subscribers were live. */
  readonly peakRssMiB: number;
  readonly live: FanoutResult;
}

export async function axonsAndSubscribers(system: SystemProcess, s: MemorySettings): Promise<MemoryResult> {
  await settled(system.pid);
  const startRssMiB = rssMiB(system.pid) ?? 0;
  const created = await runGeneratorInWorker({
    driver: "axond-grpc",
    address: system.address,
    log: "bench-memory-axon",
    kind: "create",
    events: s.axons,
  });
  if (created.events < s.axons) throw new Error(`created ${created.events} of ${s.axons} axons`);
  await settled(system.pid);
  const afterAxonsRssMiB = rssMiB(system.pid) ?? 0;
  const live = await fanout(system, {
    subscribers: s.subscribers,
    seconds: s.seconds,
    warmupSeconds: 0,
    rate: s.rate,
    workers: 2,
    streamsPerConnection: 200,
    client: "node-http2",
  });
  return {
    from: s.from,
    axons: s.axons,
    subscribers: s.subscribers,
    startRssMiB,
    afterAxonsRssMiB,
    peakRssMiB: Math.max(afterAxonsRssMiB, live.peakRssMiB),
    live,
  };
}
