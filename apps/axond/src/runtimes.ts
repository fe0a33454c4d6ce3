import { join } from "node:path";
import { createAcpAdapter } from "@openaxon/adapter-acp";
import { createClaudeCodeAdapter } from "@openaxon/adapter-claude-code";
import { stdioAdapterFactory } from "@openaxon/adapter-stdio";
import { systemClock, systemRng } from "@openaxon/core";
import { RuntimeManager } from "@openaxon/runtime";
import type { KvLogStore } from "@openaxon/store";
import type { Logger } from "pino";

/** Default working directories of runtimes: `<data dir>/runtimes/<runtime id>`. */
export const RUNTIMES_SUBDIR = "runtimes";

/**
 * The runtime host of this server: every protocol's adapter, working directories under the data
 * dir, agents inheriting only an allowlist of this process's environment (never its API keys), and
 * the orphan reaper, so that no agent outlives axond even when it is SIGKILLed. Resolves once the
 * persisted runtimes are loaded; their brokers come up in the background.
 */
export async function startRuntimes(options: {
  store: KvLogStore;
  dataDir: string;
  logger: Logger;
}): Promise<RuntimeManager> {
  const runtimes = new RuntimeManager({
    store: options.store,
    clock: systemClock,
    rng: systemRng,
    adapters: {
      acp: (launch) => createAcpAdapter(launch),
      "claude-code": (launch) => createClaudeCodeAdapter(launch),
      stdio: (launch) => stdioAdapterFactory(launch),
    },
    workdirRoot: join(options.dataDir, RUNTIMES_SUBDIR),
    hostEnv: process.env,
    reapOrphans: true,
    logger: options.logger.child({ component: "runtime" }),
  });
  await runtimes.start();
  return runtimes;
}
