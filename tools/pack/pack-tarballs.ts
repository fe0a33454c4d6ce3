import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Manifest, missingEntryFiles, planPack, type Workspace } from "./pack-plan.js";

export interface PackedTarball {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the .tgz. */
  readonly file: string;
  /** Compressed bytes. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
}

/** The workspaces listed in the root package.json (`dir/*` globs or plain folders). */
export function readWorkspaces(root: string): Workspace[] {
  const patterns = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { workspaces: string[] })
    .workspaces;
  const dirs = patterns.flatMap((pattern) =>
    pattern.endsWith("/*")
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
      : [pattern],
  );
  return dirs.map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as Manifest,
  }));
}

interface NpmPackEntry {
  name: string;
  version: string;
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}

/**
 * Builds every workspace (turbo) and packs the public ones into `outDir` with `npm pack`. Throws when a
 * public package depends on something the tarballs cannot provide, or a tarball lacks a file its
 * package.json points at.
 */
export function packTarballs(root: string, outDir: string, options: { build: boolean }): PackedTarball[] {
  const { packages, problems } = planPack(readWorkspaces(root));
  if (problems.length > 0) throw new Error(`cannot pack:\n  ${problems.join("\n  ")}`);
  if (options.build) run(root, "npm", ["run", "build"], "inherit");
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const workspaceArgs = packages.flatMap(({ dir }) => ["--workspace", dir]);
  const json = run(root, "npm", ["pack", "--json", "--pack-destination", outDir, ...workspaceArgs], "pipe");
  const entries = JSON.parse(json) as NpmPackEntry[];
  const missing = entries.flatMap((entry) => {
    const workspace = packages.find((candidate) => candidate.manifest.name === entry.name);
    if (workspace === undefined) return [`npm packed ${entry.name}, which was not asked for`];
    const files = entry.files.map((file) => file.path);
    return missingEntryFiles(workspace.manifest, files).map((path) => `${entry.name} lacks ${path} (built?)`);
  });
  if (missing.length > 0) throw new Error(`incomplete tarballs:\n  ${missing.join("\n  ")}`);
  return entries.map((entry) => ({
    name: entry.name,
    version: entry.version,
    file: join(outDir, entry.filename),
    size: entry.size,
    unpackedSize: entry.unpackedSize,
    entryCount: entry.entryCount,
  }));
}

function run(cwd: string, command: string, args: string[], stdout: "inherit" | "pipe"): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", stdout, "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status})`);
  return result.stdout ?? "";
}
