import { readdirSync } from "node:fs";
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources via the "source" export condition, so
// `npm test` needs no build.
const conditions = ["source", ...defaultServerConditions];

const projectDirs = ["packages", "apps"]
  .flatMap((group) => readdirSync(group).map((name) => `${group}/${name}`))
  .concat("simulation");

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
        testTimeout: 30_000,
        hookTimeout: 30_000,
      },
    })),
  },
});
