import type { ClassicLevel } from "classic-level";
import { keys } from "./keys.js";

/**
 * The number of batches LevelDB holds (m!commits, put in every batch by ClassicLevelBackend); 0 for
 * a new store or one written before the count existed.
 */
export async function readLevelCommitCount(db: ClassicLevel<string, Uint8Array>): Promise<number> {
  const bytes = await db.get(keys.commitCount);
  return bytes ? (JSON.parse(Buffer.from(bytes).toString("utf8")) as number) : 0;
}
