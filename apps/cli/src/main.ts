import { Command, CommanderError, Option } from "commander";
import { actionFactory } from "./action.js";
import {
  CliError,
  describeError,
  type ErrorContext,
  ExitCode,
  ExitWith,
  interruptedExitCode,
} from "./errors.js";
import { colorsFor } from "./format/colors.js";
import type { CliIo } from "./io.js";
import { LineWriter } from "./io.js";
import { registerAxonCommands } from "./program/axon-commands.js";
import { registerChatCommand } from "./program/chat-command.js";
import { registerGatewayCommands } from "./program/gateway-commands.js";
import { registerPolicyCommands } from "./program/policy-commands.js";
import { registerRuntimeCommands } from "./program/runtime-commands.js";
import { registerSecretCommands } from "./program/secret-commands.js";
import { registerSqlCommand } from "./program/sql-command.js";
import { registerWebhookCommands } from "./program/webhook-commands.js";

export const defaultUrl = "http://127.0.0.1:7433";

/** Runs `axon` with `argv` (as process.argv: node, script, args…) and resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, stop: AbortSignal): Promise<number> {
  const out = new LineWriter(io.stdout);
  let errorContext: ErrorContext = { url: defaultUrl, apiKeyGiven: false };
  const action = actionFactory(io, out, (context) => {
    errorContext = context;
  });

  const program = new Command("axon")
    .description("Create, publish to and follow OpenAxon event logs; run agents on them and chat with them.")
    .version("0.1.0")
    .addOption(new Option("--url <url>", "axond address").env("OPENAXON_URL").default(defaultUrl))
    .addOption(new Option("--api-key <key>", "API key for axond").env("OPENAXON_API_KEY"))
    .addOption(
      new Option(
        "--ca <file>",
        "PEM CA certificate to trust for an https:// --url (instead of the bundled roots; NODE_EXTRA_CA_CERTS adds to them)",
      ).env("OPENAXON_CA"),
    )
    .option("--json", "print one JSON object per line (for scripts)")
    .showHelpAfterError("(run `axon --help` for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  registerAxonCommands(program, action, stop);
  registerRuntimeCommands(program, action);
  registerChatCommand(program, action, stop);
  registerSecretCommands(program, action);
  registerPolicyCommands(program, action);
  registerGatewayCommands(program, action);
  registerSqlCommand(program, action);
  registerWebhookCommands(program, action);

  try {
    await program.parseAsync([...argv]);
    await out.end();
    // Ctrl-C ended the command (say `tail --follow`) cleanly: still report the interruption.
    return stop.aborted ? interruptedExitCode(stop.reason) : ExitCode.Ok;
  } catch (error) {
    await out.end();
    if (error instanceof CommanderError) {
      // Help and --version "fail" with exit code 0; everything else is a usage error.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (error instanceof ExitWith) return error.exitCode;
    // After Ctrl-C, failures are the interruption's echo — except deliberate ones (a failed turn).
    if (stop.aborted && !(error instanceof CliError)) return interruptedExitCode(stop.reason);
    const described = describeError(error, errorContext);
    io.stderr.write(`${colorsFor(io.stderr, io.env).red("error:")} ${described.message}\n`);
    return described.exitCode;
  }
}

async function main(): Promise<void> {
  const stop = new AbortController();
  // Ctrl-C ends `tail --follow` cleanly (exit 130, as for every interrupted command) and cancels
  // the turn of `chat`; a second Ctrl-C forces the exit.
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(interruptedExitCode(signal));
    stop.abort(signal);
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
