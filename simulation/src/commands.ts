import fc from "fast-check";
import { AGENT_STEPS, type AgentScript, STOP_REASONS } from "./agent-script.js";
import type { FaultKind } from "./swarm.js";
import { AXON_NAMES, MOUNTED_AXON, RETAINED_AXON, type World } from "./world.js";

/** fast-check's model: the world itself (commands read what they need from it). */
export interface Model {
  readonly world: World;
}

/**
 * One kind of command. Adding a command = adding an entry to COMMANDS: how its parameters are
 * drawn, when it applies, what it does, and how it reads in a trace. A `fault` command runs only
 * when its roll is below this run's rate for that fault (swarm testing).
 */
export interface CommandSpec<P> {
  readonly name: string;
  readonly fault?: FaultKind;
  /** How many times it is listed for fc.commands (a crude weight). */
  readonly weight?: number;
  readonly params: fc.Arbitrary<P>;
  readonly applies?: (world: World, params: P) => boolean;
  readonly run: (world: World, params: P) => Promise<unknown> | unknown;
  readonly describe: (params: P) => string;
}

const stepArb = fc.constantFrom(
  ...AGENT_STEPS,
  "chunk" as const,
  "chunk" as const,
  "tool" as const,
  "ask" as const,
  "ask" as const,
);
const scriptArb: fc.Arbitrary<AgentScript> = fc.record({
  steps: fc.array(stepArb, { maxLength: 4 }),
  stopReason: fc.constantFrom(...STOP_REASONS),
});

const axonArb = fc.constantFrom(...AXON_NAMES);

const publishOptsArb = fc.record({
  key: fc.boolean(),
  expectedHead: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 3 },
    { arbitrary: fc.nat(1), weight: 1 },
  ),
  external: fc.boolean(),
});

const spec = <P>(s: CommandSpec<P>): CommandSpec<P> => s;

/** Subscribe filters: none, the triggers only (by event type), the agent's output only (by origin). */
const FILTERS = {
  all: undefined,
  triggers: { eventTypes: ["user.message"], origins: [] },
  "agent-output": { eventTypes: [], origins: [2] },
} as const;

export const COMMANDS = [
  spec({
    name: "trigger",
    weight: 3,
    params: fc.record({ opts: publishOptsArb, script: scriptArb }),
    run: (w, p) => w.publishTrigger(MOUNTED_AXON, p.script, p.opts),
    describe: (p) =>
      `trigger ${MOUNTED_AXON} [${p.script.steps.join(",")}] ${p.script.stopReason}${flags(p.opts)}`,
  }),
  spec({
    name: "publish",
    weight: 2,
    params: fc.record({ axon: axonArb, count: fc.integer({ min: 1, max: 3 }), opts: publishOptsArb }),
    run: (w, p) => w.publishNotes(p.axon, p.count, p.opts),
    describe: (p) => `publish ${p.axon} ${p.count} note(s)${flags(p.opts)}`,
  }),
  spec({
    name: "retry-unknown",
    fault: "retryUnknown",
    weight: 2,
    params: fc.nat(15),
    applies: (w) => w.publisher.retryable().length > 0,
    run: (w, pick) => w.retryUnknown(pick),
    describe: (pick) => `retry unknown publish #${pick}`,
  }),
  spec({
    name: "sql-write",
    fault: "sql",
    params: fc.record({ axon: axonArb, rows: fc.integer({ min: 1, max: 3 }) }),
    run: (w, p) => w.sqlWrite(p.axon, p.rows),
    describe: (p) => `sql write ${p.axon} ${p.rows} row(s)${p.rows > 1 ? " (batch)" : ""}`,
  }),
  spec({
    name: "sql-read",
    fault: "sql",
    params: fc.record({ axon: axonArb, what: fc.constantFrom("notes" as const, "events" as const) }),
    run: (w, p) => w.sqlRead(p.axon, p.what),
    describe: (p) => `sql read ${p.axon} ${p.what}`,
  }),
  spec({
    name: "retry-unknown-sql",
    fault: "retryUnknown",
    params: fc.nat(15),
    applies: (w) => w.sql.retryable().length > 0,
    run: (w, pick) => w.retryUnknownSql(pick),
    describe: (pick) => `retry unknown SQL write #${pick}`,
  }),
  spec({
    name: "subscribe",
    // From a fixed sequence, or from near the head as the subscriber last saw it (before, at or
    // beyond it: a cursor in the future waits for the axon to get there).
    params: fc.record({
      axon: axonArb,
      from: fc.oneof(
        fc.record({ at: fc.nat(12) }),
        fc.record({ head: fc.integer({ min: -6, max: 2 }) }),
        // Around the trim line: below it the stream ends OUT_OF_RANGE.
        fc.record({ line: fc.integer({ min: -3, max: 1 }) }),
      ),
      filter: fc.constantFrom("all", "all", "all", "triggers", "agent-output"),
    }),
    applies: (w) => w.subscribers.length < 4,
    run: (w, p) => w.subscribe(p.axon, subscribeFrom(w, p.axon, p.from), FILTERS[p.filter]),
    describe: (p) =>
      `subscribe ${p.axon} after=${describeFrom(p.from)}${p.filter === "all" ? "" : ` ${p.filter}`}`,
  }),
  spec({
    name: "set-retention",
    fault: "retention",
    // Small limits, so a few publishes already trim; max_age by the store's (simulated) clock.
    params: fc
      .record({
        maxEvents: fc.option(fc.constantFrom(1, 2, 3, 5, 8), { nil: undefined }),
        maxAgeMs: fc.option(fc.constantFrom(1_000, 30_000, 300_000), { nil: undefined }),
        replace: fc.boolean(),
      })
      .filter((p) => p.maxEvents !== undefined || p.maxAgeMs !== undefined),
    run: (w, p) => w.setRetention(p, p.replace),
    describe: (p) =>
      `${p.replace ? "set" : "update"} retention ${RETAINED_AXON}${p.maxEvents ? ` max_events=${p.maxEvents}` : ""}${p.maxAgeMs ? ` max_age=${p.maxAgeMs}ms` : ""}`,
  }),
  spec({
    name: "retention-pass",
    fault: "retention",
    weight: 3,
    // Left to the scheduler, or with its writes synced at once (so the next commands meet the line).
    params: fc.boolean(),
    applies: (w) => w.node?.started === true,
    run: async (w, synced) => {
      if (w.retentionPass() && synced) await w.syncUntilTrimmed(8);
    },
    describe: (synced) => `retention pass${synced ? " (synced)" : ""}`,
  }),
  spec({
    name: "read-around-trim",
    fault: "retention",
    weight: 2,
    params: fc.record({
      axon: fc.constantFrom(RETAINED_AXON, RETAINED_AXON, ...AXON_NAMES),
      delta: fc.integer({ min: -2, max: 1 }),
      what: fc.constantFrom("events" as const, "events" as const, "axon" as const),
    }),
    run: (w, p) => w.readAroundTrim(p.axon, p.delta, p.what),
    describe: (p) =>
      p.what === "axon"
        ? `get axon ${p.axon}`
        : `list ${p.axon} after=line${p.delta < 0 ? "" : "+"}${p.delta}`,
  }),
  spec({
    name: "disconnect",
    fault: "disconnect",
    params: fc.nat(15),
    applies: (w) => w.subscribers.some((s) => s.connected),
    run: (w, pick) => w.disconnect(pick),
    describe: (pick) => `disconnect subscriber #${pick}`,
  }),
  spec({
    name: "reconnect",
    params: fc.nat(15),
    applies: (w) => w.subscribers.some((s) => !s.connected),
    run: (w, pick) => w.reconnect(pick),
    describe: (pick) => `reconnect subscriber #${pick}`,
  }),
  spec({
    name: "crash-store",
    fault: "crashStore",
    weight: 2,
    params: fc.record({
      when: fc.constantFrom("now" as const, "ack-on-wire" as const, "mid-trim" as const),
      survivors: fc.nat(2),
    }),
    applies: (w) => w.node !== undefined,
    run: async (w, p) => {
      // A power cut after an fsync and before the client hears of it is where acks get lost.
      if (p.when === "ack-on-wire") await w.syncUntilAckOnWire(8);
      // A power cut while a retention pass's trim line (and its deletes) wait for their fsync.
      if (p.when === "mid-trim" && w.retentionPass()) await w.settleAndWatch();
      w.crashStore(p.survivors);
    },
    describe: (p) =>
      `crash store${p.when === "now" ? "" : p.when === "ack-on-wire" ? " once an ack is on the wire" : " in a retention pass"} (${p.survivors} in-flight write(s) may survive)`,
  }),
  spec({
    name: "restart-store",
    weight: 3,
    params: fc.constant(null),
    applies: (w) => w.node === undefined,
    run: (w) => w.restartStore(),
    describe: () => "restart store",
  }),
  spec({
    name: "crash-agent",
    fault: "crashAgent",
    params: fc.constant(null),
    applies: (w) => w.agent.agentAlive,
    run: (w) => w.crashAgent(),
    describe: () => "crash agent",
  }),
  spec({
    name: "suspend",
    fault: "suspend",
    params: fc.constant(null),
    applies: (w) => w.node?.started === true,
    run: (w) => w.suspendRuntime(),
    describe: () => "suspend runtime",
  }),
  spec({
    name: "resume",
    fault: "resume",
    params: fc.constant(null),
    applies: (w) => w.node?.started === true,
    run: (w) => w.resumeRuntime(),
    describe: () => "resume runtime",
  }),
  spec({
    name: "update-runtime",
    fault: "update",
    weight: 2,
    // A new binary is another agent (it cannot resume: primed); new args or model resume the session.
    params: fc.constantFrom("binary" as const, "binary" as const, "model" as const, "args" as const),
    applies: (w) => w.node?.started === true,
    run: (w, change) => w.updateRuntime(change),
    describe: (change) => `update runtime ${change}`,
  }),
  spec({
    name: "advance-clock",
    fault: "advanceClock",
    params: fc.constantFrom(500, 2_000, 5_000, 16_000, 31_000, 95_000, 301_000),
    run: (w, ms) => w.advanceClock(ms),
    describe: (ms) => `advance clock ${ms}ms`,
  }),
  spec({
    name: "cancel",
    fault: "cancel",
    params: fc.option(fc.nat(15), { nil: undefined }),
    run: (w, pick) => w.publishCancel(pick),
    describe: (pick) => (pick === undefined ? "cancel the running turn" : `cancel open trigger #${pick}`),
  }),
  spec({
    name: "answer-permission",
    fault: "answerPermission",
    params: fc.record({
      pick: fc.nat(15),
      answer: fc.constantFrom(
        "always" as const,
        "always" as const,
        "allow" as const,
        "reject" as const,
        "rejected" as const,
      ),
    }),
    applies: (w) => w.swarm.permissionPolicy === "ask",
    run: (w, p) => w.answerPermission(p.pick, p.answer),
    describe: (p) => `answer permission request #${p.pick} with ${p.answer}`,
  }),
  spec({
    name: "tick",
    weight: 6,
    params: fc.array(fc.nat(20), { minLength: 1, maxLength: 12 }),
    run: (w, picks) => w.tick(picks),
    describe: (picks) => `tick [${picks.join(",")}]`,
  }),
] as const;

type SubscribeFrom = { at: number } | { head: number } | { line: number };

/** A fixed sequence, or relative to the head or to the trim line (the one before the first available). */
function subscribeFrom(w: World, axon: string, from: SubscribeFrom): number {
  if ("at" in from) return from.at;
  if ("head" in from) return Math.max(0, w.headOf(axon) + from.head);
  return Math.max(0, w.firstAvailable(axon) - 1 + from.line);
}

function describeFrom(from: SubscribeFrom): string {
  if ("at" in from) return String(from.at);
  const [base, d] = "head" in from ? ["head", from.head] : ["line", from.line];
  return `${base}${d < 0 ? "" : "+"}${d}`;
}

function flags(opts: { key: boolean; expectedHead: number | undefined; external: boolean }): string {
  return `${opts.key ? " key" : ""}${opts.expectedHead !== undefined ? ` expected_head=known-${opts.expectedHead}` : ""}${opts.external ? " external" : ""}`;
}

/** A command as fast-check runs it: the spec, its drawn parameters and its swarm roll. */
export class SimCommand<P> implements fc.AsyncCommand<Model, World, false> {
  constructor(
    readonly spec: CommandSpec<P>,
    readonly params: P,
    readonly roll: number,
  ) {}

  check(model: Readonly<Model>): boolean {
    const { world } = model;
    if (this.spec.fault && this.roll >= world.swarm.rates[this.spec.fault]) return false;
    return this.spec.applies?.(world, this.params) ?? true;
  }

  async run(_model: Model, world: World): Promise<void> {
    world.trace.add(`> ${this.toString()}`);
    await this.spec.run(world, this.params);
    await world.afterStep();
  }

  toString(): string {
    return this.spec.describe(this.params);
  }
}

/** The arbitraries fc.commands draws from (each spec listed `weight` times). */
export function commandArbitraries(): fc.Arbitrary<SimCommand<unknown>>[] {
  return COMMANDS.flatMap((s) => {
    const spec = s as CommandSpec<unknown>;
    const arb = fc
      .tuple(spec.params, fc.nat(99))
      .map(([params, roll]) => new SimCommand(spec, params, roll) as SimCommand<unknown>);
    return Array.from({ length: spec.weight ?? 1 }, () => arb);
  });
}
