import { join } from "node:path";
import { createAcpAdapter } from "@openaxon/adapter-acp";
import { createClaudeCodeAdapter } from "@openaxon/adapter-claude-code";
import { createCodexAdapter } from "@openaxon/adapter-codex";
import { createPiAdapter } from "@openaxon/adapter-pi";
import { stdioAdapterFactory } from "@openaxon/adapter-stdio";
import { type Clock, systemClock, systemRng } from "@openaxon/core";
import { type LeaseStore, RuntimeManager, type RuntimeNetwork } from "@openaxon/runtime";
import type { LogStore, RecordStore } from "@openaxon/store";
import type { Logger } from "pino";

/**
 * Runtime leases are timed on this: monotonic, so a wall-clock step (NTP) neither stretches a
 * holder's trust in its lease nor shortens another node's wait before taking it over.
 */
const monotonicClock: Clock = {
  now: () => performance.now(),
  setTimer: (delayMs, fn) => systemClock.setTimer(delayMs, fn),
};

/** Default working directories of runtimes: `<data dir>/runtimes/<runtime id>`. */
export const RUNTIMES_SUBDIR = "runtimes";

/**
 * The runtime host of this server: every protocol's adapter, working directories under the data
 * dir, agents inheriting only an allowlist of this process's environment (never its API keys or
 * secret key), behind the gateway's proxy and in its sandbox, and the orphan reaper, so that no
 * agent outlives axond even when it is SIGKILLed. Not started: call `start()`.
 */
export function createRuntimes(options: {
  store: LogStore & RecordStore;
  dataDir: string;
  logger: Logger;
  network: RuntimeNetwork;
  /** Cluster mode: runtimes are shared, each hosted by the node holding its lease. */
  leases?: { store: LeaseStore; ttlMs: number };
}): RuntimeManager {
  return new RuntimeManager({
    store: options.store,
    clock: systemClock,
    rng: systemRng,
    adapters: {
      acp: (launch) => createAcpAdapter(launch),
      "claude-code": (launch) => createClaudeCodeAdapter(launch),
      pi: (launch) => createPiAdapter(launch),
      codex: (launch) => createCodexAdapter(launch),
      stdio: (launch) => stdioAdapterFactory(launch),
    },
    workdirRoot: join(options.dataDir, RUNTIMES_SUBDIR),
    hostEnv: process.env,
    reapOrphans: true,
    logger: options.logger.child({ component: "runtime" }),
    network: options.network,
    ...(options.leases && { leases: { ...options.leases, clock: monotonicClock } }),
  });
}
