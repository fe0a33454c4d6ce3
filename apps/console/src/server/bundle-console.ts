import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** One file of the bundled console, held in memory. */
export interface BundledFile {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The bundle by URL path: `/assets/console.js` and `/assets/console.css`. */
export type ConsoleBundle = ReadonlyMap<string, BundledFile>;

// The browser app is always bundled from its sources, whether this file runs from src/ or dist/.
const ENTRY = fileURLToPath(new URL("../../src/web/main.tsx", import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/**
 * Bundles the console's sources with esbuild, in memory, at server start: `npm ci && npm start`
 * stay the only set-up steps and no generated bundle is committed or left on disk. Workspace
 * packages resolve to their TypeScript sources (the "source" condition), and the browser build of
 * the SDK picks connect-web's fetch transport.
 */
export async function bundleConsole(): Promise<ConsoleBundle> {
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
    const ext = file.path.slice(file.path.lastIndexOf("."));
    const contentType = CONTENT_TYPES[ext];
    if (contentType === undefined) continue;
    files.set(file.path, { body: Buffer.from(file.contents), contentType });
  }
  return files;
}
