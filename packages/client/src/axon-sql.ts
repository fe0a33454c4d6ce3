import { type Client, ConnectError } from "@connectrpc/connect";
import { SqlErrorSchema, type SqlService } from "@openaxon/protocol";
import { sqlParamToWire, sqlResultFromWire, sqlStatementToWire } from "./sql-convert.js";
import type { SqlBatchResult, SqlErrorInfo, SqlParam, SqlResult, SqlStatementInput } from "./sql-types.js";
import type { CallOptions } from "./types.js";

/** The axon's SQL database: `axon.sql`. */
export interface AxonSql {
  /**
   * Runs exactly one statement (placeholders `?` and `?NNN`). SQL errors reject with a
   * ConnectError INVALID_ARGUMENT (`sqlErrorOf` gives SQLite's message and code); a statement past
   * the time limit with DEADLINE_EXCEEDED; a full database with RESOURCE_EXHAUSTED.
   */
  query(sql: string, params?: readonly SqlParam[], options?: CallOptions): Promise<SqlResult>;
  /** Runs the statements atomically: if one fails it carries the error and nothing is committed. */
  batch(statements: readonly SqlStatementInput[], options?: CallOptions): Promise<SqlBatchResult>;
}

export function createAxonSql(rpc: Client<typeof SqlService>, axonId: string): AxonSql {
  return {
    async query(sql, params = [], options) {
      const response = await rpc.query({ axonId, sql, params: params.map(sqlParamToWire) }, options);
      return sqlResultFromWire(response);
    },
    async batch(statements, options) {
      const response = await rpc.batch({ axonId, statements: statements.map(sqlStatementToWire) }, options);
      return {
        committed: response.committed,
        results: response.results.map((step) =>
          step.result.case === "success"
            ? { ok: true as const, result: sqlResultFromWire(step.result.value) }
            : {
                ok: false as const,
                error: { message: step.result.value?.message ?? "", code: step.result.value?.code ?? "" },
              },
        ),
      };
    },
  };
}

/** SQLite's message and extended result code of a failed `query`, or undefined for other errors. */
export function sqlErrorOf(error: unknown): SqlErrorInfo | undefined {
  if (!(error instanceof ConnectError)) return undefined;
  const detail = error.findDetails(SqlErrorSchema)[0];
  return detail ? { message: detail.message, code: detail.code } : undefined;
}
