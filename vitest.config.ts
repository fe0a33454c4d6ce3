import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources via the "source" export condition, so
// `npm test` needs no build.
const conditions = ["source", ...defaultServerConditions];

// Pins fast-check's seed (FC_SEED overrides it; `npm run test:random` draws a fresh one).
const setupFiles = [fileURLToPath(new URL("./tools/test/vitest-setup.ts", import.meta.url))];

// Two test files at a time on CI's two cores: most tests wait on servers, fsync and child
// processes rather than compute, so two workers take ~14 minutes where one took ~22. Projects whose
// tests judge races under kills and timers (JetStream clusters killed -9, the simulation's
// durability model) keep one worker; vitest runs such projects last, one file at a time, alone.
const MAX_WORKERS = 2;
const ALONE = new Set(["store-jetstream", "simulation"]);

const projectDirs = ["packages", "apps"]
  .flatMap((group) => readdirSync(group).map((name) => `${group}/${name}`))
  .concat("simulation", "tools");

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    maxWorkers: MAX_WORKERS,
    projects: projectDirs.map((dir) => ({
      extends: true,
      test: {
        name: dir.split("/").pop()!,
        ...(ALONE.has(dir.split("/").pop()!) && { maxWorkers: 1 }),
        root: dir,
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        environment: "node",
        setupFiles,
        testTimeout: 30_000,
        hookTimeout: 30_000,
      },
    })),
  },
});
