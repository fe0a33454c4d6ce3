#!/usr/bin/env node
// `npx axond` runs the TypeScript sources directly, so a fresh clone works after `npm ci` alone
// (no build step). It stays in this process — no child to babysit — so signals, stdio and the exit
// code behave exactly as with `npm start`.
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

registerTsx();
// Registered after tsx so it runs first: workspace packages resolve to their `src/` through the
// "source" export condition, as `--conditions=source` does for `npm start`.
register("./source-condition-hook.js", import.meta.url);

await import("../src/main.ts");
