import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AppendOutcome,
  type AxonLogOperation,
  type AxonLogState,
  axonLogModel,
  modelRead,
} from "./axon-log-model.js";
import { checkLinearizable, type TimedOperation } from "./check-linearizable.js";

type Timed = TimedOperation<AxonLogOperation>;
const check = (history: readonly Timed[]) => checkLinearizable(axonLogModel, history).kind;
const appended = (firstSequence: number, lastSequence: number, duplicate = false): AppendOutcome => ({
  kind: "appended",
  firstSequence,
  lastSequence,
  duplicate,
});

describe("checkLinearizable on the axon log model: worked examples", () => {
  it("two appends may take sequences in either order while they overlap, not once one finished first", () => {
    const a: Timed = { call: 1, ret: 2, op: { kind: "append", events: ["a"], outcome: appended(2, 2) } };
    const bAfter: Timed = { call: 3, ret: 4, op: { kind: "append", events: ["b"], outcome: appended(1, 1) } };
    const bOverlapping: Timed = { ...bAfter, call: 1.5 };
    expect(check([a, bAfter])).toBe("not_linearizable");
    expect(check([a, bOverlapping])).toBe("linearizable");
  });

  it("an unanswered append may land later, or never", () => {
    const lost: Timed = {
      call: 1,
      ret: undefined,
      op: { kind: "append", events: ["x"], outcome: { kind: "unknown" } },
    };
    const readSees = (events: string[]): Timed => ({
      call: 5,
      ret: 6,
      op: {
        kind: "read",
        afterSequence: 0,
        limit: 10,
        events: events.map((id, i) => ({ sequence: i + 1, id })),
      },
    });
    expect(check([lost, readSees(["x"])])).toBe("linearizable");
    expect(check([lost, readSees([])])).toBe("linearizable");
    expect(check([lost, readSees(["y"])])).toBe("not_linearizable");
  });

  it("a retried key answers the original range, marked duplicate; anything else is a violation", () => {
    const first: Timed = {
      call: 1,
      ret: 2,
      op: { kind: "append", events: ["a", "b"], idempotencyKey: "k", outcome: appended(1, 2) },
    };
    const retry = (outcome: AppendOutcome): Timed => ({
      call: 3,
      ret: 4,
      op: { kind: "append", events: ["a2", "b2"], idempotencyKey: "k", outcome },
    });
    expect(check([first, retry(appended(1, 2, true))])).toBe("linearizable");
    expect(check([first, retry(appended(3, 4, false))])).toBe("not_linearizable");
    expect(check([first, retry(appended(2, 3, true))])).toBe("not_linearizable");
  });

  it("an expected head fails only when the head really differed, and says which head it saw", () => {
    const a: Timed = { call: 1, ret: 2, op: { kind: "append", events: ["a"], outcome: appended(1, 1) } };
    const expecting = (expectedHead: number, outcome: AppendOutcome): Timed => ({
      call: 3,
      ret: 4,
      op: { kind: "append", events: ["b"], expectedHead, outcome },
    });
    expect(check([a, expecting(0, { kind: "head_mismatch", currentHead: 1 })])).toBe("linearizable");
    expect(check([a, expecting(1, { kind: "head_mismatch", currentHead: 1 })])).toBe("not_linearizable");
    expect(check([a, expecting(0, { kind: "head_mismatch", currentHead: 0 })])).toBe("not_linearizable");
    expect(check([a, expecting(0, appended(2, 2))])).toBe("not_linearizable");
  });

  it("descending reads count down from below `afterSequence`, or from the head", () => {
    const state: AxonLogState = { log: ["a", "b", "c", "d"], keys: new Map() };
    expect(modelRead(state, { afterSequence: 0, limit: 2, descending: true })).toEqual([
      { sequence: 4, id: "d" },
      { sequence: 3, id: "c" },
    ]);
    expect(modelRead(state, { afterSequence: 3, limit: 5, descending: true })).toEqual([
      { sequence: 2, id: "b" },
      { sequence: 1, id: "a" },
    ]);
  });

  it("gives up with `unknown` rather than run forever", () => {
    // Many overlapping unanswered appends: many orders to try before the impossible read fails.
    const lost = Array.from(
      { length: 14 },
      (_, i): Timed => ({
        call: i,
        ret: undefined,
        op: { kind: "append", events: [`e${i}`], outcome: { kind: "unknown" } },
      }),
    );
    const impossible: Timed = {
      call: 100,
      ret: 101,
      op: { kind: "read", afterSequence: 0, limit: 1, events: [{ sequence: 1, id: "nope" }] },
    };
    expect(checkLinearizable(axonLogModel, [...lost, impossible], { maxSteps: 1000 }).kind).toBe("unknown");
  });
});

// --- Generated histories: linearizable by construction, then broken in known ways. ---

type Spec =
  | {
      kind: "append";
      size: number;
      key: number | undefined;
      expected: "none" | "current" | number;
      pending: "no" | "landed" | "lost";
    }
  | { kind: "read"; after: number; limit: number; descending: boolean }
  | { kind: "head" };

const specArb: fc.Arbitrary<Spec> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      size: fc.integer({ min: 1, max: 3 }),
      key: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      expected: fc.oneof(
        { arbitrary: fc.constant("none" as const), weight: 3 },
        fc.constant("current" as const),
        fc.integer({ min: 0, max: 8 }),
      ),
      pending: fc.oneof(
        { arbitrary: fc.constant("no" as const), weight: 6 },
        fc.constant("landed" as const),
        fc.constant("lost" as const),
      ),
    }),
    weight: 3,
  },
  fc.record({
    kind: fc.constant("read" as const),
    after: fc.integer({ min: 0, max: 8 }),
    limit: fc.integer({ min: 1, max: 12 }),
    descending: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("head" as const) }),
);

interface Generated {
  readonly history: Timed[];
  /** Answered appends that added events, with their (first, last). */
  readonly acked: Array<{ index: number; first: number; last: number; key: string | undefined }>;
  readonly finalHead: number;
  /** The log as the run left it (sequence n at n - 1). */
  readonly finalLog: readonly string[];
  /** Events the lost (never answered, not landed) appends could still add. */
  readonly lostEvents: number;
  readonly end: number;
}

/**
 * Runs the specs one after another against the model (each at its linearization point 100·i),
 * then widens every operation's interval around its point by the drawn amounts, so operations
 * overlap but the history stays linearizable.
 */
function generate(specs: Spec[], widths: Array<[number, number]>): Generated {
  let state = axonLogModel.init();
  const history: Timed[] = [];
  const acked: Generated["acked"] = [];
  let lostEvents = 0;
  specs.forEach((spec, i) => {
    const point = 100 * (i + 1);
    const [widen, widenAfter] = widths[i % widths.length]!;
    const call = point - widen;
    let ret: number | undefined = point + widenAfter;
    const stateBefore = state;
    let op: AxonLogOperation;
    if (spec.kind === "append") {
      const events = Array.from({ length: spec.size }, (_, j) => `e${i}.${j}`);
      const head = state.log.length;
      const expectedHead =
        spec.expected === "none" ? undefined : spec.expected === "current" ? head : spec.expected;
      const idempotencyKey = spec.key === undefined ? undefined : `k${spec.key}`;
      const original = idempotencyKey === undefined ? undefined : state.keys.get(idempotencyKey);
      const outcome: AppendOutcome = original
        ? appended(original.first, original.last, true)
        : expectedHead !== undefined && expectedHead !== head
          ? { kind: "head_mismatch", currentHead: head }
          : appended(head + 1, head + spec.size);
      const input = {
        kind: "append" as const,
        events,
        ...(expectedHead === undefined ? {} : { expectedHead }),
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      };
      op = { ...input, outcome };
      if (spec.pending === "lost") {
        history.push({ call, ret: undefined, op: { ...input, outcome: { kind: "unknown" } } });
        lostEvents += spec.size;
        return;
      }
      if (spec.pending === "landed") {
        ret = undefined;
        op = { ...input, outcome: { kind: "unknown" } };
      } else if (outcome.kind === "appended" && !outcome.duplicate) {
        acked.push({
          index: history.length,
          first: outcome.firstSequence,
          last: outcome.lastSequence,
          key: idempotencyKey,
        });
      }
      state = axonLogModel.step(state, { ...input, outcome })!;
    } else if (spec.kind === "read") {
      const options = { afterSequence: spec.after, limit: spec.limit, descending: spec.descending };
      op = { kind: "read", ...options, events: modelRead(state, options) };
    } else {
      op = { kind: "head", head: state.log.length };
    }
    expect(axonLogModel.step(stateBefore, op)).toBeDefined();
    history.push({ call, ret, op });
  });
  return {
    history,
    acked,
    finalHead: state.log.length,
    finalLog: state.log,
    lostEvents,
    end: 100 * (specs.length + 2),
  };
}

const historyArb = fc
  .tuple(
    fc.array(specArb, { minLength: 1, maxLength: 24 }),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 350 }), fc.integer({ min: 0, max: 350 })), {
      minLength: 1,
      maxLength: 8,
    }),
  )
  // Every history starts with one plain answered append, so there is always an acknowledged one.
  .map(([specs, widths]) =>
    generate(
      [{ kind: "append", size: 1, key: undefined, expected: "none", pending: "no" }, ...specs],
      widths,
    ),
  );

describe("checkLinearizable on generated histories", () => {
  it("accepts every history made by running operations at points inside their intervals", () => {
    fc.assert(
      fc.property(historyArb, (g) => {
        expect(check(g.history)).toBe("linearizable");
      }),
      { numRuns: 300 },
    );
  });

  it("rejects a read that begins after an append was acknowledged and misses it", () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (g, pick) => {
        const x = g.acked[pick % g.acked.length]!;
        const done = g.history[x.index]!.ret!;
        const stale = g.finalLog.slice(0, x.first - 1).map((id, i) => ({ sequence: i + 1, id }));
        const read: Timed = {
          call: done + 0.25,
          ret: done + 0.5,
          op: { kind: "read", afterSequence: 0, limit: 10_000, events: stale },
        };
        expect(check([...g.history, read])).toBe("not_linearizable");
      }),
      { numRuns: 150 },
    );
  });

  it("rejects two appends acknowledged with the same sequence", () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 0, max: 150 }), (g, overlap) => {
        const twin = (name: string, call: number): Timed => ({
          call,
          ret: call + 100,
          op: { kind: "append", events: [name], outcome: appended(g.finalHead + 1, g.finalHead + 1) },
        });
        expect(check([...g.history, twin("p", g.end), twin("q", g.end + overlap)])).toBe("not_linearizable");
      }),
      { numRuns: 150 },
    );
  });

  it("rejects an append acknowledged past a gap", () => {
    fc.assert(
      fc.property(historyArb, (g) => {
        // Even if every unanswered append landed first, the head could be at most this.
        const highest = g.finalHead + g.lostEvents;
        const skip: Timed = {
          call: g.end,
          ret: g.end + 1,
          op: { kind: "append", events: ["gap"], outcome: appended(highest + 2, highest + 2) },
        };
        expect(check([...g.history, skip])).toBe("not_linearizable");
      }),
      { numRuns: 150 },
    );
  });

  it("rejects a head older than an append acknowledged before it was asked", () => {
    fc.assert(
      fc.property(historyArb, fc.nat(), (g, pick) => {
        const x = g.acked[pick % g.acked.length]!;
        const done = g.history[x.index]!.ret!;
        const head: Timed = { call: done + 0.25, ret: done + 0.5, op: { kind: "head", head: x.first - 1 } };
        expect(check([...g.history, head])).toBe("not_linearizable");
      }),
      { numRuns: 150 },
    );
  });
});
