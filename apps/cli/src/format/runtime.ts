import type { Runtime, RuntimeStatusName } from "@openaxon/client";
import type { Colors } from "./colors.js";
import { formatDetails, formatTable } from "./table.js";
import { formatDateTime } from "./time.js";

/** The SDK's plain object, one line: it is already stable, camelCase JSON. */
export function formatRuntimeJson(runtime: Runtime): string {
  return JSON.stringify(runtime);
}

export function colorStatus(status: RuntimeStatusName, colors: Colors): string {
  switch (status) {
    case "running":
      return colors.green(status);
    case "failed":
      return colors.red(status);
    case "suspended":
    case "suspending":
    case "resuming":
    case "provisioning":
      return colors.yellow(status);
    default:
      return colors.dim(status);
  }
}

export function formatIdle(runtime: Runtime): string {
  const { idleTimeSeconds, onIdle, resumeOnEvent } = runtime.lifecycle;
  if (idleTimeSeconds === 0) return "never";
  const wake = onIdle === "suspend" && !resumeOnEvent ? ", no wake" : "";
  return `${onIdle} after ${idleTimeSeconds}s${wake}`;
}

/** ID, NAME, STATUS, AXON, PROTOCOL, AGENT, IDLE, CREATED. */
export function formatRuntimeTable(runtimes: readonly Runtime[], colors: Colors): string[] {
  const rows = runtimes.map((runtime) => {
    const mount = runtime.mounts[0];
    return [
      runtime.id,
      runtime.name || "-",
      runtime.status,
      runtime.mounts.map((m) => m.axonId).join(",") || "-",
      mount?.protocol ?? "-",
      mount ? [mount.agentBinary, ...mount.launchArgs].join(" ") : "-",
      formatIdle(runtime),
      formatDateTime(runtime.createdAtMs),
    ];
  });
  return formatTable(
    ["ID", "NAME", "STATUS", "AXON", "PROTOCOL", "AGENT", "IDLE", "CREATED"],
    rows,
    colors,
    (row, column, padded) => {
      const status = runtimes[row]?.status;
      return column === 2 && status ? padded.replace(status, colorStatus(status, colors)) : padded;
    },
  );
}

/** Everything about one runtime, for `axon runtime get`. */
export function formatRuntimeDetails(runtime: Runtime, colors: Colors): string[] {
  const none = colors.dim("(none)");
  const fields: [string, string][] = [
    ["id", colors.bold(runtime.id)],
    ["name", runtime.name || none],
    [
      "status",
      `${colorStatus(runtime.status, colors)}${runtime.statusReason ? `  ${colors.dim(runtime.statusReason)}` : ""}`,
    ],
    ["idle", formatIdle(runtime)],
    ...hookFields(runtime),
    ["workdir", runtime.workingDirectory],
    ["env", Object.keys(runtime.env).join(", ") || none],
    ["network", runtime.networkPolicyId || colors.dim("default (public internet only)")],
    [
      "gateways",
      Object.entries(runtime.gateways)
        .map(([prefix, binding]) => `${prefix}=${binding.gateway}:${binding.secret}`)
        .join(", ") || none,
    ],
    [
      "sandbox",
      `${runtime.sandbox === "unspecified" ? "-" : runtime.sandbox} (policy ${runtime.sandboxPolicy})`,
    ],
    ["created", formatDateTime(runtime.createdAtMs)],
    ["updated", formatDateTime(runtime.updatedAtMs)],
  ];
  runtime.mounts.forEach((mount, i) => {
    const label = runtime.mounts.length === 1 ? "mount" : `mount ${i}`;
    fields.push([
      label,
      `${mount.axonId}  ${mount.protocol}  ${[mount.agentBinary, ...mount.launchArgs].join(" ")}  ${colors.dim(`permission ${mount.permissionPolicy}`)}`,
    ]);
    if (mount.workingDirectory) fields.push([`${label} workdir`, mount.workingDirectory]);
    if (Object.keys(mount.env).length > 0) fields.push([`${label} env`, Object.keys(mount.env).join(", ")]);
    if (mount.model) fields.push([`${label} model`, mount.model]);
    for (const server of mount.mcpServers ?? []) {
      // Header and env values may be binding references; only their names are shown, like env.
      const detail =
        server.type === "stdio"
          ? `${[server.command, ...server.args].join(" ")}${Object.keys(server.env).length > 0 ? colors.dim(`  env ${Object.keys(server.env).join(", ")}`) : ""}`
          : `${server.url}${Object.keys(server.headers).length > 0 ? colors.dim(`  headers ${Object.keys(server.headers).join(", ")}`) : ""}`;
      fields.push([`${label} mcp ${server.name}`, `${server.type}  ${detail}`]);
    }
  });
  return formatDetails(fields, colors);
}

/** `before suspend` / `after resume` lines, only for hooks the runtime has. */
function hookFields(runtime: Runtime): [string, string][] {
  const { beforeSuspend, afterResume } = runtime.lifecycle;
  const fields: [string, string][] = [];
  for (const [label, hook] of [
    ["before suspend", beforeSuspend],
    ["after resume", afterResume],
  ] as const) {
    if (hook) fields.push([label, `${hook.command.join(" ")}  (deadline ${hook.deadlineMs / 1000}s)`]);
  }
  return fields;
}

/** One line for a `runtime.hook` event: which hook, how it ended, how long it took. */
export function describeHookEvent(body: Record<string, unknown>): { line: string; ok: boolean } {
  const ended =
    typeof body.error === "string"
      ? `could not start: ${body.error}`
      : body.timed_out === true
        ? `killed at its ${Number(body.deadline_ms) / 1000}s deadline`
        : body.exit_code === null || body.exit_code === undefined
          ? `killed by ${String(body.signal ?? "a signal")}`
          : `exit ${String(body.exit_code)}`;
  const ok = body.exit_code === 0 && body.timed_out !== true;
  const hook = String(body.hook ?? "hook").replace("_", " ");
  return {
    line: `${hook} hook ${String(body.command ?? "")}: ${ended} (${Number(body.duration_ms ?? 0)} ms)`,
    ok,
  };
}
