import type { Command } from "commander";
import { type CommandContext, createContext, type GlobalOptions } from "./context.js";
import type { ErrorContext } from "./errors.js";
import type { CliIo, LineWriter } from "./io.js";

export interface ActionHints {
  /** The command's first argument is an axon id (NOT_FOUND then names it). */
  readonly axonIdArg?: boolean;
  /** The API the command uses, named when a server does not offer it. */
  readonly service?: string;
}

/** Wraps a command body: builds the context from the global flags and records what errors should mention. */
export type ActionFactory = <A extends unknown[]>(
  body: (context: CommandContext, ...args: A) => Promise<void>,
  hints?: ActionHints,
) => (...args: unknown[]) => Promise<void>;

export function actionFactory(
  io: CliIo,
  out: LineWriter,
  onContext: (errorContext: ErrorContext) => void,
): ActionFactory {
  return <A extends unknown[]>(
    body: (context: CommandContext, ...args: A) => Promise<void>,
    hints: ActionHints = {},
  ) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const globals = command.optsWithGlobals<GlobalOptions>();
      onContext({
        url: globals.url,
        apiKeyGiven: Boolean(globals.apiKey),
        axonId: hints.axonIdArg ? (args[0] as string) : undefined,
        service: hints.service,
      });
      const context = createContext(globals, io, out);
      // Commander passes the arguments, then the options, then the command.
      await body(context, ...(args.slice(0, -1) as A));
    };
}
