import { resolve } from "node:path";
import type {
  AgentProtocolName,
  CreateRuntimeInput,
  GatewayBinding,
  McpServerInput,
  PermissionPolicyName,
  SandboxPolicyName,
} from "@openaxon/client";
import type { CommandContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { formatRuntimeJson } from "../format/runtime.js";
import type { McpServerArg } from "../parse.js";

export interface RuntimeCreateOptions {
  readonly axon: string;
  readonly protocol: AgentProtocolName;
  readonly agent: string;
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly permission: "auto" | "ask" | "deny";
  readonly idleSuspend?: number;
  readonly idleShutdown?: number;
  /** `--no-wake` sets it false: only `axon runtime resume` wakes a suspended runtime. */
  readonly wake: boolean;
  readonly name?: string;
  readonly networkPolicy?: string;
  readonly gateway?: Record<string, GatewayBinding>;
  readonly sandbox?: SandboxPolicyName;
  /** `--mcp-stdio` and `--mcp-http`, in order. */
  readonly mcpStdio?: McpServerArg[];
  readonly mcpHttp?: McpServerArg[];
  /** `--mcp-env SERVER:KEY=VALUE` and `--mcp-header SERVER:NAME=VALUE`, per server. */
  readonly mcpEnv?: Record<string, Record<string, string>>;
  readonly mcpHeader?: Record<string, Record<string, string>>;
  readonly model?: string;
  /** `--before-suspend` / `--after-resume`, already split into argv. */
  readonly beforeSuspend?: string[];
  readonly afterResume?: string[];
  /** `--hook-deadline`, ms. */
  readonly hookDeadline?: number;
}

/** What `--hook-deadline` defaults to: long enough for a commit, short enough not to hold a suspend long. */
export const DEFAULT_HOOK_DEADLINE_MS = 30_000;

const permissionPolicies: Record<RuntimeCreateOptions["permission"], PermissionPolicyName> = {
  auto: "auto_allow",
  ask: "ask",
  deny: "deny",
};

export function runtimeInputFrom(
  agentArgs: readonly string[],
  options: RuntimeCreateOptions,
): CreateRuntimeInput {
  const idle =
    options.idleShutdown !== undefined
      ? { idleShutdownSeconds: options.idleShutdown, resumeOnEvent: options.wake }
      : { idleSuspendSeconds: options.idleSuspend ?? 0, resumeOnEvent: options.wake };
  if (options.hookDeadline !== undefined && !options.beforeSuspend && !options.afterResume) {
    throw new UsageError("--hook-deadline applies to --before-suspend or --after-resume; give one of them");
  }
  const deadlineMs = options.hookDeadline ?? DEFAULT_HOOK_DEADLINE_MS;
  const lifecycle = {
    ...idle,
    ...(options.beforeSuspend && { beforeSuspend: { command: options.beforeSuspend, deadlineMs } }),
    ...(options.afterResume && { afterResume: { command: options.afterResume, deadlineMs } }),
  };
  return {
    name: options.name,
    mounts: [
      {
        axonId: options.axon,
        protocol: options.protocol,
        agentBinary: options.agent,
        launchArgs: agentArgs,
        permissionPolicy: permissionPolicies[options.permission],
        ...(mcpServersFrom(options) && { mcpServers: mcpServersFrom(options) }),
        ...(options.model !== undefined && { model: options.model }),
      },
    ],
    lifecycle,
    env: options.env,
    // The server wants an absolute path; a relative one means "from here", as in any shell command.
    ...(options.cwd !== undefined && { workingDirectory: resolve(options.cwd) }),
    ...(options.networkPolicy !== undefined && { networkPolicy: options.networkPolicy }),
    ...(options.gateway !== undefined && { gateways: options.gateway }),
    ...(options.sandbox !== undefined && { sandbox: options.sandbox }),
  };
}

/** Joins `--mcp-env` to stdio servers and `--mcp-header` to HTTP ones, by server name. */
export function mcpServersFrom(options: RuntimeCreateOptions): McpServerInput[] | undefined {
  const servers = [...(options.mcpStdio ?? []), ...(options.mcpHttp ?? [])];
  const names = new Set(servers.map((s) => s.name));
  if (names.size < servers.length)
    throw new UsageError("an MCP server name is used by both --mcp-stdio and --mcp-http");
  for (const [flag, settings, type] of [
    ["--mcp-env", options.mcpEnv, "stdio"],
    ["--mcp-header", options.mcpHeader, "http"],
  ] as const) {
    for (const name of Object.keys(settings ?? {})) {
      if (!servers.some((s) => s.name === name && s.type === type)) {
        throw new UsageError(
          `${flag} ${name}:… names no --mcp-${type} server (give --mcp-${type} ${name}=… too)`,
        );
      }
    }
  }
  if (servers.length === 0) return undefined;
  return servers.map((server) =>
    server.type === "stdio"
      ? { ...server, env: options.mcpEnv?.[server.name] ?? {} }
      : { ...server, headers: options.mcpHeader?.[server.name] ?? {} },
  );
}

/**
 * Prints the new runtime's id alone (so `RT=$(axon runtime create …)` works), or the runtime as
 * JSON. Resolves once the agent runs; a runtime that failed to start is an error (exit 1) naming
 * the reason, after its id.
 */
export async function runtimeCreateCommand(
  context: CommandContext,
  agentArgs: readonly string[],
  options: RuntimeCreateOptions,
): Promise<void> {
  const runtime = await context.client.runtimes.create(runtimeInputFrom(agentArgs, options));
  await context.out.line(context.json ? formatRuntimeJson(runtime) : context.colors.bold(runtime.id));
  const c = context.errColors;
  if (runtime.status === "failed") {
    throw new CliError(
      `runtime ${runtime.id} failed to start: ${runtime.statusReason}\n  fix the cause, then retry with: axon runtime resume ${runtime.id}`,
    );
  }
  const secured = options.networkPolicy !== undefined || options.gateway !== undefined;
  if (secured && runtime.sandbox === "none") {
    await context.note(
      c.yellow(
        "warning: this host has no sandbox (bubblewrap), so the agent runs unsandboxed and the network policy is advisory — pass --sandbox required to refuse that",
      ),
    );
  }
  if (!context.json && context.io.stderr.isTTY) {
    await context.note(
      c.dim(
        `runtime ${runtime.status} — chat with: axon chat ${options.axon} "hello"   (stop it with: axon runtime shutdown ${runtime.id})`,
      ),
    );
  }
}
