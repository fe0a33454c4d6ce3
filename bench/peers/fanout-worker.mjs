// Worker entry: Node 20 does not apply the parent's `--import tsx` hooks to a worker's TypeScript
// entry file, so register tsx here first; `--conditions=source` still comes in through execArgv.
import { register } from "tsx/esm/api";

register();
await import("./fanout-worker.ts");
