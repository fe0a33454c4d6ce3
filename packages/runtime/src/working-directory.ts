import { mkdir, stat } from "node:fs/promises";

/** Creates the directory (and parents) if missing; throws a message naming the directory if it cannot. */
export async function ensureDirectory(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
    if (!(await stat(path)).isDirectory()) throw new Error("exists and is not a directory");
  } catch (error) {
    throw new Error(`cannot create working directory ${path}: ${(error as Error).message}`);
  }
}
