/**
 * `npm run sim -- --seed S --runs N`: runs N simulations from seed S.
 *
 * This is the harness's edge, outside the simulated world: the one place allowed to read the wall
 * clock (to pick a seed when none is given).
 */
import { parseArgs } from "node:util";
import { MUTANTS, type MutantName } from "@openaxon/core";
import { COVERAGE_EVENTS, type CoverageEvent } from "./coverage.js";
import { DEFAULT_MAX_COMMANDS, type SimResult, simulate } from "./simulation.js";

const USAGE = `usage: npm run sim -- [--seed S] [--runs N] [--check-determinism] [--path P --commands-path C]
                      [--max-commands M]
                      [--require-coverage] [--verbose] [--mutant NAME]

  --seed S             first seed (default: random, printed)
  --runs N             simulations to run (default 100)
  --check-determinism  run every simulation twice and fail on any difference in its trace
  --path P             replay the failure a previous run printed (with its --seed and
  --commands-path C    --commands-path; both are printed with the failure)
  --max-commands M     longest command sequence per run (default ${DEFAULT_MAX_COMMANDS})
  --require-coverage   fail when an interesting event never happened in these runs
  --verbose            print every trace line as it happens
  --mutant NAME        (test-only) run against a deliberately broken production behaviour`;

export interface CliResult {
  readonly exitCode: number;
  readonly output: string[];
}

export async function runCli(argv: readonly string[], defaultSeed: () => number): Promise<CliResult> {
  const out: string[] = [];
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    return { exitCode: 2, output: [`sim: ${(error as Error).message}`, USAGE] };
  }
  if (args.help) return { exitCode: 0, output: [USAGE] };
  const seed = args.seed ?? defaultSeed();
  const runs = args.runs ?? 100;
  const result = await simulate({
    seed,
    runs,
    checkDeterminism: args.checkDeterminism,
    ...(args.path !== undefined && { path: args.path }),
    ...(args.commandsPath !== undefined && { commandsPath: args.commandsPath }),
    ...(args.maxCommands !== undefined && { maxCommands: args.maxCommands }),
    ...(args.mutant !== undefined && { mutants: [args.mutant] }),
    ...(args.verbose && { echo: (line: string) => console.log(line) }),
  });
  if (!result.ok) {
    out.push(...describeFailure(result, seed, args.mutant));
    return { exitCode: 1, output: out };
  }
  out.push(`coverage ${formatCoverage(result)}`);
  const missing = (Object.keys(COVERAGE_EVENTS) as CoverageEvent[]).filter((k) => result.coverage[k] === 0);
  if (args.requireCoverage && missing.length > 0) {
    out.push(
      `sim: coverage: never happened in ${result.runs} runs: ${missing.map((k) => `${k} (${COVERAGE_EVENTS[k]})`).join("; ")}`,
    );
    out.push(`sim: ${result.runs} runs, seed ${seed}, FAILED (coverage)`);
    return { exitCode: 1, output: out };
  }
  out.push(`trace ${result.traceHash}`);
  out.push(`sim: ${result.runs} runs, seed ${seed}, ok`);
  return { exitCode: 0, output: out };
}

function describeFailure(result: SimResult, seed: number, mutant: MutantName | undefined): string[] {
  const f = result.failure!;
  return [
    `sim: FAILED in run ${f.runsToFailure} of seed ${seed} (shrunk ${f.shrinks} times)`,
    f.message,
    "",
    "shrunk commands:",
    ...f.commands.map((c) => `  ${c}`),
    "",
    "trace of the shrunk run:",
    ...f.trace.map((line) => `  ${line}`),
    "",
    `seed ${f.seed}`,
    `path ${f.path} ${f.commandsPath}`,
    `replay: npm run sim -- --seed ${f.seed} --path "${f.path}" --commands-path "${f.commandsPath}"${mutant ? ` --mutant ${mutant}` : ""} --verbose`,
  ];
}

function formatCoverage(result: SimResult): string {
  return (Object.keys(COVERAGE_EVENTS) as CoverageEvent[]).map((k) => `${k}=${result.coverage[k]}`).join(" ");
}

function parse(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seed: { type: "string" },
      runs: { type: "string" },
      "check-determinism": { type: "boolean" },
      path: { type: "string" },
      "commands-path": { type: "string" },
      "max-commands": { type: "string" },
      "require-coverage": { type: "boolean" },
      verbose: { type: "boolean" },
      mutant: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const int = (name: string, value: string | undefined, min: number): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min)
      throw new Error(`--${name} must be an integer ≥ ${min}, got ${value}`);
    return n;
  };
  const mutant = values.mutant;
  if (mutant !== undefined && !(mutant in MUTANTS)) {
    throw new Error(`--mutant ${mutant} is not one of: ${Object.keys(MUTANTS).join(", ")}`);
  }
  return {
    seed: int("seed", values.seed, -(2 ** 31)),
    runs: int("runs", values.runs, 1),
    checkDeterminism: values["check-determinism"] === true,
    path: values.path,
    commandsPath: values["commands-path"],
    maxCommands: int("max-commands", values["max-commands"], 1),
    requireCoverage: values["require-coverage"] === true,
    verbose: values.verbose === true,
    mutant: mutant as MutantName | undefined,
    help: values.help === true,
  };
}

const isMain =
  import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/simulation/src/main.ts");
if (isMain) {
  // The wall clock picks a seed only when none is given; the seed is printed either way.
  const result = await runCli(process.argv.slice(2), () => Date.now() % 2 ** 31);
  for (const line of result.output) console.log(line);
  process.exitCode = result.exitCode;
}
