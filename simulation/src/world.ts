import { EventType, Origin } from "@openaxon/protocol/vocabulary";
import { type RuntimeRecord, RuntimeStateError } from "@openaxon/runtime";
import type { Action } from "./action.js";
import { type AgentScript, encodeScript } from "./agent-script.js";
import { Checker } from "./checker.js";
import {
  type ClientContext,
  Publisher,
  type PublishRecord,
  type SubscribeFilter,
  Subscriber,
} from "./clients.js";
import { type CoverageCounts, emptyCoverage } from "./coverage.js";
import { RetentionClient, type RetentionLimits } from "./retention-client.js";
import { scheduleRetention } from "./retention-schedule.js";
import { servedBy } from "./served.js";
import { settle } from "./settle.js";
import { AgentHost } from "./sim-agent.js";
import { SIM_EPOCH_MS, SimClock } from "./sim-clock.js";
import { SimDisk } from "./sim-disk.js";
import { SimNetwork } from "./sim-network.js";
import { SIM_SQL_DIR, SimNode } from "./sim-node.js";
import { SimSqlDisk } from "./sim-sql-disk.js";
import { SqlChecker } from "./sql-checker.js";
import { SqlClient } from "./sql-client.js";
import type { Swarm } from "./swarm.js";
import { Trace } from "./trace.js";
import { describeFrame, describeOp } from "./trace-format.js";

export interface WorldOptions {
  /** A real directory for the runtime's working directory (it is created, never written into). */
  readonly workdirRoot: string;
  /** Prints trace lines as they happen. */
  readonly echo?: (line: string) => void;
}

/** The broker source the runtime gives every broker (its cursor in the axon). */
export const BROKER_SOURCE = "broker";
/** The axon the runtime mounts, and one nobody mounts. */
export const AXON_NAMES = ["a1", "a2"] as const;
export const MOUNTED_AXON = "a1";
/**
 * The axon retention trims: the plain log. Trimming the mounted axon would also trim what the
 * broker recovers its turns from, which this simulation does not model (see README, Limits).
 */
export const RETAINED_AXON = "a2";

const USER = Origin.User;
const EXTERNAL = Origin.External;

/**
 * Everything one simulation run consists of: virtual time, the disk, the network, the current
 * server process (store + AxonService + RuntimeManager), the agent, the clients, and the checker
 * that watches them. Commands act on it; the scheduler (`tick`) decides what happens next among the
 * things waiting; nothing moves on its own.
 */
export class World {
  readonly clock = new SimClock();
  readonly disk = new SimDisk();
  readonly sqlDisk = new SimSqlDisk();
  readonly trace: Trace;
  readonly coverage: CoverageCounts = emptyCoverage();
  readonly net: SimNetwork;
  readonly checker: Checker;
  readonly agent: AgentHost;
  readonly publisher: Publisher;
  readonly sqlChecker: SqlChecker;
  readonly sql: SqlClient;
  readonly retention: RetentionClient;
  readonly subscribers: Subscriber[] = [];
  node: SimNode | undefined;
  /** Axon name → id and back. */
  private readonly ids = new Map<string, string>();
  private readonly names = new Map<string, string>();
  private runtimeId = "";
  private lives = 0;
  /** Runtime commands (suspend/resume) of the current node still in flight. */
  private runtimeCommands = 0;
  private nextPid = 1;
  /** UpdateRuntime calls so far (each names a new model or args, so every update changes something). */
  private updates = 0;
  /** Permission requests already answered by a user command. */
  private readonly answered = new Set<string>();

  private constructor(
    readonly swarm: Swarm,
    private readonly options: WorldOptions,
  ) {
    this.trace = new Trace(() => this.clock.now(), SIM_EPOCH_MS, options.echo);
    this.checker = new Checker(this.disk, (id) => this.nameOf(id), BROKER_SOURCE);
    this.net = new SimNetwork(
      {
        trace: (line) => this.trace.add(line),
        onDroppedInFlight: (client, frames) => {
          const sub = this.subscribers.find((s) => s.name === client);
          if (sub) sub.lostOnWire += frames;
        },
        onServed: (client, message) => this.onServed(client, message),
      },
      (frame) => describeFrame(frame, (id) => this.nameOf(id)),
      swarm.netWindow,
    );
    this.agent = new AgentHost(MOUNTED_AXON, swarm.agent, {
      onStart: (mount, resume) => {
        if (resume) this.coverage.sessionRestored++;
        this.checker.onAgentStart(mount, this.idOf(MOUNTED_AXON), resume);
      },
      onPrompt: (mount, turnId, activeBefore) => {
        this.trace.add(`agent ${mount} prompted for ${turnId}`);
        this.checker.onPrompt(mount, this.idOf(MOUNTED_AXON), turnId, activeBefore);
      },
      onDecision: (mount, turnId, decision) => {
        const what = decision.outcome === "selected" ? decision.optionId : "rejected";
        this.trace.add(`agent ${mount} ${turnId} permission → ${what}`);
        // Only a user's answer picks "always" (policies pick allow_once or reject).
        if (what === "always") this.coverage.permissionRoundTrip++;
      },
      trace: (line) => this.trace.add(line),
    });
    const context: ClientContext = {
      net: this.net,
      checker: this.checker,
      coverage: this.coverage,
      trace: (line) => this.trace.add(line),
      nameOf: (id) => this.nameOf(id),
    };
    this.publisher = new Publisher(context);
    this.sqlChecker = new SqlChecker(
      this.checker,
      this.sqlDisk,
      (id) => `${SIM_SQL_DIR}/${id}.sqlite`,
      (id) => this.nameOf(id),
    );
    this.sql = new SqlClient(context, this.sqlChecker, (id) => this.publisher.knownHead(id));
    this.retention = new RetentionClient(context);
    this.clientContext = context;
  }

  private readonly clientContext: ClientContext;

  /** A world with its node up, axons a1 and a2, and a runtime mounting a1 with its broker running. */
  static async create(swarm: Swarm, options: WorldOptions): Promise<World> {
    const world = new World(swarm, options);
    world.trace.add(`world seed=${swarm.seed}`);
    const node = world.bootNode();
    await world.until(node.start(), "runtime manager start");
    for (const name of AXON_NAMES) {
      const retention = name === RETAINED_AXON ? swarm.retention : undefined;
      const axon = await world.until(
        node.store.createAxon({ name, labels: {}, ...(retention && { retention }) }),
        `create axon ${name}`,
      );
      world.ids.set(name, axon.id);
      world.names.set(axon.id, name);
    }
    const runtime = await world.until(
      node.runtimes.createRuntime({
        name: "sim",
        mounts: [
          {
            axonId: world.idOf(MOUNTED_AXON),
            protocol: "acp",
            agentBinary: "sh",
            launchArgs: [],
            env: {},
            permissionPolicy: swarm.permissionPolicy,
          },
        ],
        lifecycle: { idleTimeSeconds: swarm.idleTimeSeconds, onIdle: "suspend", resumeOnAxonEvent: true },
        env: {},
        workingDirectory: options.workdirRoot,
      }),
      "create runtime",
    );
    world.runtimeId = runtime.id;
    world.trace.add(`setup done: runtime ${runtime.status}`);
    return world;
  }

  idOf(name: string): string {
    const id = this.ids.get(name);
    if (!id) throw new Error(`no axon named ${name}`);
    return id;
  }

  nameOf(id: string): string {
    return this.names.get(id) ?? id;
  }

  get axonIds(): string[] {
    return AXON_NAMES.map((n) => this.idOf(n));
  }

  // --- the scheduler ---

  /** Everything waiting to happen, in a stable order: the disk, the SQL files, the wire, the agent. */
  actions(): Array<Action & { kind: ActionKind }> {
    const out: Array<Action & { kind: ActionKind }> = [];
    const sync = this.disk.nextSync;
    if (sync) {
      out.push({
        kind: "disk",
        label: `disk sync #${sync.id}: ${sync.ops.map((op) => describeOp(op, (id) => this.nameOf(id))).join(", ")}`,
        run: () => this.disk.syncNext(),
      });
    }
    const sqlSync = this.sqlDisk.nextSync;
    if (sqlSync) {
      const axonId = sqlSync.path.slice(SIM_SQL_DIR.length + 1, -".sqlite".length);
      out.push({
        kind: "sql",
        label: `sql sync #${sqlSync.id}: ${this.nameOf(axonId)} notes +${sqlSync.added.map((r) => r.id).join(",")}`,
        run: () => this.sqlDisk.syncNext(),
      });
    }
    for (const a of this.net.actions()) out.push({ kind: "net", ...a });
    for (const a of this.agent.actions()) out.push({ kind: "agent", ...a });
    return out;
  }

  /** Makes `picks.length` things happen; each pick chooses among what is waiting (pick mod count). */
  async tick(picks: readonly number[]): Promise<void> {
    for (const pick of picks) {
      const actions = this.actions();
      if (actions.length === 0) return;
      await this.run(actions[pick % actions.length]!);
    }
  }

  /**
   * Completes disk writes (nothing else) until a publish's acknowledgement is on its way to the
   * client, or `max` writes: the moment a power cut loses an ack for a durable publish.
   */
  async syncUntilAckOnWire(max: number): Promise<void> {
    for (let i = 0; i < max && this.net.responsesOnWire === 0; i++) {
      const sync = this.actions().find((a) => a.kind === "disk" || a.kind === "sql");
      if (!sync) return;
      await this.run(sync);
    }
  }

  /** Whether a trim line's write is waiting for its fsync. */
  get trimInFlight(): boolean {
    return this.disk.inFlight.some((ops) => ops.some((op) => op.key.startsWith("t!")));
  }

  /** Completes disk writes (nothing else), oldest first, until no trim line waits for its fsync. */
  async syncUntilTrimmed(max: number): Promise<void> {
    await this.settleAndWatch();
    for (let i = 0; i < max && this.trimInFlight; i++) {
      const sync = this.actions().find((a) => a.kind === "disk");
      if (!sync) return;
      await this.run(sync);
    }
  }

  /** Runs every waiting action, oldest first, until nothing waits (bounded). */
  async drain(limit = 5_000): Promise<void> {
    for (let i = 0; i < limit; i++) {
      const next = this.actions()[0];
      if (!next) return;
      await this.run(next);
    }
  }

  async advanceClock(ms: number): Promise<void> {
    const fired = await this.clock.advanceBy(ms, () => this.settleAndWatch());
    if (fired > 0) this.trace.add(`${fired} timer(s) fired`);
  }

  // --- commands ---

  publishTrigger(axon: string, script: AgentScript, opts: PublishOpts): void {
    const pid = this.pid();
    this.publish(pid, axon, opts, [
      {
        origin: opts.external ? EXTERNAL : USER,
        source: "sim",
        eventType: EventType.UserMessage,
        payload: JSON.stringify({ content: encodeScript(pid, script), pid }),
      },
    ]);
  }

  publishNotes(axon: string, count: number, opts: PublishOpts): void {
    const pid = this.pid();
    const events = Array.from({ length: count }, (_, i) => ({
      origin: EXTERNAL,
      source: "sim",
      eventType: "note",
      payload: JSON.stringify({ pid: count > 1 ? `${pid}.${i}` : pid, n: i }),
    }));
    this.publish(pid, axon, opts, events);
  }

  /** `turn.cancel` for the running turn (no id) or for the pick-th trigger not known to have ended. */
  publishCancel(pick: number | undefined): void {
    const axonId = this.idOf(MOUNTED_AXON);
    const open = this.checker.unendedTriggers(axonId);
    const target = pick === undefined || open.length === 0 ? undefined : open[pick % open.length];
    const pid = this.pid();
    this.publish(pid, MOUNTED_AXON, {}, [
      {
        origin: USER,
        source: "sim",
        eventType: EventType.TurnCancel,
        payload: JSON.stringify(target === undefined ? { pid } : { turn_id: `turn_${target}`, pid }),
      },
    ]);
  }

  /** Answers the pick-th permission request of a running turn that no user answered yet. False if none. */
  answerPermission(pick: number, answer: "always" | "allow" | "reject" | "rejected"): boolean {
    const axonId = this.idOf(MOUNTED_AXON);
    const open = new Set(this.checker.unendedTriggers(axonId).map((t) => `turn_${t}`));
    const requests = this.checker
      .durable(axonId)
      .filter((e) => e.eventType === "turn.permission_request")
      .map((e) => JSON.parse(e.payload) as { request_id: string; turn_id: string })
      .filter((r) => open.has(r.turn_id) && !this.answered.has(r.request_id))
      .map((r) => r.request_id);
    if (requests.length === 0) return false;
    const requestId = requests[pick % requests.length]!;
    this.answered.add(requestId);
    const pid = this.pid();
    const body =
      answer === "rejected"
        ? { request_id: requestId, outcome: "rejected", pid }
        : { request_id: requestId, option_id: answer, pid };
    this.publish(pid, MOUNTED_AXON, {}, [
      { origin: USER, source: "sim", eventType: EventType.PermissionResponse, payload: JSON.stringify(body) },
    ]);
    return true;
  }

  retryUnknown(pick: number): boolean {
    const candidates = this.publisher.retryable();
    if (candidates.length === 0) return false;
    this.publisher.retry(candidates[pick % candidates.length]!);
    return true;
  }

  /** The durable head of an axon (what GetAxon would answer). */
  headOf(axon: string): number {
    return this.checker.durableHead(this.idOf(axon));
  }

  /** The first available sequence of an axon as of the last settled step (its trim line). */
  firstAvailable(axon: string): number {
    return this.checker.firstSettled(this.idOf(axon));
  }

  subscribe(axon: string, from: number, filter?: SubscribeFilter): Subscriber {
    const sub = new Subscriber(
      this.clientContext,
      `sub${this.subscribers.length + 1}`,
      this.idOf(axon),
      from,
      filter,
    );
    this.subscribers.push(sub);
    sub.connect();
    return sub;
  }

  disconnect(pick: number): boolean {
    const connected = this.subscribers.filter((s) => s.connected);
    if (connected.length === 0) return false;
    return connected[pick % connected.length]!.disconnect();
  }

  reconnect(pick: number): boolean {
    const idle = this.subscribers.filter((s) => !s.connected);
    if (idle.length === 0) return false;
    idle[pick % idle.length]!.connect();
    return true;
  }

  /** Power cut: the server process dies; of the writes in flight, the first `survivors` made it. */
  crashStore(survivors: number): void {
    const node = this.node;
    if (!node) return;
    this.node = undefined;
    // Cut the process off from the world first, so nothing it does while dying reaches anyone.
    this.net.serverCrashed();
    this.agent.nodeDied();
    node.scope.kill();
    if (this.trimInFlight) this.coverage.crashMidTrim++;
    const report = this.disk.crash(survivors);
    if (report.inFlight > 0) this.coverage.crashWithUnsyncedWrites++;
    if (report.survived > 0) this.coverage.inFlightWriteSurvived++;
    const sql = this.sqlDisk.crash(survivors);
    if (sql.inFlight > 0) this.coverage.sqlCommitInFlightAtCrash++;
    this.trace.add(
      `CRASH node life ${node.life}: ${report.inFlight} write(s) in flight, ${report.survived} reached the disk; ` +
        `${sql.inFlight} SQL commit(s) in flight, ${sql.survived} reached the disk`,
    );
  }

  /** A new server process on what the disk kept. */
  restartStore(): void {
    if (this.node) return;
    const node = this.bootNode();
    this.background(node.start(), `runtime manager start (life ${node.life})`);
  }

  crashAgent(): boolean {
    const crashed = this.agent.crashAgent();
    if (crashed) this.trace.add(`CRASH agent ${MOUNTED_AXON} (${crashed})`);
    if (crashed === "starting") this.coverage.agentCrashDuringStart++;
    return crashed !== undefined;
  }

  suspendRuntime(): boolean {
    return this.runtimeCommand("suspend");
  }

  resumeRuntime(): boolean {
    return this.runtimeCommand("resume");
  }

  /**
   * UpdateRuntime on the mount: another binary (sh ↔ cat, so the agent cannot resume), new launch
   * args or a new model. Runs in the background like suspend/resume; the hand-off it starts waits
   * for the turn boundary.
   */
  updateRuntime(change: "binary" | "model" | "args"): boolean {
    const node = this.node;
    if (!node?.started) return false;
    const record = node.runtimes.listRuntimes().find((r) => r.id === this.runtimeId);
    // Lost with the writes a crash took (only a broken store loses an acknowledged record).
    if (!record) return false;
    const n = ++this.updates;
    const mount = record.mounts[0]!;
    const changes =
      change === "binary"
        ? { agentBinary: mount.agentBinary === "sh" ? "cat" : "sh" }
        : change === "model"
          ? { model: `m${n}` }
          : { launchArgs: [`--v${n}`] };
    const axonId = this.idOf(MOUNTED_AXON);
    if (this.agent.active > 0) this.coverage.updateMidTurn++;
    if (this.checker.queuedTriggers(axonId).length > 0) this.coverage.updateWithQueue++;
    this.trace.add(`update runtime ${JSON.stringify(changes)} (runtime ${record.status})`);
    const done = node.runtimes.updateRuntime(this.runtimeId, { mount: changes });
    this.runtimeCommands++;
    const finished = () => {
      if (this.node === node) this.runtimeCommands--;
    };
    this.background(
      done.then((r) => this.trace.add(`update runtime → ${r.status}`)).finally(finished),
      "update runtime",
    );
    return true;
  }

  sqlWrite(axon: string, rows: number): void {
    this.sql.write(this.idOf(axon), rows);
  }

  sqlRead(axon: string, what: "notes" | "events"): void {
    this.sql.read(this.idOf(axon), what);
  }

  retryUnknownSql(pick: number): boolean {
    const candidates = this.sql.retryable();
    if (candidates.length === 0) return false;
    this.sql.retry(candidates[pick % candidates.length]!);
    return true;
  }

  /** UpdateAxon on the retained axon: the whole retention, or single limits by FieldMask. */
  setRetention(limits: RetentionLimits, replace: boolean): void {
    this.retention.setRetention(this.idOf(RETAINED_AXON), limits, replace);
  }

  /**
   * One retention pass, the production function axond's schedule calls (`applyRetention`); here the
   * command is the schedule. It runs in the background: its writes wait for disk syncs.
   */
  retentionPass(): boolean {
    const node = this.node;
    if (!node?.started) return false;
    void this.retentionPassOf(node);
    return true;
  }

  private retentionPassOf(node: SimNode): Promise<unknown> {
    this.trace.add("retention pass");
    const pass = node.store
      .applyRetention()
      .then((r) =>
        this.trace.add(`retention pass → ${r.eventsTrimmed} event(s) of ${r.axonsTrimmed} axon(s)`),
      );
    this.background(pass, "retention pass");
    return pass;
  }

  /** ListEvents after the trim line as last settled plus `delta` (below, at or above it), or GetAxon. */
  readAroundTrim(axon: string, delta: number, what: "events" | "axon"): void {
    const axonId = this.idOf(axon);
    if (what === "axon") this.retention.getAxon(axonId);
    else this.retention.listEvents(axonId, Math.max(0, this.firstAvailable(axon) - 1 + delta), 4);
  }

  /** After every command: settle, then check every state invariant. */
  async afterStep(): Promise<void> {
    await this.settleAndWatch();
    this.checkState();
  }

  /** The invariants about the disks (1–3, 6, 13). */
  checkState(): void {
    this.checker.checkState(this.axonIds, [this.idOf(MOUNTED_AXON)]);
    this.sqlChecker.checkState(this.axonIds);
    this.checker.throwIfViolated();
  }

  /** The runtime's record as the current node's RuntimeManager has it (undefined while down). */
  runtimeRecord(): RuntimeRecord | undefined {
    return this.node?.started ? this.node.runtimes.getRuntime(this.runtimeId) : undefined;
  }

  /** Runtime commands (suspend/resume) of the current node still in flight. */
  get runtimeCommandsInFlight(): number {
    return this.runtimeCommands;
  }

  /** The mounted axon's durable log. */
  mountedLog() {
    return this.checker.durable(this.idOf(MOUNTED_AXON));
  }

  // --- internals ---

  /** Lets everything the world started run to completion. */
  async settleAndWatch(): Promise<void> {
    await settle();
    this.coverage.eventsTrimmed += this.checker.noteSettled([...this.ids.values()]);
  }

  /** What the server sent leaves it: no trimmed event, no first_sequence behind the line (15, 16). */
  private onServed(client: string, message: unknown): void {
    const served = servedBy(message);
    for (const axonId of new Set(served.events.map((e) => e.axonId))) {
      const seqs = served.events.filter((e) => e.axonId === axonId).map((e) => e.sequence);
      this.checker.onServe(client, axonId, seqs);
    }
    if (served.axon) this.checker.onServeAxon(client, served.axon);
  }

  private async run(action: Action & { kind: ActionKind }): Promise<void> {
    if (action.kind !== "net") this.trace.add(action.label);
    action.run();
    await this.settleAndWatch();
    this.checker.throwIfViolated();
  }

  /** Drives the world (actions first, then time) until `promise` settles. For setup only. */
  private async until<T>(promise: Promise<T>, what: string): Promise<T> {
    let outcome: { ok: T } | { error: unknown } | undefined;
    promise.then(
      (ok) => {
        outcome = { ok };
      },
      (error: unknown) => {
        outcome = { error };
      },
    );
    for (let i = 0; i < 10_000 && !outcome; i++) {
      await settle();
      if (outcome) break;
      const next = this.actions()[0];
      if (next) await this.run(next);
      else await this.clock.advanceTo(this.clock.nextDue() ?? this.clock.now() + 1_000, settle);
    }
    if (!outcome) throw new Error(`setup: ${what} never finished`);
    if ("error" in outcome) throw outcome.error;
    return outcome.ok;
  }

  private bootNode(): SimNode {
    const node = new SimNode(++this.lives, {
      clock: this.clock,
      disk: this.disk,
      sqlDisk: this.sqlDisk,
      swarm: this.swarm,
      agent: this.agent,
      workdirRoot: this.options.workdirRoot,
    });
    this.node = node;
    this.runtimeCommands = 0;
    this.net.setServer(node.transport);
    this.trace.add(`boot node life ${node.life}`);
    if (this.swarm.retentionIntervalMs > 0) {
      scheduleRetention(node.scope, this.swarm.retentionIntervalMs, () => this.retentionPassOf(node));
    }
    return node;
  }

  runtimeCommand(command: "suspend" | "resume"): boolean {
    const node = this.node;
    if (!node?.started) return false;
    this.trace.add(`${command} runtime`);
    const done =
      command === "suspend"
        ? node.runtimes.suspendRuntime(this.runtimeId)
        : node.runtimes.resumeRuntime(this.runtimeId);
    this.runtimeCommands++;
    const finished = () => {
      if (this.node === node) this.runtimeCommands--;
    };
    this.background(
      done.then((record) => this.trace.add(`${command} runtime → ${record.status}`)).finally(finished),
      `${command} runtime`,
    );
    return true;
  }

  /** Runs a production operation in the background; an unexpected failure is a violation. */
  private background(promise: Promise<unknown>, what: string): void {
    const life = this.node?.life;
    promise.catch((error: unknown) => {
      // A process that died takes its operations with it; a refused command is an answer.
      if (this.node?.life !== life || error instanceof RuntimeStateError) {
        this.trace.add(`${what}: ${(error as Error).message}`);
        return;
      }
      this.checker.fail(12, `${what} failed: ${(error as Error).stack ?? String(error)}`);
    });
  }

  private publish(pid: string, axon: string, opts: PublishOpts, events: PublishRecord["events"]): void {
    const axonId = this.idOf(axon);
    const expectedHead =
      opts.expectedHead === undefined
        ? undefined
        : Math.max(0, this.publisher.knownHead(axonId) - opts.expectedHead);
    this.publisher.publish({
      id: pid,
      axonId,
      events,
      idempotencyKey: opts.key ? `k-${pid}` : undefined,
      expectedHead,
      state: "sent",
      attempts: 0,
    });
  }

  private pid(): string {
    return `p${this.nextPid++}`;
  }
}

type ActionKind = "disk" | "sql" | "net" | "agent";

export interface PublishOpts {
  /** Publish with an idempotency key (so an unknown outcome can be retried). */
  readonly key?: boolean;
  /** Publish with expected_head = the client's known head minus this (0 = what it believes is current). */
  readonly expectedHead?: number;
  /** Origin EXTERNAL instead of USER (both start turns). */
  readonly external?: boolean;
}
