import { parseArgs } from "node:util";

export interface BenchSettings {
  /** Events published with unary Publish. */
  readonly unaryEvents: number;
  readonly unaryConcurrency: number;
  /** Events published with PublishBatch. */
  readonly batchEvents: number;
  readonly batchSize: number;
  readonly batchConcurrency: number;
  /** Size of the axon replayed with Subscribe. */
  readonly replayEvents: number;
  /** Scenarios to run (default: all). */
  readonly only: readonly Scenario[];
  /** Record the figures in docs/benchmarks.md. */
  readonly write: boolean;
}

export const SCENARIOS = ["unary", "sdk", "batch", "replay"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const DEFAULTS: Omit<BenchSettings, "write" | "only"> = {
  unaryEvents: 20_000,
  unaryConcurrency: 32,
  batchEvents: 500_000,
  batchSize: 100,
  batchConcurrency: 4,
  replayEvents: 1_000_000,
};

const USAGE = `usage: npm run bench -- [options]
  --events N             scale every scenario to N events (quick runs)
  --unary-events N       unary Publish events (default ${DEFAULTS.unaryEvents})
  --unary-concurrency N  concurrent unary callers (default ${DEFAULTS.unaryConcurrency}); the sdk scenario uses both
  --batch-events N       PublishBatch events (default ${DEFAULTS.batchEvents})
  --batch-size N         events per PublishBatch call (default ${DEFAULTS.batchSize})
  --batch-concurrency N  concurrent PublishBatch callers (default ${DEFAULTS.batchConcurrency})
  --replay-events N      events in the replayed axon (default ${DEFAULTS.replayEvents})
  --only LIST            run only these scenarios: ${SCENARIOS.join(",")} (comma-separated)
  --write / --no-write   record figures in docs/benchmarks.md (default: only with default sizes)`;

export function parseBenchArgs(argv: readonly string[]): BenchSettings | "help" {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      events: { type: "string" },
      "unary-events": { type: "string" },
      "unary-concurrency": { type: "string" },
      "batch-events": { type: "string" },
      "batch-size": { type: "string" },
      "batch-concurrency": { type: "string" },
      "replay-events": { type: "string" },
      only: { type: "string" },
      write: { type: "boolean" },
      "no-write": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const count = (name: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer\n${USAGE}`);
    return n;
  };
  const events = count("events", values.events, 0) || undefined;
  const only = parseOnly(values.only);
  const sized = [
    values.events,
    values["unary-events"],
    values["batch-events"],
    values["replay-events"],
    values.only,
  ];
  const settings = {
    unaryEvents: count("unary-events", values["unary-events"], events ?? DEFAULTS.unaryEvents),
    unaryConcurrency: count("unary-concurrency", values["unary-concurrency"], DEFAULTS.unaryConcurrency),
    batchEvents: count("batch-events", values["batch-events"], events ?? DEFAULTS.batchEvents),
    batchSize: count("batch-size", values["batch-size"], DEFAULTS.batchSize),
    batchConcurrency: count("batch-concurrency", values["batch-concurrency"], DEFAULTS.batchConcurrency),
    replayEvents: count("replay-events", values["replay-events"], events ?? DEFAULTS.replayEvents),
  };
  // Quick or partial runs must not overwrite the recorded figures by accident.
  const write = values["no-write"] ? false : (values.write ?? sized.every((v) => v === undefined));
  return { ...settings, only, write };
}

function parseOnly(value: string | undefined): readonly Scenario[] {
  if (value === undefined) return SCENARIOS;
  const names = value.split(",").map((n) => n.trim());
  for (const name of names) {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new Error(`--only takes ${SCENARIOS.join(", ")}; got ${JSON.stringify(name)}\n${USAGE}`);
    }
  }
  return names as Scenario[];
}

export { USAGE };
