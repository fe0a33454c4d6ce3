/** How to open a LevelDB directory, decided from its file names alone. */
export type StoreOpenDecision =
  /** The directory is missing or holds no database: create one (and fail if one appears meanwhile). */
  | { readonly kind: "create" }
  /** A database with its CURRENT pointer: open it, never creating. */
  | { readonly kind: "open" }
  /** Opening would lose data (LevelDB re-creates a database whose CURRENT is gone, dropping tables). */
  | { readonly kind: "refuse"; readonly reason: string };

/** Files LevelDB leaves in a directory that never held data (or that a failed create left behind). */
const HARMLESS = new Set(["LOCK", "LOG", "LOG.old"]);

/** Files that only a database with data has: tables, write-ahead logs, manifests. */
const isDatabaseFile = (name: string) =>
  /\.(ldb|sst|log)$/.test(name) || name.startsWith("MANIFEST-") || name === "CURRENT";

/**
 * Decides whether a store directory is created, opened or refused. `entries` is the directory's
 * listing, or undefined if it does not exist. A directory with LevelDB files but no CURRENT is
 * refused: classic-level's createIfMissing would start an empty database over it.
 */
export function decideStoreOpen(path: string, entries: readonly string[] | undefined): StoreOpenDecision {
  if (entries === undefined) return { kind: "create" };
  if (entries.includes("CURRENT")) return { kind: "open" };
  const found = entries.filter(isDatabaseFile);
  if (found.length > 0) {
    return {
      kind: "refuse",
      reason:
        `${path} holds a database (${summarize(found)}) but its CURRENT file is missing; ` +
        "opening it would start an empty store over the old one. Restore the directory from a " +
        "backup, or copy it aside and inspect it (axond verify --data-dir ...) before starting",
    };
  }
  const strange = entries.filter((name) => !HARMLESS.has(name));
  if (strange.length > 0) {
    return {
      kind: "refuse",
      reason:
        `${path} is not empty but holds no database (${summarize(strange)}); ` +
        "point the store at an empty or new directory",
    };
  }
  return { kind: "create" };
}

function summarize(names: readonly string[]): string {
  const shown = [...names].sort().slice(0, 4).join(", ");
  return names.length > 4 ? `${shown} and ${names.length - 4} more` : shown;
}
