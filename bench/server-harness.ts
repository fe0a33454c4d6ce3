import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAxonServer } from "@openaxon/server";
import { type KvLogStore, openClassicLevelLogStore } from "@openaxon/store";

export interface BenchServer {
  readonly url: string;
  readonly dataDir: string;
  readonly store: KvLogStore;
  close(): Promise<void>;
}

/** The real server on 127.0.0.1:0 over a real classic-level store in a fresh temp dir. */
export async function startBenchServer(): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "openaxon-bench-"));
  const store = await openClassicLevelLogStore({ path: dataDir });
  const server = await startAxonServer({ store, host: "127.0.0.1", port: 0 });
  return {
    url: server.url,
    dataDir,
    store,
    async close() {
      await server.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
