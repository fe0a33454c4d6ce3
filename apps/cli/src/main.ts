import { Command, CommanderError, Option } from "commander";
import { createCommand } from "./commands/create.js";
import { deleteCommand } from "./commands/delete.js";
import { eventsCommand } from "./commands/events.js";
import { getCommand } from "./commands/get.js";
import { listCommand } from "./commands/list.js";
import { publishCommand } from "./commands/publish.js";
import { tailCommand } from "./commands/tail.js";
import { type CommandContext, createContext, type GlobalOptions } from "./context.js";
import { describeError, ExitCode } from "./errors.js";
import { colorsFor } from "./format/colors.js";
import type { CliIo } from "./io.js";
import { LineWriter } from "./io.js";
import { collect, collectLabel, parseNonNegativeInt } from "./parse.js";

export const defaultUrl = "http://127.0.0.1:7433";

/** Runs `axon` with `argv` (as process.argv: node, script, args…) and resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, stop: AbortSignal): Promise<number> {
  const out = new LineWriter(io.stdout);
  let errorContext = { url: defaultUrl, apiKeyGiven: false, axonId: undefined as string | undefined };

  /** Wraps a command body: builds the context from the global flags and remembers the axon id for errors. */
  const action =
    <A extends unknown[]>(body: (context: CommandContext, ...args: A) => Promise<void>, axonIdArg = false) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const globals = command.optsWithGlobals<GlobalOptions>();
      errorContext = {
        url: globals.url,
        apiKeyGiven: Boolean(globals.apiKey),
        axonId: axonIdArg ? (args[0] as string) : undefined,
      };
      const context = createContext(globals, io, out);
      await body(context, ...(args.slice(0, -1) as A));
    };

  const program = new Command("axon")
    .description("Create, publish to and follow OpenAxon event logs.")
    .version("0.1.0")
    .addOption(new Option("--url <url>", "axond address").env("OPENAXON_URL").default(defaultUrl))
    .addOption(new Option("--api-key <key>", "API key for axond").env("OPENAXON_API_KEY"))
    .option("--json", "print one JSON object per line (for scripts)")
    .showHelpAfterError("(run `axon --help` for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  program
    .command("create")
    .description("create an axon and print its id")
    .option("--name <name>", "human name (not unique)")
    .option("--label <key=value>", "label (repeatable)", collectLabel)
    .action(
      action((context, options: Parameters<typeof createCommand>[1]) => createCommand(context, options)),
    );

  program
    .command("list")
    .description("list axons, oldest first")
    .option("--prefix <prefix>", "only axons whose name starts with this")
    .action(action((context, options: Parameters<typeof listCommand>[1]) => listCommand(context, options)));

  program
    .command("get")
    .description("show one axon")
    .argument("<id>", "axon id (axn_…)")
    .action(action((context, id: string) => getCommand(context, id), true));

  program
    .command("delete")
    .description("delete an axon; its events are no longer served")
    .argument("<id>", "axon id (axn_…)")
    .action(action((context, id: string) => deleteCommand(context, id), true));

  program
    .command("publish")
    .description("append one event; prints its sequence")
    .argument("<id>", "axon id (axn_…)")
    .argument("[payload]", "JSON payload, or - to read it from stdin (default {})")
    .requiredOption("--type <type>", "event type, e.g. user.message")
    .option("--source <source>", "who is publishing", "cli")
    .addOption(
      new Option("--origin <origin>", "origin of the event")
        .choices(["user", "external", "agent"])
        .default("user"),
    )
    .option("--idempotency-key <key>", "publishing the same key again writes nothing")
    .option(
      "--expected-head <n>",
      "append only if the axon's head is exactly n",
      parseNonNegativeInt("--expected-head"),
    )
    .action(
      action(
        (context, id: string, payload: string | undefined, options: Parameters<typeof publishCommand>[3]) =>
          publishCommand(context, id, payload, options),
        true,
      ),
    );

  program
    .command("tail")
    .description("print events up to the head; --follow keeps printing live events")
    .argument("<id>", "axon id (axn_…)")
    .option(
      "--after <n>",
      "start after this sequence (default 0: from the start)",
      parseNonNegativeInt("--after"),
    )
    .option("-f, --follow", "keep following live events until Ctrl-C")
    .option("--type <type>", "only this event type (repeatable)", collect)
    .addOption(
      new Option("--origin <origin>", "only this origin (repeatable)")
        .choices(["user", "external", "agent", "system"])
        .argParser(collect),
    )
    .action(
      action(
        (context, id: string, options: Parameters<typeof tailCommand>[2]) =>
          tailCommand(context, id, options, stop),
        true,
      ),
    );

  program
    .command("events")
    .description("print one page of stored events")
    .argument("<id>", "axon id (axn_…)")
    .option(
      "--after <n>",
      "events after this sequence (with --desc: before it)",
      parseNonNegativeInt("--after"),
    )
    .option("--limit <n>", "at most n events (server default 100, max 1000)", parseNonNegativeInt("--limit"))
    .option("--desc", "newest first")
    .action(
      action(
        (context, id: string, options: Parameters<typeof eventsCommand>[2]) =>
          eventsCommand(context, id, options),
        true,
      ),
    );

  try {
    await program.parseAsync([...argv]);
    await out.end();
    return ExitCode.Ok;
  } catch (error) {
    await out.end();
    if (error instanceof CommanderError) {
      // Help and --version "fail" with exit code 0; everything else is a usage error.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (stop.aborted) return ExitCode.Ok;
    const described = describeError(error, errorContext);
    io.stderr.write(`${colorsFor(io.stderr, io.env).red("error:")} ${described.message}\n`);
    return described.exitCode;
  }
}

async function main(): Promise<void> {
  const stop = new AbortController();
  // Ctrl-C ends `tail --follow` cleanly (exit 0); a second Ctrl-C forces the exit.
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // `axon tail X | head` closes the pipe early; that is not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(ExitCode.Ok);
    throw error;
  });
  const code = await runCli(process.argv, process, stop.signal);
  // Exit explicitly: idle keep-alive sockets of fetch would otherwise hold the process open.
  process.exit(code);
}

await main();
