// @ts-check
// Bundles the `axon` command into one ESM file, dist/axon.js, with esbuild. One file starts several
// times faster than the same code as ~200 modules (no per-module resolve and load), and it runs on
// plain Node: no TypeScript tooling, no workspace resolution. `npm run build` writes it; in a
// checkout bin/axon.js rebuilds it whenever a file it was built from has changed.
//
// Plain JS (checked by tsc through its JSDoc) because bin/axon.js must load it without tsx.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const CLI_DIR = fileURLToPath(new URL("..", import.meta.url));
const BUNDLE = "dist/axon.js";
/** The files the bundle was built from (relative to the CLI's folder), written beside it. */
const INPUTS = "dist/axon.inputs.json";
// npm rewrites this on every install; module files themselves keep npm's fixed mtime.
const INSTALL_MARKER = "../../node_modules/.package-lock.json";

/**
 * True when the bundle exists and no file it was built from is newer (or gone). Conservative: any
 * doubt means "rebuild".
 * @param {string} [cliDir] the CLI's folder (a test passes another)
 * @returns {boolean}
 */
export function isBundleFresh(cliDir = CLI_DIR) {
  try {
    const builtAt = statSync(resolve(cliDir, BUNDLE)).mtimeMs;
    /** @type {string[]} */
    const inputs = JSON.parse(readFileSync(resolve(cliDir, INPUTS), "utf8"));
    return inputs.every((input) => statSync(resolve(cliDir, input)).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}

/**
 * Builds dist/axon.js from the TypeScript sources (workspace packages through their "source"
 * condition). Written to a temporary name and renamed, so concurrent `axon` runs never load half a file.
 * @returns {Promise<void>}
 */
export async function bundleCli() {
  // Stamped with the start time: a source saved while esbuild runs then still reads as newer.
  const startedAt = new Date();
  const { build } = await import("esbuild");
  const result = await build({
    absWorkingDir: CLI_DIR,
    entryPoints: ["src/main.ts"],
    bundle: true,
    write: false,
    metafile: true,
    outfile: resolve(CLI_DIR, BUNDLE),
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["source"],
    // CommonJS dependencies (commander, picocolors) call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __axonRequire } from 'node:module';\nconst require = __axonRequire(import.meta.url);",
    },
    legalComments: "none",
    logLevel: "warning",
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error("esbuild produced no output for the axon bundle");
  const inputs = Object.keys(result.metafile.inputs);
  if (existsSync(resolve(CLI_DIR, INSTALL_MARKER))) inputs.push(INSTALL_MARKER);
  const bundle = resolve(CLI_DIR, BUNDLE);
  const inputsFile = resolve(CLI_DIR, INPUTS);
  mkdirSync(dirname(bundle), { recursive: true });
  const tmp = `.${process.pid}.tmp`;
  writeFileSync(bundle + tmp, output.contents);
  utimesSync(bundle + tmp, startedAt, startedAt);
  renameSync(bundle + tmp, bundle);
  writeFileSync(inputsFile + tmp, `${JSON.stringify(inputs)}\n`);
  renameSync(inputsFile + tmp, inputsFile);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await bundleCli();
