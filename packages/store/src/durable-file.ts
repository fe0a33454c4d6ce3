import { type FileHandle, open, rename } from "node:fs/promises";
import { dirname } from "node:path";

/** fsyncs a directory, so the names made or renamed in it are durable. */
export async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Replaces `path` atomically: `write` fills a temp file (mode 0600), which is synced, renamed over
 * `path`, and the directory synced. A crash leaves the old file or the new one, never a mix.
 */
export async function replaceFileAtomically(
  path: string,
  write: (file: FileHandle) => Promise<void>,
): Promise<void> {
  const temp = `${path}.tmp`;
  const file = await open(temp, "w", 0o600);
  try {
    await write(file);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  await syncDirectory(dirname(path));
}
