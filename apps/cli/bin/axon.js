#!/usr/bin/env node
// The `axon` command. It runs dist/axon.js, the whole CLI bundled into one file (see
// scripts/bundle-cli.js): one file starts in a fraction of the time ~200 modules or tsx take. In a
// checkout (src/ is here) the bundle is rebuilt from the sources first whenever any file it was built
// from has changed, so a fresh clone needs no build step and never runs stale code. Installed from a
// tarball there is no src/: the shipped bundle runs as is.
import { existsSync } from "node:fs";

if (existsSync(new URL("../src/main.ts", import.meta.url))) {
  const { isBundleFresh, bundleCli } = await import("../scripts/bundle-cli.js");
  if (!isBundleFresh()) await bundleCli();
}
await import("../dist/axon.js");
