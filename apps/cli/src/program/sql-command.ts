import type { Command } from "commander";
import type { ActionFactory } from "../action.js";
import { type SqlOptions, sqlCommand } from "../commands/sql.js";
import { UsageError } from "../errors.js";
import { collect } from "../parse.js";

/** `axon sql AXON "STATEMENT" [--param V …]`: the axon's SQLite database. */
export function registerSqlCommand(program: Command, action: ActionFactory): void {
  program
    .command("sql")
    .description("run one SQL statement on the axon's own SQLite database (the log is the axon_events table)")
    .argument("<axon>", "axon id (axn_…)")
    .argument("[statement]", 'one statement, e.g. "SELECT * FROM axon_events"; placeholders ? and ?NNN')
    .option(
      "--param <value>",
      "a value for the next placeholder (repeatable): NULL, 42, 1.5, X'00ff', 'quoted text', or plain text",
      collect,
    )
    .action(
      action(
        (context, axonId: string, statement: string | undefined, options: SqlOptions) => {
          if (statement === undefined) {
            throw new UsageError('give the statement to run, e.g. axon sql AXON "SELECT * FROM axon_events"');
          }
          return sqlCommand(context, axonId, statement, options);
        },
        { axonIdArg: true, service: "SqlService" },
      ),
    );
}
