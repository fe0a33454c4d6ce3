import { type Command, Option } from "commander";
import type { ActionFactory } from "../action.js";
import {
  runtimeGetCommand,
  runtimeListCommand,
  runtimeTransitionCommand,
} from "../commands/runtime-actions.js";
import { type RuntimeCreateOptions, runtimeCreateCommand } from "../commands/runtime-create.js";
import { type RuntimeUpdateOptions, runtimeUpdateCommand } from "../commands/runtime-update.js";
import {
  collectGatewayBinding,
  collectKeyValue,
  collectMcpServer,
  collectMcpSetting,
  parseHookCommand,
  parseHookDeadline,
  parseSeconds,
} from "../parse.js";

const service = "RuntimeService";

/** `axon runtime create|update|list|get|suspend|resume|shutdown`. */
export function registerRuntimeCommands(program: Command, action: ActionFactory): void {
  const runtime = program
    .command("runtime")
    .description("host agents on axons: create, list and control runtimes");

  runtime
    .command("create")
    .description("start an agent on an axon and print the runtime's id")
    .usage("--axon ID --protocol acp|claude-code|stdio|codex|pi --agent BIN [options] [-- ARGS...]")
    .argument("[args...]", "arguments for the agent (after --)")
    .requiredOption("--axon <id>", "axon the agent answers on (axn_…)")
    .addOption(
      new Option("--protocol <protocol>", "how to talk to the agent")
        .choices(["acp", "claude-code", "stdio", "codex", "pi"])
        .makeOptionMandatory(),
    )
    .requiredOption("--agent <binary>", "agent executable (looked up on the agent's PATH)")
    .option("--cwd <dir>", "working directory (created if missing; default under the server's data dir)")
    .option("--env <KEY=VALUE>", "environment variable for the agent (repeatable)", collectKeyValue("--env"))
    .addOption(
      new Option("--permission <policy>", "answer to the agent's permission requests")
        .choices(["auto", "ask", "deny"])
        .default("auto"),
    )
    .addOption(
      new Option(
        "--idle-suspend <seconds>",
        "suspend after this long without a turn (wakes on the next message)",
      )
        .argParser(parseSeconds("--idle-suspend"))
        .conflicts("idleShutdown"),
    )
    .addOption(
      new Option("--idle-shutdown <seconds>", "shut down for good after this long without a turn").argParser(
        parseSeconds("--idle-shutdown"),
      ),
    )
    .option("--no-wake", "a new message does not wake a suspended runtime (only `axon runtime resume` does)")
    .option(
      "--before-suspend <command>",
      "hook run (no shell; quote it as one argument) after the agent stops, before the runtime suspends",
      parseHookCommand("--before-suspend"),
    )
    .option(
      "--after-resume <command>",
      "hook run when the runtime wakes, before the first turn (no shell; quote it as one argument)",
      parseHookCommand("--after-resume"),
    )
    .option(
      "--hook-deadline <duration>",
      "how long each hook may run before it is killed (up to 10m; default 30s)",
      parseHookDeadline("--hook-deadline"),
    )
    .option("--name <name>", "human name")
    .option("--network-policy <id|name>", "egress policy (default: public internet only)")
    .option(
      "--gateway <PREFIX=GATEWAY:SECRET>",
      "credential binding: the agent gets $PREFIX_URL and a token in $PREFIX (repeatable)",
      collectGatewayBinding,
    )
    .option(
      "--model <model>",
      "model the agent uses (acp: its model option; claude-code: --model; stdio: $OPENAXON_MODEL)",
    )
    .option(
      "--mcp-stdio <NAME=COMMAND [ARGS...]>",
      "MCP server the agent starts over stdio (repeatable; acp and claude-code)",
      collectMcpServer("stdio"),
    )
    .option("--mcp-http <NAME=URL>", "MCP server over Streamable HTTP (repeatable)", collectMcpServer("http"))
    .option(
      "--mcp-env <SERVER:KEY=VALUE>",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: binding references, shown literally.
      "env var for a --mcp-stdio server; ${PREFIX} / ${PREFIX_URL} name a --gateway binding (repeatable)",
      collectMcpSetting("--mcp-env"),
    )
    .option(
      "--mcp-header <SERVER:NAME=VALUE>",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a binding reference, shown literally.
      "header for a --mcp-http server, e.g. 'tools:Authorization=Bearer ${GWS_TOOLS}' (repeatable)",
      collectMcpSetting("--mcp-header"),
    )
    .addOption(
      new Option("--sandbox <policy>", "bubblewrap sandbox: auto (when available), required, off").choices([
        "auto",
        "required",
        "off",
      ]),
    )
    .action(
      action(
        (context, args: string[], options: RuntimeCreateOptions) =>
          runtimeCreateCommand(context, args, options),
        { service },
      ),
    );

  runtime
    .command("update")
    .description("change a mount's agent or model in place (applied at the next turn boundary)")
    .usage("<id> [--axon ID] [--protocol P] [--agent BIN] [--model M] [--env KEY=VALUE...] [-- ARGS...]")
    .argument("<id>", "runtime id (rt_…)")
    .argument("[args...]", "new arguments for the agent (after --)")
    .option("--axon <id>", "the mount to change (needed when the runtime has several)")
    .addOption(
      new Option("--protocol <protocol>", "how to talk to the new agent").choices([
        "acp",
        "claude-code",
        "stdio",
        "codex",
        "pi",
      ]),
    )
    .option("--agent <binary>", "new agent executable")
    .option("--clear-args", "the agent gets no arguments")
    .option("--env <KEY=VALUE>", "the mount's environment, replaced (repeatable)", collectKeyValue("--env"))
    .option("--clear-env", "the mount's environment, emptied")
    .option("--model <model>", 'model the agent uses ("" = the agent\'s default)')
    .addOption(
      new Option("--permission <policy>", "answer to the agent's permission requests").choices([
        "auto",
        "ask",
        "deny",
      ]),
    )
    .option(
      "--before-suspend <command>",
      "set the hook run before the runtime suspends (no shell; quote it as one argument)",
      parseHookCommand("--before-suspend"),
    )
    .option(
      "--after-resume <command>",
      "set the hook run when the runtime wakes, before the first turn",
      parseHookCommand("--after-resume"),
    )
    .option(
      "--hook-deadline <duration>",
      "deadline for the hooks set here (up to 10m; default 30s)",
      parseHookDeadline("--hook-deadline"),
    )
    .option("--clear-before-suspend", "remove the before-suspend hook")
    .option("--clear-after-resume", "remove the after-resume hook")
    .action(
      action(
        (context, id: string, args: string[], options: RuntimeUpdateOptions) =>
          runtimeUpdateCommand(context, id, args, options),
        { service },
      ),
    );

  runtime
    .command("list")
    .description("list runtimes, oldest first (shut-down ones included)")
    .action(action((context) => runtimeListCommand(context), { service }));

  runtime
    .command("get")
    .description("show one runtime")
    .argument("<id>", "runtime id (rt_…)")
    .action(action((context, id: string) => runtimeGetCommand(context, id), { service }));

  for (const [name, description] of [
    ["suspend", "stop the agent, keep its working directory and session (interrupts a running turn)"],
    ["resume", "restart a suspended runtime's agent (or retry a failed one)"],
    ["shutdown", "stop the runtime for good"],
  ] as const) {
    runtime
      .command(name)
      .description(description)
      .argument("<id>", "runtime id (rt_…)")
      .action(action((context, id: string) => runtimeTransitionCommand(context, name, id), { service }));
  }
}
