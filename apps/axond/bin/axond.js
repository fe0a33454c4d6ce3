#!/bin/sh
//usr/bin/env true; exec node --max-semi-space-size=8 "$0" "$@"
// sh reads the line above as a no-op (/usr/bin/env true), then `exec` replaces the shell with Node
// (same process, no child), which a `#!/usr/bin/env node` line cannot give V8 flags portably. To
// Node it is a comment. --max-semi-space-size=8: V8's young generation otherwise grows to 16 MiB per
// semi-space, ~30 MiB of resident memory that axond's short-lived request garbage does not need
// (docs/benchmarks.md, the memory scenario; publish and replay figures unchanged).
// `axond`. Installed from a tarball it runs the built JS in dist/. In a checkout (src/ is here) it
// runs the TypeScript sources directly, so a fresh clone works after `npm ci` alone (no build step):
// tsx compiles on the fly, in this process — no child to babysit — so signals, stdio and the exit
// code behave exactly as with `npm start`.
import { existsSync } from "node:fs";
import { register } from "node:module";

if (existsSync(new URL("../src/main.ts", import.meta.url))) {
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
  // Registered after tsx so it runs first: workspace packages resolve to their `src/` through the
  // "source" export condition, as `--conditions=source` does for `npm start`.
  register("./source-condition-hook.js", import.meta.url);
  await import("../src/main.ts");
} else {
  await import("../dist/main.js");
}
