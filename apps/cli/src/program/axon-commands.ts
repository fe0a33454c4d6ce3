import { type Command, Option } from "commander";
import type { ActionFactory } from "../action.js";
import { createCommand } from "../commands/create.js";
import { deleteCommand } from "../commands/delete.js";
import { eventsCommand } from "../commands/events.js";
import { getCommand } from "../commands/get.js";
import { listCommand } from "../commands/list.js";
import { publishCommand } from "../commands/publish.js";
import { tailCommand } from "../commands/tail.js";
import { updateCommand } from "../commands/update.js";
import { collect, collectLabel, parseDurationFlag, parseNonNegativeInt, parseSizeFlag } from "../parse.js";

/** create, list, get, delete, publish, tail, events: the axon commands. */
export function registerAxonCommands(program: Command, action: ActionFactory, stop: AbortSignal): void {
  program
    .command("create")
    .description("create an axon and print its id")
    .option("--name <name>", "human name (not unique)")
    .option("--label <key=value>", "label (repeatable)", collectLabel)
    .option(
      "--max-age <duration>",
      "trim events older than this, e.g. 7d, 12h",
      parseDurationFlag("--max-age"),
    )
    .option("--max-events <n>", "keep at most the newest n events", parseNonNegativeInt("--max-events"))
    .option(
      "--max-bytes <size>",
      "keep at most this many bytes of the newest events, e.g. 1GiB",
      parseSizeFlag("--max-bytes"),
    )
    .action(
      action((context, options: Parameters<typeof createCommand>[1]) => createCommand(context, options)),
    );

  program
    .command("update")
    .description("change an axon's name, labels or retention (only what a flag names)")
    .argument("<id>", "axon id (axn_…)")
    .option("--name <name>", "new name")
    .option("--label <key=value>", "replace all labels with these (repeatable)", collectLabel)
    .option("--clear-labels", "remove every label")
    .option(
      "--max-age <duration>",
      "trim events older than this, e.g. 7d; 0 turns it off",
      parseDurationFlag("--max-age"),
    )
    .option(
      "--max-events <n>",
      "keep at most the newest n events; 0 turns it off",
      parseNonNegativeInt("--max-events"),
    )
    .option(
      "--max-bytes <size>",
      "keep at most this many bytes, e.g. 1GiB; 0 turns it off",
      parseSizeFlag("--max-bytes"),
    )
    .option("--no-retention", "remove every retention limit (keep everything)")
    .action(
      action(
        (context, id: string, options: Parameters<typeof updateCommand>[2]) =>
          updateCommand(context, id, options),
        { axonIdArg: true },
      ),
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
    .action(action((context, id: string) => getCommand(context, id), { axonIdArg: true }));

  program
    .command("delete")
    .description("delete an axon; its events are no longer served")
    .argument("<id>", "axon id (axn_…)")
    .action(action((context, id: string) => deleteCommand(context, id), { axonIdArg: true }));

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
        { axonIdArg: true },
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
        { axonIdArg: true },
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
    .option(
      "--limit <n>",
      "at most n events (default: one page of 100); beyond the server's page size (1000) it fetches further pages",
      parseNonNegativeInt("--limit"),
    )
    .option("--desc", "newest first")
    .action(
      action(
        (context, id: string, options: Parameters<typeof eventsCommand>[2]) =>
          eventsCommand(context, id, options),
        { axonIdArg: true },
      ),
    );
}
