import { describe, expect, it } from "vitest";
import { type Manifest, missingEntryFiles, planPack, type Workspace } from "../pack/pack-plan.js";
import { readWorkspaces } from "../pack/pack-tarballs.js";

const ws = (dir: string, manifest: Partial<Manifest> & { name: string }): Workspace => ({
  dir,
  manifest: { version: "0.1.0", ...manifest },
});

describe("planPack", () => {
  it("packs the public workspaces only", () => {
    const plan = planPack([
      ws("packages/core", { name: "@openaxon/core" }),
      ws("simulation", { name: "@openaxon/simulation", private: true }),
    ]);
    expect(plan.packages.map((workspace) => workspace.dir)).toEqual(["packages/core"]);
    expect(plan.problems).toEqual([]);
  });

  it("refuses a public package that needs a private one, an unpinned one, or one no workspace has", () => {
    const plan = planPack([
      ws("a", { name: "@openaxon/a", dependencies: { "@openaxon/hidden": "0.1.0" } }),
      ws("b", { name: "@openaxon/b", dependencies: { "@openaxon/c": "^0.1.0", "@openaxon/gone": "0.1.0" } }),
      ws("c", { name: "@openaxon/c" }),
      ws("hidden", { name: "@openaxon/hidden", private: true }),
    ]);
    expect(plan.problems).toEqual([
      "@openaxon/a depends on @openaxon/hidden, which is private and will not be packed",
      "@openaxon/b depends on @openaxon/c@^0.1.0; pin it to the packed version 0.1.0",
      "@openaxon/b depends on @openaxon/gone, which no workspace provides",
    ]);
  });

  it("ignores dev dependencies and third-party packages", () => {
    const plan = planPack([
      ws("a", {
        name: "@openaxon/a",
        dependencies: { pino: "10.4.0" },
        devDependencies: { "@openaxon/hidden": "0.1.0" },
      }),
      ws("hidden", { name: "@openaxon/hidden", private: true }),
    ]);
    expect(plan.problems).toEqual([]);
  });

  it("finds nothing to fix in this repository's workspaces", () => {
    const root = new URL("../..", import.meta.url).pathname;
    const plan = planPack(readWorkspaces(root));
    expect(plan.problems).toEqual([]);
    expect(plan.packages.map((workspace) => workspace.manifest.name)).toEqual(
      expect.arrayContaining(["@openaxon/client", "@openaxon/cli", "@openaxon/axond", "@openaxon/protocol"]),
    );
  });
});

describe("missingEntryFiles", () => {
  const manifest: Manifest = {
    name: "@openaxon/x",
    version: "0.1.0",
    bin: { x: "bin/x.js" },
    exports: {
      ".": { source: "./src/index.ts", types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./test-support": { source: "./src/test-support/index.ts" },
    },
  };

  it("lists the bin and export targets a tarball lacks, never the source condition", () => {
    expect(missingEntryFiles(manifest, ["package.json", "dist/index.js"])).toEqual([
      "bin/x.js",
      "dist/index.d.ts",
    ]);
    expect(missingEntryFiles(manifest, ["bin/x.js", "dist/index.js", "dist/index.d.ts"])).toEqual([]);
  });

  it("accepts a bin given as a string", () => {
    expect(missingEntryFiles({ name: "x", version: "1.0.0", bin: "./cli.js" }, [])).toEqual(["cli.js"]);
  });
});
