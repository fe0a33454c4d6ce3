import fc from "fast-check";
import { fastCheckSeed } from "./fast-check-seed.js";

// Runs before every test file (root vitest.config.ts `setupFiles`). A failing property's message
// carries `{ seed: N, path: … }`; rerun with `FC_SEED=N` to replay it.
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: fastCheckSeed(process.env) });
