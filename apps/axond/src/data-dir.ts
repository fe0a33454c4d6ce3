import { constants } from "node:fs";
import { access, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  type KvLogStore,
  openClassicLevelLogStore,
  type StoreObserver,
  StoreRefusedError,
} from "@openaxon/store";
import type { Logger } from "pino";
import { makeOwnerOnly, OWNER_ONLY_DIR } from "./owner-only.js";
import { StartupError } from "./startup-error.js";

/** The log store lives in a subdirectory, leaving the data dir room for other subsystems' state. */
export const STORE_SUBDIR = "store";

/**
 * Creates the data dir if needed and opens the log store in it, turning the usual failures (not a
 * directory, not writable, already open in another axond, a store that lost its CURRENT file) into
 * messages an operator can act on. The data dir and everything in it is made owner-only (0700 dirs,
 * 0600 files); what had to be changed is logged in one line.
 */
export async function openDataDir(
  dataDir: string,
  logger?: Logger,
  options: { maxAxonBytes?: number; observer?: StoreObserver } = {},
): Promise<KvLogStore> {
  await ensureWritableDir(dataDir);
  const fixed = await makeOwnerOnly(dataDir);
  const path = join(dataDir, STORE_SUBDIR);
  let store: KvLogStore;
  try {
    store = await openClassicLevelLogStore({
      path,
      ...(options.maxAxonBytes !== undefined && { maxAxonBytes: options.maxAxonBytes }),
      ...(options.observer && { observer: options.observer }),
    });
  } catch (error) {
    if (error instanceof StoreRefusedError)
      throw new StartupError(`refusing to open the store: ${error.message}`);
    if (isLockHeld(error)) {
      throw new StartupError(
        `another axond is using ${dataDir} (the lock ${join(path, "LOCK")} is held); ` +
          "stop it first or pass a different --data-dir",
      );
    }
    throw new StartupError(`cannot open the store in ${path}: ${describe(error)}`);
  }
  // Files LevelDB created just now follow the process umask (axond sets 077; embedders may not).
  fixed.push(...(await makeOwnerOnly(dataDir)));
  if (fixed.length > 0) {
    logger?.warn(
      { dataDir, fixed: fixed.slice(0, 20), count: fixed.length },
      `made ${fixed.length} path(s) in the data dir owner-only (0700 directories, 0600 files)`,
    );
  }
  return store;
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: OWNER_ONLY_DIR });
    if (!(await stat(dir)).isDirectory()) throw new Error("not a directory");
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new StartupError(`data dir ${dir} is not a writable directory: ${describe(error)}`);
  }
}

function isLockHeld(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === "LEVEL_LOCKED";
}

function describe(error: unknown): string {
  const e = error as { message?: string; cause?: { message?: string } };
  return e.cause?.message ?? e.message ?? String(error);
}
