import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededRng } from "@openaxon/core";
import { KvLogStore } from "../kv-log-store.js";
import { MemoryBackend } from "../memory-backend.js";
import { openClassicLevelLogStore } from "../open-classic-level-log-store.js";

export const testClock = (start = 1_700_000_000_000) => {
  let now = start;
  return { now: () => now++, setTimer: () => ({ cancel() {} }) };
};

export function memoryStore(seed = 1): KvLogStore {
  return new KvLogStore({ backend: new MemoryBackend(), clock: testClock(), rng: seededRng(seed) });
}

/** A classic-level store in a fresh temp dir; `dispose` closes it and removes the dir. */
export async function tempClassicLevelStore() {
  const dir = await mkdtemp(join(tmpdir(), "openaxon-store-"));
  const path = join(dir, "db");
  const store = await openClassicLevelLogStore({ path, clock: testClock(), rng: seededRng(7) });
  return {
    store,
    path,
    reopen: () => openClassicLevelLogStore({ path, clock: testClock(), rng: seededRng(8) }),
    dispose: async () => {
      await store.close().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export { userEvent } from "./user-event.js";
