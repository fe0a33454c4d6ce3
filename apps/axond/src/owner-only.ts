import { chmod, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/** Directories under the data dir are 0700, files 0600: events, secrets and keys are the owner's. */
export const OWNER_ONLY_DIR = 0o700;
export const OWNER_ONLY_FILE = 0o600;

/**
 * The mode an entry must be changed to, or undefined if it is already owner-only. Only group and
 * other bits are taken away, and owner bits are made what axond needs; symlinks and sockets are
 * left alone (chmod on a link would change its target).
 */
export function ownerOnlyMode(kind: "dir" | "file" | "other", mode: number): number | undefined {
  const perms = mode & 0o777;
  if (kind === "dir") return perms === OWNER_ONLY_DIR ? undefined : OWNER_ONLY_DIR;
  if (kind === "file") return perms === OWNER_ONLY_FILE ? undefined : OWNER_ONLY_FILE;
  return undefined;
}

/** Makes `root` and everything under it owner-only; returns the paths it changed. */
export async function makeOwnerOnly(root: string): Promise<string[]> {
  const fixed: string[] = [];
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path);
    const kind = info.isDirectory() ? "dir" : info.isFile() ? "file" : "other";
    const mode = ownerOnlyMode(kind, info.mode);
    if (mode !== undefined) {
      await chmod(path, mode);
      fixed.push(path);
    }
    if (kind === "dir") for (const name of await readdir(path)) await visit(join(path, name));
  };
  await visit(root);
  return fixed;
}
