// `npm run test:random [-- vitest args]`: the suite with a fresh fast-check seed, printed first and
// last so a failure can be replayed with `FC_SEED=<seed> npx vitest run …`.
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";

const seed = process.env.FC_SEED?.trim() || String(randomInt(-(2 ** 31), 2 ** 31));
const say = () => console.error(`fast-check seed ${seed} (replay: FC_SEED=${seed} npx vitest run …)`);
say();
const run = spawnSync("npx", ["vitest", "run", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, FC_SEED: seed },
});
say();
process.exit(run.status ?? 1);
