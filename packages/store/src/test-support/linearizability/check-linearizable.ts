/**
 * A Wing–Gong–Lowe linearizability search (the algorithm Porcupine implements): given operations
 * with invocation and response times, find an order that respects real time (an operation that
 * responded before another was invoked comes first) in which a sequential model accepts every
 * operation with the output it really had. Times are any increasing counter; a logical clock
 * bumped at each call and each response in one process is exact, wall time is not needed.
 */

/** A sequential specification: `step` is pure and deterministic. */
export interface SequentialModel<State, Op> {
  init(): State;
  /** The state after `op` (its input and recorded output), or undefined if `op` is illegal in `state`. */
  step(state: State, op: Op): State | undefined;
  /** Equal for equal states: the search memoizes on (operations linearized, state). */
  key(state: State): string;
}

export interface TimedOperation<Op> {
  readonly op: Op;
  /** When it was invoked. */
  readonly call: number;
  /**
   * When its response arrived; undefined if none did (a timeout, a lost connection). Such an
   * operation may have taken effect at any time after its call, or never: the search may place
   * it anywhere after its call, including after everything else, where it changes nothing seen.
   */
  readonly ret: number | undefined;
}

export type LinearizabilityResult =
  | { readonly kind: "linearizable"; readonly order: readonly number[] }
  | {
      readonly kind: "not_linearizable";
      /** The longest prefix of a linearization found (indices into the history), for the failure message. */
      readonly longestPrefix: readonly number[];
      /** Operations that could not be placed after that prefix although they had to be. */
      readonly stuckAt: readonly number[];
    }
  /** The search gave up after `maxSteps`: neither verdict. */
  | { readonly kind: "unknown"; readonly steps: number };

interface Entry {
  readonly isCall: boolean;
  readonly id: number;
  readonly time: number;
  match: Entry | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

export function checkLinearizable<State, Op>(
  model: SequentialModel<State, Op>,
  history: readonly TimedOperation<Op>[],
  options: { readonly maxSteps?: number } = {},
): LinearizabilityResult {
  const maxSteps = options.maxSteps ?? 5_000_000;
  const head = buildEntries(history);
  const ops = history.map((h) => h.op);
  const stack: Array<{ entry: Entry; state: State }> = [];
  const cache = new Set<string>();
  let linearized = 0n;
  let state = model.init();
  let longest: number[] = [];
  let entry = head.next;
  for (let steps = 0; head.next !== undefined; steps++) {
    if (steps > maxSteps) return { kind: "unknown", steps };
    if (entry === undefined) throw new Error("linearizability search ran off the history");
    if (entry.isCall) {
      const next = model.step(state, ops[entry.id]!);
      if (next !== undefined) {
        const bits = linearized | (1n << BigInt(entry.id));
        const memo = `${bits.toString(36)}|${model.key(next)}`;
        if (!cache.has(memo)) {
          cache.add(memo);
          stack.push({ entry, state });
          if (stack.length > longest.length) longest = stack.map((s) => s.entry.id);
          state = next;
          linearized = bits;
          lift(entry);
          entry = head.next;
          continue;
        }
      }
      entry = entry.next;
    } else {
      // A response reached with its operation still unplaced: undo the last choice.
      const top = stack.pop();
      if (top === undefined) {
        return { kind: "not_linearizable", longestPrefix: longest, stuckAt: stuckAfter(history, longest) };
      }
      linearized &= ~(1n << BigInt(top.entry.id));
      state = top.state;
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  return { kind: "linearizable", order: stack.map((s) => s.entry.id) };
}

/** Calls and responses in time order (a call before a response at the same time), as a list. */
function buildEntries<Op>(history: readonly TimedOperation<Op>[]): Entry {
  const entries: Entry[] = [];
  history.forEach((h, id) => {
    const ret = h.ret ?? Number.POSITIVE_INFINITY;
    if (ret < h.call) throw new Error(`operation ${id} responded (${ret}) before it was called (${h.call})`);
    const call: Entry = {
      isCall: true,
      id,
      time: h.call,
      match: undefined,
      prev: undefined,
      next: undefined,
    };
    const response: Entry = { isCall: false, id, time: ret, match: call, prev: undefined, next: undefined };
    call.match = response;
    entries.push(call, response);
  });
  entries.sort((x, y) => x.time - y.time || Number(y.isCall) - Number(x.isCall) || x.id - y.id);
  const head: Entry = { isCall: false, id: -1, time: -1, match: undefined, prev: undefined, next: undefined };
  let last = head;
  for (const e of entries) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  return head;
}

/** Removes a call and its response from the list. */
function lift(call: Entry): void {
  call.prev!.next = call.next;
  if (call.next) call.next.prev = call.prev;
  const response = call.match!;
  response.prev!.next = response.next;
  if (response.next) response.next.prev = response.prev;
}

/** Puts back what `lift` removed (in reverse order, so the neighbours are right). */
function unlift(call: Entry): void {
  const response = call.match!;
  response.prev!.next = response;
  if (response.next) response.next.prev = response;
  call.prev!.next = call;
  if (call.next) call.next.prev = call;
}

/** The unplaced operations whose response came before every other unplaced call: one of them is the culprit. */
function stuckAfter<Op>(history: readonly TimedOperation<Op>[], prefix: readonly number[]): number[] {
  const placed = new Set(prefix);
  const rest = history.map((h, id) => ({ ...h, id })).filter((h) => !placed.has(h.id));
  const firstReturn = Math.min(...rest.map((h) => h.ret ?? Number.POSITIVE_INFINITY));
  return rest.filter((h) => h.call <= firstReturn).map((h) => h.id);
}
