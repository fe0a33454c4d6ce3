import { type AgentConfig, agentChangedSinceSession, handoffProblems } from "./handoff-oracle.js";
import { type InvariantNumber, InvariantViolation } from "./invariants.js";
import { type DiskEvent, EMPTY_LOG, type RetainedLog, retainedOnDisk } from "./log-oracle.js";
import type { SimDisk } from "./sim-disk.js";

/** What an event is, for comparing what someone saw with what the disk holds. */
export interface EventShape {
  readonly origin: number;
  readonly source: string;
  readonly eventType: string;
  readonly payload: string;
}

// The oracle keeps its own copy of the vocabulary (origins as the proto's numbers, event types as
// literals) on purpose: were it to import @openaxon/protocol/vocabulary, a wrong name there would
// be wrong on both sides of the check and go unnoticed.
const SYSTEM = 4;
const AGENT = 2;
const USER = 3;
const EXTERNAL = 1;

export const fingerprint = (e: EventShape): string => `${e.origin}|${e.source}|${e.eventType}|${e.payload}`;

const describe = (e: DiskEvent | undefined): string =>
  e ? `${e.eventType} ${e.payload.length > 60 ? `${e.payload.slice(0, 60)}…` : e.payload}` : "nothing";

const parse = (payload: string): Record<string, unknown> => {
  try {
    const value = JSON.parse(payload) as unknown;
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

const isTrigger = (e: DiskEvent) =>
  e.eventType === "user.message" && (e.origin === USER || e.origin === EXTERNAL);

/**
 * The invariants that hold at every step (1–7, 11), checked against the disk as the log oracle
 * reads it. Observations — acknowledgements and deliveries — pin a sequence to an event; a pinned
 * sequence must hold exactly that event on the disk from then on, through every crash.
 */
export class Checker {
  readonly violations: InvariantViolation[] = [];
  /** `${axonId}:${seq}` → what someone was told is there. */
  private readonly pins = new Map<string, { fp: string; who: string; invariant: InvariantNumber }>();
  private cache: { version: number; logs: Map<string, RetainedLog> } | undefined;
  private readonly lastPrompted = new Map<string, number>();
  /** The highest durable head and trim line seen per axon (invariant 16: neither moves back). */
  private readonly highest = new Map<string, { head: number; first: number }>();
  /**
   * The durable trim line per axon as of the last time the world settled: by then the store has
   * applied it, so nothing served afterwards may lie below it (invariant 15). A line that became
   * durable in the middle of a step may race a read the server had already answered.
   */
  private readonly settledFirst = new Map<string, number>();

  constructor(
    private readonly disk: SimDisk,
    private readonly nameOf: (axonId: string) => string,
    private readonly brokerSource: string,
    /** The mounted agent's configuration before any UpdateRuntime (invariant 18). */
    private readonly initialConfig: AgentConfig = { binary: "sh", args: [], model: null },
  ) {}

  fail(invariant: InvariantNumber, detail: string): void {
    this.violations.push(new InvariantViolation(invariant, detail));
  }

  throwIfViolated(): void {
    const first = this.violations[0];
    if (first) throw first;
  }

  /** What an axon durably retains, decoded by the oracle (cached per durable state). */
  durableLog(axonId: string): RetainedLog {
    if (this.cache?.version !== this.disk.durableVersion) {
      this.cache = { version: this.disk.durableVersion, logs: retainedOnDisk(this.disk.durableState()) };
    }
    return this.cache.logs.get(axonId) ?? EMPTY_LOG;
  }

  /** The durable events an axon retains (first..head; 1..head until retention trims). */
  durable(axonId: string): readonly DiskEvent[] {
    return this.durableLog(axonId).events;
  }

  /** The durable head of an axon (trimming never lowers it). */
  durableHead(axonId: string): number {
    return this.durableLog(axonId).head;
  }

  /** The durable event at `seq`; undefined if it is trimmed or not durable. */
  durableAt(axonId: string, seq: number): DiskEvent | undefined {
    const log = this.durableLog(axonId);
    return seq >= log.first ? log.events[seq - log.first] : undefined;
  }

  /** The durable trim line as of the last settled step (see `settledFirst`). */
  firstSettled(axonId: string): number {
    return this.settledFirst.get(axonId) ?? 1;
  }

  /** The world settled: every durable trim line is applied by the store now. Returns how many moved. */
  noteSettled(axonIds: readonly string[]): number {
    let moved = 0;
    for (const axonId of axonIds) {
      const first = this.durableLog(axonId).first;
      if (first > this.firstSettled(axonId)) moved++;
      this.settledFirst.set(axonId, first);
    }
    return moved;
  }

  /**
   * The server sent an axon's record (GetAxon, UpdateAxon): its first_sequence neither behind the
   * trim line durable and applied before, nor ahead of the durable one, nor past head + 1 (16).
   */
  onServeAxon(who: string, axon: { id: string; firstSequence: number; headSequence: number }): void {
    const line = this.durableLog(axon.id).first;
    const { firstSequence: first, headSequence: head } = axon;
    const name = this.nameOf(axon.id);
    if (first < this.firstSettled(axon.id) || first > line || first > head + 1) {
      this.fail(
        16,
        `the server told ${who} axon=${name} first_sequence=${first} head=${head}; the durable trim line is ${line} (${this.firstSettled(axon.id)} when last settled)`,
      );
    }
  }

  /**
   * The server sent events (a stream frame, a ListEvents page): none may lie below a trim line that
   * was durable and applied before (invariant 15). What they hold is checked where they arrive.
   */
  onServe(who: string, axonId: string, sequences: readonly number[]): void {
    const line = this.firstSettled(axonId);
    const below = sequences.filter((seq) => seq < line);
    if (below.length > 0) {
      this.fail(
        15,
        `the server sent ${who} axon=${this.nameOf(axonId)} seq ${below.join(",")}, below the durable trim line ${line}`,
      );
    }
  }

  /** A publish was acknowledged: its events must be on the disk, at the sequences the ack names. */
  onAck(
    who: string,
    axonId: string,
    first: number,
    events: readonly EventShape[],
    expectedHead?: number,
  ): void {
    const log = this.durableLog(axonId);
    const name = this.nameOf(axonId);
    events.forEach((event, i) => {
      const seq = first + i;
      // Retention may trim an event while its ack is on the wire: it was durable, the head says so.
      if (seq < log.first && seq <= log.head) return;
      const onDisk = this.durableAt(axonId, seq);
      if (!onDisk || fingerprint(onDisk) !== fingerprint(event)) {
        this.fail(
          2,
          `${who} acknowledged axon=${name} seq=${seq}, but the disk holds ${describe(onDisk)} there`,
        );
      }
      this.pin(axonId, seq, fingerprint(event), `acknowledged to ${who}`, 2);
    });
    if (expectedHead !== undefined && first !== expectedHead + 1) {
      this.fail(11, `${who} with expected_head=${expectedHead} was appended at seq ${first}`);
    }
  }

  /**
   * A reader received an event: it must be durable and exactly what the disk holds (invariant 4 for
   * subscribers, 17 for reads around the trim line).
   */
  onDeliver(
    who: string,
    axonId: string,
    event: EventShape & { sequence: number },
    invariant: InvariantNumber = 4,
  ): void {
    const log = this.durableLog(axonId);
    // Trimmed since the server sent it (onServe checked it was retained then): only what someone
    // was told before is left to compare with.
    if (event.sequence < log.first) {
      this.pin(axonId, event.sequence, fingerprint(event), `delivered to ${who}`, invariant);
      return;
    }
    const onDisk = this.durableAt(axonId, event.sequence);
    const name = this.nameOf(axonId);
    if (!onDisk) {
      this.fail(invariant, `${who} received axon=${name} seq=${event.sequence}, which is not durable`);
    } else if (fingerprint(onDisk) !== fingerprint(event)) {
      this.fail(
        invariant,
        `${who} received axon=${name} seq=${event.sequence} as ${event.payload}, the disk holds ${describe(onDisk)}`,
      );
    }
    this.pin(axonId, event.sequence, fingerprint(event), `delivered to ${who}`, invariant);
  }

  /** The broker started an agent (invariant 7): a recorded session must be restored. */
  onAgentStart(mount: string, axonId: string, resumeSessionId: string | undefined): void {
    // A hand-off to an agent that cannot resume the old one's session starts afresh (and is primed).
    if (agentChangedSinceSession(this.durable(axonId), this.brokerSource)) {
      if (resumeSessionId !== undefined) {
        this.fail(18, `agent ${mount} resumed ${resumeSessionId}, a session of the agent it replaced`);
      }
      return;
    }
    const recorded = this.latestSession(axonId);
    if (recorded !== undefined && resumeSessionId !== recorded) {
      this.fail(
        7,
        `agent ${mount} started with ${resumeSessionId ? `resume=${resumeSessionId}` : "a fresh session"} although the log records session ${recorded}`,
      );
    }
  }

  /** The agent was prompted (invariant 6): alone, in trigger order, once, after a durable turn.started. */
  onPrompt(mount: string, axonId: string, turnId: string, activeBefore: number): void {
    const trigger = Number(turnId.replace(/^turn_/, ""));
    if (activeBefore > 0)
      this.fail(6, `agent ${mount} prompted for ${turnId} while another turn was running`);
    const last = this.lastPrompted.get(mount) ?? 0;
    if (trigger <= last)
      this.fail(6, `agent ${mount} prompted for ${turnId} after turn_${last} (out of order or twice)`);
    this.lastPrompted.set(mount, Math.max(last, trigger));
    const started = this.durable(axonId).some(
      (e) => e.eventType === "turn.started" && e.origin === SYSTEM && parse(e.payload).turn_id === turnId,
    );
    if (!started) this.fail(6, `agent ${mount} prompted for ${turnId} before its turn.started was durable`);
  }

  /** Everything that must hold between steps, on the durable and on the visible state. */
  checkState(axonIds: readonly string[], mountAxonIds: readonly string[]): void {
    const visible = retainedOnDisk(this.disk.visibleSnapshot());
    for (const axonId of axonIds) {
      const name = this.nameOf(axonId);
      const log = this.durableLog(axonId);
      const durable = log.events;
      this.checkSequences(name, "durable", log);
      this.checkSequences(name, "visible", visible.get(axonId) ?? EMPTY_LOG);
      this.checkPublishIds(name, "durable", durable);
      this.checkPublishIds(name, "visible", visible.get(axonId)?.events ?? []);
      this.checkNeverBackwards(axonId, log);
      if (mountAxonIds.includes(axonId)) {
        for (const problem of turnProblems(durable, this.brokerSource))
          this.fail(6, `axon=${name}: ${problem}`);
        for (const problem of idleSuspendProblems(durable)) this.fail(6, `axon=${name}: ${problem}`);
        for (const problem of handoffProblems(durable, this.initialConfig, this.brokerSource))
          this.fail(18, `axon=${name}: ${problem}`);
      }
    }
    for (const [key, pin] of this.pins) {
      const cut = key.lastIndexOf(":");
      const axonId = key.slice(0, cut);
      const seq = Number(key.slice(cut + 1));
      // Trimmed on purpose: the pin has nothing left to hold on to.
      if (seq < this.durableLog(axonId).first) {
        this.pins.delete(key);
        continue;
      }
      const onDisk = this.durableAt(axonId, seq);
      if (!onDisk || fingerprint(onDisk) !== pin.fp) {
        this.fail(
          pin.invariant,
          `axon=${this.nameOf(axonId)} seq=${seq} was ${pin.who}; the disk now holds ${describe(onDisk)}`,
        );
        this.pins.delete(key);
      }
    }
  }

  /** Liveness (invariant 8) for turns: every trigger has ended and nothing is left running. */
  unendedTriggers(axonId: string): number[] {
    const ended = new Set<string>();
    for (const e of this.durable(axonId)) {
      if (
        e.origin === SYSTEM &&
        e.source === this.brokerSource &&
        /^turn\.(completed|failed)$/.test(e.eventType)
      ) {
        ended.add(String(parse(e.payload).turn_id));
      }
    }
    return this.durable(axonId)
      .filter((e) => isTrigger(e) && !ended.has(`turn_${e.sequence}`))
      .map((e) => e.sequence);
  }

  /** Triggers not known to have ended whose turn has not started either: they wait in the queue. */
  queuedTriggers(axonId: string): number[] {
    const started = new Set<string>();
    for (const e of this.durable(axonId)) {
      if (e.origin === SYSTEM && e.source === this.brokerSource && e.eventType === "turn.started") {
        started.add(String(parse(e.payload).turn_id));
      }
    }
    return this.unendedTriggers(axonId).filter((seq) => !started.has(`turn_${seq}`));
  }

  latestSession(axonId: string): string | undefined {
    const log = this.durable(axonId);
    for (let i = log.length - 1; i >= 0; i--) {
      const e = log[i]!;
      if (e.eventType === "session.started" && e.origin === SYSTEM && e.source === this.brokerSource) {
        const id = parse(e.payload).agent_session_id;
        if (typeof id === "string") return id;
      }
    }
    return undefined;
  }

  private pin(axonId: string, seq: number, fp: string, who: string, invariant: InvariantNumber): void {
    const key = `${axonId}:${seq}`;
    const existing = this.pins.get(key);
    if (existing && existing.fp !== fp) {
      this.fail(
        existing.invariant === 2 ? 2 : invariant,
        `axon=${this.nameOf(axonId)} seq=${seq} was ${existing.who} and is now ${who} with different content`,
      );
    } else if (!existing) {
      this.pins.set(key, { fp, who, invariant });
    }
  }

  private checkSequences(name: string, which: string, log: RetainedLog): void {
    for (let i = 0; i < log.events.length; i++) {
      const e = log.events[i]!;
      if (e.sequence !== log.first + i || e.keySequence !== e.sequence) {
        this.fail(
          1,
          `axon=${name} ${which} log: position ${log.first + i} holds seq ${e.sequence} (key ${e.keySequence}); sequences must be first..head (first=${log.first})`,
        );
        return;
      }
    }
  }

  /** Invariant 16: the durable head and trim line never move back, through trims and crashes. */
  private checkNeverBackwards(axonId: string, log: RetainedLog): void {
    const before = this.highest.get(axonId) ?? { head: 0, first: 1 };
    const name = this.nameOf(axonId);
    if (log.head < before.head) {
      this.fail(16, `axon=${name} durable head moved back from ${before.head} to ${log.head}`);
    }
    if (log.first < before.first) {
      this.fail(16, `axon=${name} durable trim line moved back from ${before.first} to ${log.first}`);
    }
    this.highest.set(axonId, {
      head: Math.max(before.head, log.head),
      first: Math.max(before.first, log.first),
    });
  }

  private checkPublishIds(name: string, which: string, log: readonly DiskEvent[]): void {
    const seen = new Map<string, number>();
    for (const e of log) {
      if (e.source !== "sim") continue;
      const pid = parse(e.payload).pid;
      if (typeof pid !== "string") continue;
      const before = seen.get(pid);
      if (before !== undefined) {
        this.fail(
          3,
          `axon=${name} ${which} log holds publish ${pid} twice (seq ${before} and ${e.sequence})`,
        );
        return;
      }
      seen.set(pid, e.sequence);
    }
  }
}

/** The turn structure of a mount's log (invariant 6), as problems found. */
export function turnProblems(log: readonly DiskEvent[], source: string): string[] {
  const problems: string[] = [];
  const triggers = new Set<number>();
  const started = new Set<string>();
  const ended = new Set<string>();
  let open: string | undefined;
  let lastStarted = 0;
  for (const e of log) {
    if (isTrigger(e)) {
      triggers.add(e.sequence);
      continue;
    }
    const body = parse(e.payload);
    const turnId = typeof body.turn_id === "string" ? body.turn_id : undefined;
    if (e.origin === SYSTEM && e.source === source && e.eventType === "turn.started") {
      const trigger = Number(body.trigger_sequence);
      if (!triggers.has(trigger))
        problems.push(`seq ${e.sequence}: turn.started for ${trigger}, which is no trigger`);
      if (turnId !== `turn_${trigger}`)
        problems.push(`seq ${e.sequence}: turn.started names ${turnId} for trigger ${trigger}`);
      if (started.has(`turn_${trigger}`)) problems.push(`seq ${e.sequence}: turn_${trigger} started twice`);
      if (ended.has(`turn_${trigger}`))
        problems.push(`seq ${e.sequence}: turn_${trigger} started after it ended`);
      if (open) problems.push(`seq ${e.sequence}: turn_${trigger} started while ${open} was running`);
      if (trigger < lastStarted)
        problems.push(`seq ${e.sequence}: turn_${trigger} started after turn_${lastStarted}`);
      lastStarted = Math.max(lastStarted, trigger);
      started.add(`turn_${trigger}`);
      open = `turn_${trigger}`;
    } else if (e.origin === SYSTEM && e.source === source && /^turn\.(completed|failed)$/.test(e.eventType)) {
      if (!turnId) continue;
      if (ended.has(turnId)) problems.push(`seq ${e.sequence}: ${turnId} ended twice`);
      if (!triggers.has(Number(turnId.replace(/^turn_/, ""))))
        problems.push(`seq ${e.sequence}: ${e.eventType} for ${turnId}, which is no trigger`);
      if (!started.has(turnId) && !(e.eventType === "turn.completed" && body.stop_reason === "cancelled")) {
        problems.push(
          `seq ${e.sequence}: ${turnId} ended (${e.eventType}) without starting and without being cancelled`,
        );
      }
      ended.add(turnId);
      if (open === turnId) open = undefined;
    } else if (e.origin === AGENT && e.eventType.startsWith("turn.")) {
      if (turnId !== open)
        problems.push(
          `seq ${e.sequence}: ${e.eventType} of ${turnId} outside its turn (running: ${open ?? "none"})`,
        );
    }
  }
  return problems;
}

/**
 * An idle suspension never interrupts a turn (invariant 6 across suspend/resume): a runtime suspends
 * for idleness only when no turn runs, so no `turn.failed "interrupted: broker stopped"` may lie
 * between the previous runtime event and a `runtime.suspended` whose reason is idleness.
 */
export function idleSuspendProblems(log: readonly DiskEvent[]): string[] {
  const problems: string[] = [];
  let interrupted: string | undefined;
  for (const e of log) {
    if (e.origin !== SYSTEM) continue;
    const body = parse(e.payload);
    if (e.eventType === "turn.failed" && body.error === "interrupted: broker stopped") {
      interrupted = String(body.turn_id);
    } else if (e.eventType.startsWith("runtime.")) {
      if (
        e.eventType === "runtime.suspended" &&
        String(body.reason ?? "").startsWith("idle") &&
        interrupted
      ) {
        problems.push(
          `seq ${e.sequence}: the runtime suspended for idleness while ${interrupted} was running`,
        );
      }
      interrupted = undefined;
    }
  }
  return problems;
}
