import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * Bytes of the regular files in `dir` and its subdirectories (a LevelDB directory is flat: a few
 * dozen table files, so this is one readdir and a stat each). Files that vanish meanwhile
 * (compaction deletes tables) are skipped.
 */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path).catch(() => 0);
    else if (entry.isFile())
      total += await stat(path).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}
