import { Code, ConnectError, type ConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import { type SqlStatement as ProtoSqlStatement, SqlErrorSchema, SqlService } from "@openaxon/protocol";
import {
  SqlAxonNotFoundError,
  SqlDatabaseFullError,
  type SqlDatabases,
  SqlInterruptedError,
  type SqlStatement,
  SqlStatementError,
  SqlUnavailableError,
} from "@openaxon/sql";
import { type Logger, pino } from "pino";
import { axonNotFound, toConnectError } from "./errors.js";
import { sqlResultToProto, sqlValueFromProto } from "./sql-to-proto.js";
import { requireAxonId } from "./validate-fields.js";

export interface SqlServiceOptions {
  sql: SqlDatabases;
  /** Default: silent. */
  logger?: Logger;
}

/** SqlService over SqlDatabases: one SQLite database per axon (issue 12). */
export function createSqlService(options: SqlServiceOptions): ServiceImpl<typeof SqlService> {
  const { sql } = options;
  const logger = options.logger ?? pino({ level: "silent" });
  const guarded = async <T>(rpc: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      throw sqlErrorToConnect(error, logger, rpc);
    }
  };
  return {
    query: (request) =>
      guarded("Query", async () => {
        const axonId = requireAxonId(request.axonId);
        const result = await sql.query(axonId, toStatement(request));
        return sqlResultToProto(result);
      }),
    batch: (request) =>
      guarded("Batch", async () => {
        const axonId = requireAxonId(request.axonId);
        const outcome = await sql.batch(axonId, request.statements.map(toStatement));
        return {
          committed: outcome.committed,
          results: outcome.results.map((step) =>
            "ok" in step
              ? { result: { case: "success" as const, value: sqlResultToProto(step.ok) } }
              : { result: { case: "error" as const, value: { ...step.error } } },
          ),
        };
      }),
  };
}

export function sqlRoutes(options: SqlServiceOptions): (router: ConnectRouter) => void {
  const service = createSqlService(options);
  return (router) => {
    router.service(SqlService, service);
  };
}

function toStatement(statement: Pick<ProtoSqlStatement, "sql" | "params">): SqlStatement {
  return { sql: statement.sql, params: statement.params.map(sqlValueFromProto) };
}

/**
 * SQL errors are the caller's (INVALID_ARGUMENT, SQLite's message and code, the code also as an
 * SqlError detail); the size cap is RESOURCE_EXHAUSTED; the time limit DEADLINE_EXCEEDED.
 */
export function sqlErrorToConnect(error: unknown, logger: Logger, rpc: string): ConnectError {
  if (error instanceof SqlStatementError || error instanceof SqlDatabaseFullError) {
    const code = error instanceof SqlDatabaseFullError ? Code.ResourceExhausted : Code.InvalidArgument;
    return new ConnectError(`${error.message} (${error.code})`, code, undefined, [
      { desc: SqlErrorSchema, value: { message: error.message, code: error.code } },
    ]);
  }
  if (error instanceof SqlInterruptedError) return new ConnectError(error.message, Code.DeadlineExceeded);
  if (error instanceof SqlAxonNotFoundError) return axonNotFound(error.axonId);
  if (error instanceof SqlUnavailableError) {
    logger.warn({ err: error, rpc }, "SQL unavailable");
    return new ConnectError(`${error.message}; a write may or may not have been applied`, Code.Unavailable);
  }
  return toConnectError(error, logger, rpc);
}
