#!/usr/bin/env node
// The `axon` command, run straight from the TypeScript sources so a fresh clone works after
// `npm ci` with no build step: tsx compiles on the fly, and a resolve hook adds the "source"
// export condition for @openaxon/* packages (the same thing `node --conditions=source` does, but
// without re-executing node).
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

registerTsx();
register("./resolve-source.js", import.meta.url);
await import("../src/main.ts");
