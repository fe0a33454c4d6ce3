#!/usr/bin/env node
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
