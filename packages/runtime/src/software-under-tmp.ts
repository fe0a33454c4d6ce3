import { realpathSync } from "node:fs";

/**
 * The sandbox gives agents a private /tmp, which would hide an agent installed under /tmp (a
 * checkout there, npx's cache) and fail its start with "not found". For each path the agent needs
 * (its binary, as given and resolved through symlinks, and the node running it), the top-level
 * /tmp directory holding it is kept visible, read-only.
 */
export function softwareUnderTmp(paths: readonly string[]): string[] {
  const roots = new Set<string>();
  for (const path of paths) {
    for (const candidate of [path, realpathOrSelf(path)]) {
      const root = /^\/tmp\/[^/]+/.exec(candidate)?.[0];
      if (root) roots.add(root);
    }
  }
  return [...roots].sort();
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
