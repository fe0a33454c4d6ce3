import type { Command } from "commander";
import type { ActionFactory } from "../action.js";
import { type SqlOptions, sqlCommand } from "../commands/sql.js";
import { sqlReplCommand } from "../commands/sql-repl.js";
import { ExitCode, ExitWith, UsageError } from "../errors.js";
import { collect } from "../parse.js";

/** `axon sql AXON "STATEMENT" [--param V …]`: the axon's SQLite database. */
export function registerSqlCommand(program: Command, action: ActionFactory): void {
  program
    .command("sql")
    .description("run one SQL statement on the axon's own SQLite database (the log is the axon_events table)")
    .argument("<axon>", "axon id (axn_…)")
    .argument(
      "[statement]",
      'one statement, e.g. "SELECT * FROM axon_events" (placeholders ? and ?NNN); without it, a prompt with history (or the statements on stdin, each ending with ;)',
    )
    .option(
      "--param <value>",
      "a value for the next placeholder (repeatable): NULL, 42, 1.5, X'00ff', 'quoted text', or plain text",
      collect,
    )
    .action(
      action(
        async (context, axonId: string, statement: string | undefined, options: SqlOptions) => {
          if (statement !== undefined) return sqlCommand(context, axonId, statement, options);
          if ((options.param ?? []).length > 0) {
            throw new UsageError(
              "--param needs a statement argument (the prompt takes statements without parameters)",
            );
          }
          // No statement: a prompt with history on a terminal, else the statements on stdin.
          if (!(await sqlReplCommand(context, axonId))) throw new ExitWith(ExitCode.Failure);
        },
        { axonIdArg: true, service: "SqlService" },
      ),
    );
}
