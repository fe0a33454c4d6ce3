import { appendFile, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ConnectError } from "@openaxon/client";
import type { CommandContext } from "../context.js";
import { formatSqlTable, sqlResultJson, sqlSummary } from "../format/sql.js";
import { endsStatement } from "../sql-input.js";

const HISTORY_SIZE = 1000;

/** Where the prompt keeps its history: $OPENAXON_SQL_HISTORY, else ~/.axon_sql_history (0600). */
export function sqlHistoryPath(env: NodeJS.ProcessEnv): string {
  return env.OPENAXON_SQL_HISTORY || join(homedir(), ".axon_sql_history");
}

/**
 * `axon sql AXON` without a statement: on a terminal, a prompt with history (statements end with
 * `;`, `.quit` leaves); otherwise the statements read from stdin, one after another. A failing
 * statement is reported and the next one runs; the exit code says whether any failed.
 */
export async function sqlReplCommand(context: CommandContext, axonId: string): Promise<boolean> {
  const interactive = context.io.stdin.isTTY === true;
  const historyPath = sqlHistoryPath(context.io.env);
  const history = interactive ? await loadHistory(historyPath) : [];
  const rl = createInterface({
    input: context.io.stdin,
    output: interactive ? context.io.stderr : undefined,
    terminal: interactive,
    history,
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
  });
  const sql = context.client.axon(axonId).sql;
  if (interactive)
    await context.note(context.errColors.dim(`SQL on ${axonId}; end statements with ; and leave with .quit`));
  let buffer = "";
  let failed = false;
  const prompt = () => {
    rl.setPrompt(buffer === "" ? "sql> " : "...> ");
    rl.prompt();
  };
  if (interactive) prompt();
  for await (const line of rl) {
    if (buffer === "" && [".quit", ".exit"].includes(line.trim())) break;
    buffer = buffer === "" ? line : `${buffer}\n${line}`;
    if (buffer.trim() === "") {
      buffer = "";
    } else if (endsStatement(buffer)) {
      const statement = buffer;
      buffer = "";
      if (interactive) await appendFile(historyPath, `${statement.replaceAll("\n", " ")}\n`, { mode: 0o600 });
      failed = !(await runOne(context, sql, statement)) || failed;
    }
    if (interactive) prompt();
  }
  rl.close();
  if (buffer.trim() !== "") failed = !(await runOne(context, sql, buffer)) || failed;
  return !failed;
}

async function runOne(
  context: CommandContext,
  sql: ReturnType<CommandContext["client"]["axon"]>["sql"],
  statement: string,
): Promise<boolean> {
  try {
    const result = await sql.query(statement);
    if (context.json) {
      await context.out.line(sqlResultJson(result));
    } else {
      if (result.columns.length > 0) {
        for (const line of formatSqlTable(result, context.colors)) await context.out.line(line);
      }
      await context.note(context.errColors.dim(sqlSummary(result)));
    }
    return true;
  } catch (error) {
    const message = error instanceof ConnectError ? error.rawMessage : String(error);
    await context.note(`${context.errColors.red("error:")} ${message}`);
    return false;
  }
}

async function loadHistory(path: string): Promise<string[]> {
  const text = await readFile(path, "utf8").catch(() => "");
  // readline wants the newest first.
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-HISTORY_SIZE)
    .reverse();
}
