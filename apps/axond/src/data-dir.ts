import { constants } from "node:fs";
import { access, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { type KvLogStore, openClassicLevelLogStore } from "@openaxon/store";
import { StartupError } from "./startup-error.js";

/** The log store lives in a subdirectory, leaving the data dir room for other subsystems' state. */
export const STORE_SUBDIR = "store";

/**
 * Creates the data dir if needed and opens the log store in it, turning the usual failures (not a
 * directory, not writable, already open in another axond) into messages an operator can act on.
 */
export async function openDataDir(dataDir: string): Promise<KvLogStore> {
  await ensureWritableDir(dataDir);
  const path = join(dataDir, STORE_SUBDIR);
  try {
    return await openClassicLevelLogStore({ path });
  } catch (error) {
    if (isLockHeld(error)) {
      throw new StartupError(
        `another axond is using ${dataDir} (the lock ${join(path, "LOCK")} is held); ` +
          "stop it first or pass a different --data-dir",
      );
    }
    throw new StartupError(`cannot open the store in ${path}: ${describe(error)}`);
  }
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
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
