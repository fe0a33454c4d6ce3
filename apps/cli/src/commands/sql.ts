import type { CommandContext } from "../context.js";
import { formatSqlTable, sqlResultJson, sqlSummary } from "../format/sql.js";
import { parseSqlParam } from "../sql-param.js";

export interface SqlOptions {
  readonly param?: string[];
}

/** `axon sql AXON "SELECT …" [--param V …]`: runs one statement and prints its rows. */
export async function sqlCommand(
  context: CommandContext,
  axonId: string,
  statement: string,
  options: SqlOptions,
): Promise<void> {
  const params = (options.param ?? []).map(parseSqlParam);
  const result = await context.client.axon(axonId).sql.query(statement, params);
  if (context.json) {
    await context.out.line(sqlResultJson(result));
    return;
  }
  if (result.columns.length > 0) {
    for (const line of formatSqlTable(result, context.colors)) await context.out.line(line);
  }
  await context.note(context.errColors.dim(sqlSummary(result)));
}
