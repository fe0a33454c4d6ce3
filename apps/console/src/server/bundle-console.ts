import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** One file of the bundled console, held in memory. */
export interface BundledFile {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The bundle by URL path: `/assets/console.js` and `/assets/console.css`. */
export type ConsoleBundle = ReadonlyMap<string, BundledFile>;

// Both resolve the same from src/server and dist/server.
const ENTRY = fileURLToPath(new URL("../../src/web/main.tsx", import.meta.url));
/** Where `npm run build` writes the bundle; an installed package ships only this. */
export const PREBUILT_DIR = fileURLToPath(new URL("../../dist/web", import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/**
 * The console's browser bundle. In a checkout (its sources are here) it is bundled from them in
 * memory, so `npm ci && npm start` stay the only set-up steps and an edit shows on the next start.
 * Installed from a tarball there are no sources: the bundle `npm run build` wrote into dist/web is
 * served, so an installed axond needs neither esbuild nor the browser dependencies.
 */
export function bundleConsole(): Promise<ConsoleBundle> {
  return existsSync(ENTRY) ? bundleFromSources() : readPrebuilt(PREBUILT_DIR);
}

/**
 * Bundles the console's sources with esbuild. Workspace packages resolve to their TypeScript
 * sources (the "source" condition), and the browser build of the SDK picks connect-web's fetch
 * transport.
 */
export async function bundleFromSources(): Promise<ConsoleBundle> {
  // Loaded only here: an installed package serves the prebuilt bundle and does not ship esbuild.
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: { console: ENTRY },
    bundle: true,
    write: false,
    outdir: "/assets",
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["source"],
    minify: true,
    legalComments: "none",
    jsx: "automatic",
    jsxImportSource: "preact",
    logLevel: "silent",
  });
  const files = new Map<string, BundledFile>();
  for (const file of result.outputFiles) {
    const contentType = CONTENT_TYPES[extension(file.path)];
    if (contentType === undefined) continue;
    files.set(file.path, { body: Buffer.from(file.contents), contentType });
  }
  return files;
}

/** Writes the bundle into `dir` (`npm run build`: dist/web). */
export async function writeConsoleBundle(dir: string = PREBUILT_DIR): Promise<void> {
  const bundle = await bundleFromSources();
  await mkdir(dir, { recursive: true });
  for (const [path, file] of bundle) await writeFile(join(dir, path.slice("/assets/".length)), file.body);
}

/** Reads a bundle written by `writeConsoleBundle`. */
export async function readPrebuilt(dir: string): Promise<ConsoleBundle> {
  const files = new Map<string, BundledFile>();
  for (const name of await readdir(dir)) {
    const contentType = CONTENT_TYPES[extension(name)];
    if (contentType === undefined) continue;
    files.set(`/assets/${name}`, { body: await readFile(join(dir, name)), contentType });
  }
  return files;
}

function extension(path: string): string {
  return path.slice(path.lastIndexOf("."));
}
