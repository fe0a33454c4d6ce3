import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningAxonServer, startAxonServer } from "@openaxon/server";
import { type LogStore, openClassicLevelLogStore } from "@openaxon/store";

/** A real axond core: classic-level in a temp dir behind the HTTP server on 127.0.0.1. */
export interface RealServer {
  readonly store: LogStore;
  readonly server: RunningAxonServer;
  readonly url: string;
  /** Stops the HTTP server (the store stays open) and starts a new one on the same port. */
  restart(between?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function startRealServer(options: { apiKeys?: string[] } = {}): Promise<RealServer> {
  const dir = await mkdtemp(join(tmpdir(), "openaxon-cli-"));
  const store = await openClassicLevelLogStore({ path: join(dir, "data") });
  const start = (port: number) =>
    startAxonServer({ store, host: "127.0.0.1", port, apiKeys: options.apiKeys, shutdownTimeoutMs: 2_000 });
  let server = await start(0);
  const port = server.port;
  return {
    store,
    get server() {
      return server;
    },
    url: server.url,
    async restart(between) {
      await server.close();
      await between?.();
      server = await start(port);
    },
    async close() {
      await server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
