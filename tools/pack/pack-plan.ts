// What `npm run pack` packs, and whether the result can install on its own: pure decisions over the
// workspaces' package.json files, no I/O.

export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly bin?: string | Readonly<Record<string, string>>;
  readonly exports?: unknown;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  /** Not installed with the package, so never checked. */
  readonly devDependencies?: Readonly<Record<string, string>>;
}

export interface Workspace {
  /** Relative to the repository root, e.g. `packages/client`. */
  readonly dir: string;
  readonly manifest: Manifest;
}

/**
 * The workspaces to publish: every one not marked private. Each must be installable from the
 * tarballs alone, so a problem is reported for every runtime dependency on another workspace that
 * is private or not pinned to that workspace's version (the tarball's version is the only one there is).
 */
export function planPack(workspaces: readonly Workspace[]): { packages: Workspace[]; problems: string[] } {
  const byName = new Map(workspaces.map((workspace) => [workspace.manifest.name, workspace.manifest]));
  const packages = workspaces.filter((workspace) => workspace.manifest.private !== true);
  const problems: string[] = [];
  for (const { manifest } of packages) {
    for (const [name, range] of runtimeDependencies(manifest)) {
      const target = byName.get(name);
      if (target === undefined) {
        if (name.startsWith("@openaxon/"))
          problems.push(`${manifest.name} depends on ${name}, which no workspace provides`);
        continue;
      }
      if (target.private === true) {
        problems.push(`${manifest.name} depends on ${name}, which is private and will not be packed`);
      } else if (range !== target.version) {
        problems.push(
          `${manifest.name} depends on ${name}@${range}; pin it to the packed version ${target.version}`,
        );
      }
    }
  }
  return { packages, problems };
}

function runtimeDependencies(manifest: Manifest): [string, string][] {
  return [
    ...Object.entries(manifest.dependencies ?? {}),
    ...Object.entries(manifest.peerDependencies ?? {}),
    ...Object.entries(manifest.optionalDependencies ?? {}),
  ];
}

/**
 * The files a tarball must contain for its package.json to work: every bin, and every file an
 * export's `default` or `types` condition points at (the `source` condition is for the checkout
 * only and not shipped). Returns the ones missing from `packed` (paths as `npm pack --json` lists them).
 */
export function missingEntryFiles(manifest: Manifest, packed: readonly string[]): string[] {
  const present = new Set(packed.map(normalise));
  const wanted = new Set<string>();
  const bin = manifest.bin;
  if (typeof bin === "string") wanted.add(normalise(bin));
  else for (const path of Object.values(bin ?? {})) wanted.add(normalise(path));
  for (const path of exportTargets(manifest.exports)) wanted.add(normalise(path));
  return [...wanted].filter((path) => !present.has(path)).sort();
}

/** Every path under a non-`source` condition, at any depth of an exports map. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === "string") return [exports];
  if (exports === null || typeof exports !== "object") return [];
  return Object.entries(exports).flatMap(([key, value]) => (key === "source" ? [] : exportTargets(value)));
}

function normalise(path: string): string {
  return path.replace(/^\.\//, "");
}
