import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MutantName, setActiveMutants } from "@openaxon/core";
import fc from "fast-check";
import { commandArbitraries, type Model, type SimCommand } from "./commands.js";
import { addCoverage, type CoverageCounts, emptyCoverage } from "./coverage.js";
import { InvariantViolation } from "./invariants.js";
import { liveness } from "./liveness.js";
import { tallyLogCoverage } from "./log-coverage.js";
import { describeSwarm, type Swarm, swarmArb } from "./swarm.js";
import { BROKER_SOURCE, World } from "./world.js";

export interface SimOptions {
  readonly seed: number;
  readonly runs: number;
  /** Longest command sequence of a run. */
  readonly maxCommands?: number;
  /** Run each simulation twice and fail on any difference in the trace (invariant 10). */
  readonly checkDeterminism?: boolean;
  /** Replay one counterexample: the fast-check path printed by a failure… */
  readonly path?: string;
  /** …and the commands' replay path printed with it (fc.commands needs both). */
  readonly commandsPath?: string;
  /** Stop at the first failure without shrinking (the mutant suite only needs to know it is caught). */
  readonly noShrink?: boolean;
  /** Test-only: run against these mutants of the production code. */
  readonly mutants?: readonly MutantName[];
  /** Print every trace line of every run as it happens. */
  readonly echo?: (line: string) => void;
}

export interface SimFailure {
  readonly message: string;
  readonly invariant: number | undefined;
  /** The commands the failing (shrunk) run executed, one per entry. */
  readonly commands: readonly string[];
  /** fc.commands' replay path of the failing run (replaying needs it beside `path`). */
  readonly commandsPath: string;
  readonly swarm: string;
  /** The failing run's full trace, replayed. */
  readonly trace: readonly string[];
  readonly seed: number;
  readonly path: string;
  /** Runs it took to find the failure (before shrinking). */
  readonly runsToFailure: number;
  readonly shrinks: number;
}

export interface SimResult {
  readonly ok: boolean;
  readonly runs: number;
  /** sha256 over every run's trace hash, in order. */
  readonly traceHash: string;
  readonly coverage: CoverageCounts;
  readonly failure?: SimFailure;
}

export const DEFAULT_MAX_COMMANDS = 60;

interface RunOutcome {
  readonly digest: string;
  readonly lines: readonly string[];
  readonly coverage: CoverageCounts;
  readonly error: unknown;
}

/** The working directory the runtime is given: real, shared, never written into. */
function workdirRoot(): string {
  const dir = join(tmpdir(), "openaxon-simulation");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One simulation: set the world up, run the commands, then let faults stop and check liveness. */
export async function runOnce(
  swarm: Swarm,
  commands: Iterable<fc.AsyncCommand<Model, World, false>>,
  echo?: (line: string) => void,
): Promise<RunOutcome> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  let world: World | undefined;
  let error: unknown;
  try {
    world = await World.create(swarm, { workdirRoot: workdirRoot(), ...(echo && { echo }) });
    const w = world;
    world.trace.add(describeSwarm(swarm));
    await fc.asyncModelRun(() => ({ model: { world: w }, real: w }), commands);
    await liveness(world);
  } catch (e) {
    error = e;
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  if (!error && unhandled.length > 0) {
    const reason = unhandled[0] as Error;
    error = new InvariantViolation(12, `unhandled promise rejection: ${reason?.stack ?? String(reason)}`);
  }
  if (!world) {
    const lines = [`setup failed: ${(error as Error)?.stack ?? String(error)}`];
    return { digest: "", lines, coverage: emptyCoverage(), error };
  }
  tallyLogCoverage(world.mountedLog(), BROKER_SOURCE, world.coverage);
  world.trace.add(error ? `FAILED: ${(error as Error).message}` : "ok");
  return { digest: world.trace.digest(), lines: world.trace.lines, coverage: world.coverage, error };
}

/** The property: every run of every seed keeps every invariant. */
function property(options: SimOptions, digests: string[], coverage: CoverageCounts) {
  const maxCommands = options.maxCommands ?? DEFAULT_MAX_COMMANDS;
  return fc.asyncProperty(
    swarmArb,
    fc.commands(commandArbitraries(), {
      maxCommands,
      size: "max",
      ...(options.commandsPath !== undefined && { replayPath: options.commandsPath }),
    }),
    async (swarm, commands) => {
      const run = await runOnce(swarm, commands, options.echo);
      if (!run.error && options.checkDeterminism) {
        const again = await runOnce(swarm, commands);
        if (again.digest !== run.digest) {
          const at = run.lines.findIndex((line, i) => again.lines[i] !== line);
          throw new InvariantViolation(
            10,
            `the same run traced ${run.digest} then ${again.digest}; first difference at line ${at + 1}: ` +
              `"${run.lines[at]}" vs "${again.lines[at]}"`,
          );
        }
      }
      digests.push(run.digest);
      addCoverage(coverage, run.coverage);
      if (run.error) throw run.error;
    },
  );
}

/** Runs `runs` simulations from `seed` (or replays `path`), shrinking a failure to a short trace. */
export async function simulate(options: SimOptions): Promise<SimResult> {
  const digests: string[] = [];
  const coverage = emptyCoverage();
  setActiveMutants(options.mutants ?? []);
  try {
    const details = await fc.check(property(options, digests, coverage), {
      seed: options.seed,
      numRuns: options.runs,
      ...(options.path !== undefined && { path: options.path }),
      endOnFailure: options.noShrink === true || options.path !== undefined,
    });
    const traceHash = createHash("sha256").update(digests.join("\n")).digest("hex");
    if (!details.failed) return { ok: true, runs: details.numRuns, traceHash, coverage };
    const [swarm, commands] = details.counterexample ?? [];
    const replay = swarm && commands ? await runOnce(swarm, commands) : undefined;
    const error = details.errorInstance;
    return {
      ok: false,
      runs: details.numRuns,
      traceHash,
      coverage,
      failure: {
        message: error instanceof Error ? error.message : String(error),
        invariant: error instanceof InvariantViolation ? error.invariant : undefined,
        commands: (replay?.lines ?? [])
          .filter((l) => /^t=\d+ > /.test(l))
          .map((l) => l.replace(/^t=\d+ > /, "")),
        commandsPath: /replayPath="([^"]*)"/.exec(String(commands ?? ""))?.[1] ?? "",
        swarm: swarm ? describeSwarm(swarm) : "",
        trace: replay?.lines ?? [],
        seed: details.seed,
        path: details.counterexamplePath ?? "",
        runsToFailure: details.numRuns,
        shrinks: details.numShrinks,
      },
    };
  } finally {
    setActiveMutants([]);
  }
}

export type { SimCommand };
