import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const src = join(dirname(fileURLToPath(import.meta.url)), "../src");
/** The harness's edges: the CLI may read the wall clock (to pick a seed), settling waits on setImmediate. */
const EDGES = new Set(["main.ts", "settle.ts", "durability-child.ts"]);
const FORBIDDEN =
  /\bDate\.now\b|\bnew Date\b|\bsetTimeout\b|\bsetInterval\b|\bMath\.random\b|\bperformance\.now\b|\bsetImmediate\b/;

it("nothing inside the simulated world reads the wall clock, starts real timers or draws real randomness", () => {
  const offenders = readdirSync(src)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !EDGES.has(f))
    .flatMap((f) =>
      readFileSync(join(src, f), "utf8")
        .split("\n")
        .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
        .filter(
          ({ line }) => FORBIDDEN.test(line) && !line.trim().startsWith("*") && !line.trim().startsWith("//"),
        ),
    );
  expect(offenders).toEqual([]);
});
