import type { AgentProtocolName } from "@openaxon/broker";
import type { RuntimeFieldChange, RuntimeUpdatedPayload } from "@openaxon/protocol/vocabulary";
import { InvalidRuntimeError, RuntimeStateError } from "./errors.js";
import { lifecycleForEvent } from "./hooks/plan-hook.js";
import type { LifecycleSpec, MountSpec, RuntimeRecord } from "./runtime-record.js";
import { validateRuntimeInput } from "./validate-runtime-input.js";

/** The mount fields UpdateRuntime changes; a key present (even as undefined, for `model`) is a change. */
export type MountChanges = Partial<
  Pick<
    MountSpec,
    "protocol" | "agentBinary" | "launchArgs" | "env" | "model" | "mcpServers" | "permissionPolicy"
  >
>;

/** What UpdateRuntime asks for: only the fields present change. */
export interface RuntimeUpdate {
  /** The mount `mount` applies to; may be omitted when the runtime has one mount. */
  readonly axonId?: string;
  readonly mount?: MountChanges;
  readonly env?: Readonly<Record<string, string>>;
  readonly lifecycle?: LifecycleSpec;
}

/** What an update does to a runtime, decided before anything happens. */
export interface RuntimeUpdatePlan {
  readonly record: RuntimeRecord;
  /** One `runtime.updated` per axon whose agent sees a change (empty: nothing changed). */
  readonly announcements: readonly RuntimeUpdatedPayload[];
  /** Axons whose broker must be replaced (at its next turn boundary) for the change to apply. */
  readonly restart: readonly string[];
  readonly lifecycleChanged: boolean;
}

const MOUNT_FIELDS: Record<keyof MountChanges, string> = {
  protocol: "mount.protocol",
  agentBinary: "mount.agent_binary",
  launchArgs: "mount.launch_args",
  env: "mount.env",
  model: "mount.model",
  mcpServers: "mount.mcp_servers",
  permissionPolicy: "mount.permission_policy",
};

/**
 * Applies an update to a runtime record and says what follows from it: the events to write, the
 * brokers to replace. Pure; throws InvalidRuntimeError naming the field for bad input and
 * RuntimeStateError for a runtime that is shut down. `now` becomes updatedAtMs.
 */
export function planRuntimeUpdate(
  current: RuntimeRecord,
  update: RuntimeUpdate,
  available: readonly AgentProtocolName[],
  now: number,
): RuntimeUpdatePlan {
  if (current.status === "shutdown") {
    throw new RuntimeStateError(
      `runtime ${current.id} is shut down and cannot be updated; create a new runtime`,
    );
  }
  const index = update.mount === undefined ? -1 : mountIndex(current, update.axonId);
  const mounts = current.mounts.map((mount, i) => (i === index ? applyMount(mount, update.mount!) : mount));
  const record: RuntimeRecord = {
    ...current,
    mounts,
    ...(update.env !== undefined && { env: update.env }),
    ...(update.lifecycle !== undefined && { lifecycle: update.lifecycle }),
    updatedAtMs: now,
  };
  check(record, available, index);

  const runtimeChanges: RuntimeFieldChange[] = [];
  if (update.env !== undefined && !sameJson(current.env, record.env)) {
    runtimeChanges.push(hiddenMapChange("env", current.env, record.env));
  }
  const lifecycleChanged = update.lifecycle !== undefined && !sameJson(current.lifecycle, record.lifecycle);
  if (lifecycleChanged) {
    const [before, after] = [lifecycleForEvent(current.lifecycle), lifecycleForEvent(record.lifecycle)];
    runtimeChanges.push({
      field: "lifecycle",
      old: before.shown,
      new: after.shown,
      ...((before.hidden || after.hidden) && { values_hidden: true as const }),
    });
  }
  const announcements: RuntimeUpdatedPayload[] = [];
  const restart: string[] = [];
  current.mounts.forEach((before, i) => {
    const after = mounts[i]!;
    const changes = [...runtimeChanges, ...mountChanges(before, after)];
    if (changes.length === 0) return;
    announcements.push({
      runtime_id: current.id,
      axon_id: before.axonId,
      changes,
      // A new binary or protocol is another agent: the old one's session means nothing to it.
      resume_session: before.protocol === after.protocol && before.agentBinary === after.agentBinary,
    });
    // The lifecycle is the runtime's, not the agent's: it needs no new broker.
    if (changes.some((c) => c.field !== "lifecycle")) restart.push(before.axonId);
  });
  return { record, announcements, restart, lifecycleChanged };
}

function mountIndex(record: RuntimeRecord, axonId: string | undefined): number {
  if (axonId === undefined || axonId === "") {
    if (record.mounts.length === 1) return 0;
    throw new InvalidRuntimeError(
      `mount.axon_id is required: runtime ${record.id} has ${record.mounts.length} mounts (${record.mounts.map((m) => m.axonId).join(", ")}); name the one to change`,
    );
  }
  const index = record.mounts.findIndex((m) => m.axonId === axonId);
  if (index < 0) {
    throw new InvalidRuntimeError(
      `mount.axon_id ${axonId} is not mounted by runtime ${record.id} (its mounts: ${record.mounts.map((m) => m.axonId).join(", ")}); mounts cannot be added by an update`,
    );
  }
  return index;
}

function applyMount(mount: MountSpec, changes: MountChanges): MountSpec {
  const next: Record<string, unknown> = { ...mount };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next as unknown as MountSpec;
}

/** The create-time rules, on the updated record; messages about the changed mount say `mount.`. */
function check(record: RuntimeRecord, available: readonly AgentProtocolName[], index: number): void {
  const prefixes = Object.keys(record.gateways ?? {});
  try {
    validateRuntimeInput(
      {
        name: record.name,
        mounts: record.mounts,
        lifecycle: record.lifecycle,
        env: record.env,
        workingDirectory: record.workingDirectory,
        gateways: Object.fromEntries(prefixes.map((p) => [p, { gateway: "", secret: "" }])),
      },
      available,
    );
  } catch (error) {
    if (!(error instanceof InvalidRuntimeError) || index < 0) throw error;
    throw new InvalidRuntimeError(error.message.replaceAll(`mounts[${index}]`, "mount"));
  }
  for (const prefix of prefixes) {
    for (const name of [prefix, `${prefix}_URL`]) {
      if (name in record.env)
        throw new InvalidRuntimeError(`env: ${name} is set by the gateway binding ${prefix}`);
      if (index >= 0 && name in record.mounts[index]!.env) {
        throw new InvalidRuntimeError(`mount.env: ${name} is set by the gateway binding ${prefix}`);
      }
    }
  }
}

/** The changed fields of one mount, as the event tells them (never an env or header value). */
function mountChanges(before: MountSpec, after: MountSpec): RuntimeFieldChange[] {
  const changes: RuntimeFieldChange[] = [];
  for (const key of Object.keys(MOUNT_FIELDS) as (keyof MountChanges)[]) {
    if (sameJson(before[key], after[key])) continue;
    const field = MOUNT_FIELDS[key];
    if (key === "env") changes.push(hiddenMapChange(field, before.env, after.env));
    else if (key === "mcpServers") {
      changes.push({
        field,
        old: (before.mcpServers ?? []).map(describeMcpServer),
        new: (after.mcpServers ?? []).map(describeMcpServer),
        values_hidden: true,
      });
    } else changes.push({ field, old: before[key] ?? null, new: after[key] ?? null });
  }
  return changes;
}

/** An MCP server without its env and header values (they may hold credentials). */
function describeMcpServer(server: NonNullable<MountSpec["mcpServers"]>[number]): object {
  return server.type === "stdio"
    ? { name: server.name, type: "stdio", command: server.command, env: Object.keys(server.env).sort() }
    : { name: server.name, type: "http", headers: Object.keys(server.headers).sort() };
}

function hiddenMapChange(
  field: string,
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): RuntimeFieldChange {
  // Names only; a name whose value alone changed is marked so the change is still visible.
  const marked = Object.keys(after)
    .sort()
    .map((name) => (name in before && before[name] !== after[name] ? `${name} (value changed)` : name));
  return { field, old: Object.keys(before).sort(), new: marked, values_hidden: true };
}

function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a ?? null) === stableJson(b ?? null);
}

/** JSON with object keys sorted, so maps compare by content. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
