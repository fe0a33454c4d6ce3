import { type SqlToken, tokenizeSql } from "./sql-tokens.js";

/** The name of the read-only view of the axon's events, and the schema its rows live in. */
export const EVENTS_VIEW = "axon_events";
export const MIRROR_SCHEMA = "axon_log";
/** The mirror's table: unqualified names reach attached schemas, so user SQL may not name it either. */
export const MIRROR_TABLE = "axon_log_events";

/** SQLite's own cap on `?NNN` (SQLITE_MAX_VARIABLE_NUMBER). */
const MAX_PARAMETER_INDEX = 32_766;

/**
 * PRAGMAs a statement may read. Everything else is refused: the rest change durability, the
 * journal, the schema's integrity, the size cap or per-connection state shared by later calls.
 */
const READABLE_PRAGMAS = new Set([
  "application_id",
  "collation_list",
  "data_version",
  "foreign_key_check",
  "foreign_key_list",
  "freelist_count",
  "function_list",
  "index_info",
  "index_list",
  "index_xinfo",
  "integrity_check",
  "page_count",
  "page_size",
  "quick_check",
  "table_info",
  "table_list",
  "table_xinfo",
  "user_version",
]);
/** PRAGMAs a statement may also set: they are plain numbers stored in the database header. */
const SETTABLE_PRAGMAS = new Set(["application_id", "user_version"]);

const TRANSACTION_CONTROL = new Set(["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"]);
const SCHEMA_CHANGE = new Set(["CREATE", "DROP", "ALTER"]);

export type StatementCheck =
  | {
      readonly ok: true;
      /** The first keyword, upper case (SELECT, INSERT, WITH, …). */
      readonly verb: string;
      /** How many values the statement binds: the highest `?` index. */
      readonly parameterCount: number;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Decides whether `sql` may run as one `query` or one batch step: exactly one statement, only `?`
 * and `?NNN` placeholders, and none of the refused kinds (ATTACH/DETACH, load_extension,
 * VACUUM INTO, PRAGMAs other than the readable list, transaction control, touching the event
 * mirror's schema or changing the axon_events view). SQLite parses the statement afterwards; this
 * only has to be sure of what it lets through.
 */
export function checkStatement(sql: string): StatementCheck {
  const tokenized = tokenizeSql(sql);
  if (!tokenized.ok) return tokenized;
  const statements = splitStatements(tokenized.tokens);
  if (statements.length === 0) return { ok: false, reason: "no SQL statement" };
  if (statements.length > 1) {
    return {
      ok: false,
      reason: `expected exactly one statement, got ${statements.length}; use batch for several`,
    };
  }
  const tokens = statements[0]!;
  const verb = wordAt(tokens, 0) ?? "";
  const refusal = refusalOf(verb, tokens);
  if (refusal) return { ok: false, reason: refusal };
  const parameters = parameterCount(tokens);
  if (typeof parameters === "string") return { ok: false, reason: parameters };
  return { ok: true, verb, parameterCount: parameters };
}

function refusalOf(verb: string, tokens: readonly SqlToken[]): string | undefined {
  if (verb === "ATTACH" || verb === "DETACH")
    return `${verb} is not allowed: each axon has exactly one database`;
  if (TRANSACTION_CONTROL.has(verb)) {
    return `${verb} is not allowed: each query is its own transaction; use batch for an atomic group`;
  }
  if (verb === "VACUUM" && tokens.some((t) => isWord(t, "INTO"))) return "VACUUM INTO is not allowed";
  if (verb === "PRAGMA") return pragmaRefusal(tokens);
  if (tokens.some((t) => isWord(t, "load_extension"))) return "load_extension is not allowed";
  if (tokens.some((t) => isName(t, MIRROR_SCHEMA) || isName(t, MIRROR_TABLE))) {
    return `${MIRROR_SCHEMA} is internal; read the events through the ${EVENTS_VIEW} view`;
  }
  if (SCHEMA_CHANGE.has(verb) && tokens.some((t) => isName(t, EVENTS_VIEW))) {
    return `${EVENTS_VIEW} is read-only and cannot be created, dropped or altered`;
  }
  if (tokens.some((t) => isName(t, "temp") || isName(t, "temporary"))) {
    // The axon_events view is a TEMP object; a temp object of the same name would shadow it.
    if (SCHEMA_CHANGE.has(verb)) return "TEMP schema objects are not allowed";
  }
  return undefined;
}

function pragmaRefusal(tokens: readonly SqlToken[]): string | undefined {
  // PRAGMA [schema.]name [= value | (value)]
  let at = 1;
  if (tokens[at + 1]?.kind === "other" && (tokens[at + 1] as { text: string }).text === ".") {
    const schema = nameAt(tokens, at);
    if (schema?.toLowerCase() !== "main") return "PRAGMA on a schema other than main is not allowed";
    at += 2;
  }
  const name = nameAt(tokens, at)?.toLowerCase();
  if (name === undefined) return "PRAGMA without a name";
  if (!READABLE_PRAGMAS.has(name)) return `PRAGMA ${name} is not allowed`;
  const assigns = tokens[at + 1]?.kind === "other" && (tokens[at + 1] as { text: string }).text === "=";
  if (assigns && !SETTABLE_PRAGMAS.has(name)) return `PRAGMA ${name} may be read but not set`;
  return undefined;
}

/**
 * The statements in the token stream, without empty ones. Semicolons inside a CREATE TRIGGER's
 * BEGIN … END body (where CASE … END nests) do not end the statement.
 */
function splitStatements(tokens: readonly SqlToken[]): SqlToken[][] {
  const statements: SqlToken[][] = [];
  let current: SqlToken[] = [];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === "semicolon" && depth === 0) {
      if (current.length > 0) statements.push(current);
      current = [];
      continue;
    }
    current.push(token);
    if (isTrigger(current)) {
      if (isWord(token, "BEGIN") || (depth > 0 && isWord(token, "CASE"))) depth++;
      else if (depth > 0 && isWord(token, "END")) depth--;
    }
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

function isTrigger(tokens: readonly SqlToken[]): boolean {
  if (!isWord(tokens[0], "CREATE")) return false;
  const second = isWord(tokens[1], "TEMP") || isWord(tokens[1], "TEMPORARY") ? tokens[2] : tokens[1];
  return isWord(second, "TRIGGER");
}

/** The highest parameter index, SQLite's way: `?` takes one more than the highest so far. */
function parameterCount(tokens: readonly SqlToken[]): number | string {
  let highest = 0;
  for (const token of tokens) {
    if (token.kind !== "param") continue;
    if (token.text === "?") {
      highest++;
    } else if (token.text.startsWith("?")) {
      const index = Number(token.text.slice(1));
      if (!Number.isSafeInteger(index) || index < 1 || index > MAX_PARAMETER_INDEX) {
        return `parameter ${token.text} is out of range (?1 to ?${MAX_PARAMETER_INDEX})`;
      }
      highest = Math.max(highest, index);
    } else {
      return `named parameter ${token.text} is not supported; use ? or ?NNN`;
    }
    if (highest > MAX_PARAMETER_INDEX) return `more than ${MAX_PARAMETER_INDEX} parameters`;
  }
  return highest;
}

function wordAt(tokens: readonly SqlToken[], index: number): string | undefined {
  const token = tokens[index];
  return token?.kind === "word" ? token.text.toUpperCase() : undefined;
}

function nameAt(tokens: readonly SqlToken[], index: number): string | undefined {
  const token = tokens[index];
  return token?.kind === "word" || token?.kind === "quoted" ? token.text : undefined;
}

function isWord(token: SqlToken | undefined, word: string): boolean {
  return token?.kind === "word" && token.text.toUpperCase() === word.toUpperCase();
}

/** A bare or quoted identifier (or keyword) equal to `name`, case-insensitively. */
function isName(token: SqlToken | undefined, name: string): boolean {
  return (
    (token?.kind === "word" || token?.kind === "quoted") && token.text.toLowerCase() === name.toLowerCase()
  );
}

const WRITE_WORDS = new Set(["INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT"]);

/**
 * Whether `sql` is a single statement that cannot change the database: a SELECT or VALUES, or a
 * WITH whose words include no INSERT/UPDATE/DELETE/REPLACE (a name spelled like one makes it count
 * as a write: the safe direction). Used to let read-only keys query.
 */
export function isReadOnlyStatement(sql: string): boolean {
  const check = checkStatement(sql);
  if (!check.ok) return false;
  if (check.verb === "SELECT" || check.verb === "VALUES") return true;
  if (check.verb !== "WITH") return false;
  const tokenized = tokenizeSql(sql);
  return (
    tokenized.ok && !tokenized.tokens.some((t) => t.kind === "word" && WRITE_WORDS.has(t.text.toUpperCase()))
  );
}
