import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { runCli } from "../src/main.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const noSeed = () => {
  throw new Error("a seed was given");
};

it("`npm run sim -- --seed S --runs N` ends with the trace hash and `sim: N runs, seed S, ok`", async () => {
  const { stdout } = await promisify(execFile)(
    "npm",
    ["run", "--silent", "sim", "--", "--seed", "3", "--runs", "4"],
    {
      cwd: repoRoot,
    },
  );
  const lines = stdout.trim().split("\n");
  expect(lines.at(-2)).toMatch(/^trace [0-9a-f]{64}$/);
  expect(lines.at(-1)).toBe("sim: 4 runs, seed 3, ok");
  const again = await runCli(["--seed", "3", "--runs", "4"], noSeed);
  expect(again.output.at(-2)).toBe(lines.at(-2));
}, 120_000);

it("a failure prints the shrunk commands, a readable trace, the seed, the path and a replay command that reproduces it", async () => {
  const failed = await runCli(["--seed", "5", "--runs", "30", "--mutant", "expected-head-ignored"], noSeed);
  expect(failed.exitCode).toBe(1);
  const text = failed.output.join("\n");
  expect(text).toMatch(/^sim: FAILED in run \d+ of seed 5/);
  expect(text).toContain("invariant 11");
  expect(text).toContain("shrunk commands:");
  expect(text).toMatch(/ {2}t=\d+ ack p\d+ axon=a1 seq=\d+/);
  expect(text).toMatch(/ {2}t=\d+ disk sync #\d+: a1#\d+ user\.message/);
  const replay = failed.output.find((l) => l.startsWith("replay: "))!;
  expect(replay).toMatch(
    /^replay: npm run sim -- --seed 5 --path "[\d:]+" --commands-path "[^"]*" --mutant expected-head-ignored --verbose$/,
  );
  const args = [...replay.matchAll(/--([a-z-]+)(?: "?([^" ]+)"?)?/g)]
    .filter(([, flag]) => flag !== "verbose")
    .flatMap(([, flag, value]) => [`--${flag}`, value!]);
  const replayed = await runCli(args, noSeed);
  expect(replayed.exitCode).toBe(1);
  expect(replayed.output[1]).toBe(failed.output[1]);
}, 120_000);

it("--check-determinism passes on a deterministic world; bad flags exit 2 with usage", async () => {
  const checked = await runCli(["--seed", "8", "--runs", "3", "--check-determinism"], noSeed);
  expect(checked.exitCode).toBe(0);
  expect(checked.output.at(-1)).toBe("sim: 3 runs, seed 8, ok");
  const bad = await runCli(["--runs", "zero"], noSeed);
  expect(bad.exitCode).toBe(2);
  expect(bad.output.join("\n")).toContain("usage: npm run sim");
});
