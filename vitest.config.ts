import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources via the "source" export condition, so
// `npm test` needs no build.
const conditions = ["source", ...defaultServerConditions];

// Pins fast-check's seed (FC_SEED overrides it; `npm run test:random` draws a fresh one).
const setupFiles = [fileURLToPath(new URL("./tools/test/vitest-setup.ts", import.meta.url))];

const projectDirs = ["packages", "apps"]
  .flatMap((group) => readdirSync(group).map((name) => `${group}/${name}`))
  .concat("simulation", "tools");

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    projects: projectDirs.map((dir) => ({
      extends: true,
      test: {
        name: dir.split("/").pop()!,
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
