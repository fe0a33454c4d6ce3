/** One lexical token of SQLite SQL; comments and whitespace are dropped. */
export type SqlToken =
  | { readonly kind: "word"; readonly text: string }
  | { readonly kind: "quoted"; readonly text: string }
  | { readonly kind: "string" }
  | { readonly kind: "param"; readonly text: string }
  | { readonly kind: "semicolon" }
  | { readonly kind: "other"; readonly text: string };

export type TokenizeResult =
  | { readonly ok: true; readonly tokens: readonly SqlToken[] }
  | { readonly ok: false; readonly reason: string };

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const CLOSING: Readonly<Record<string, string>> = { '"': '"', "`": "`", "[": "]" };

/**
 * Splits SQL into tokens the way SQLite's tokenizer does for the parts the checks need: words
 * (keywords and bare identifiers), quoted identifiers (unquoted text), string literals, parameters
 * and semicolons. Unterminated strings and comments are reported, not guessed at.
 */
export function tokenizeSql(sql: string): TokenizeResult {
  const tokens: SqlToken[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      // SQLite accepts a comment left open at the end of the text.
      i = end === -1 ? sql.length : end + 2;
    } else if (c === "'") {
      const end = closingQuote(sql, i, "'");
      if (end === -1) return { ok: false, reason: "unterminated string literal" };
      tokens.push({ kind: "string" });
      i = end + 1;
    } else if (c in CLOSING) {
      const close = CLOSING[c]!;
      const end = close === "]" ? sql.indexOf("]", i + 1) : closingQuote(sql, i, close);
      if (end === -1) return { ok: false, reason: "unterminated quoted identifier" };
      const inner = sql.slice(i + 1, end);
      tokens.push({ kind: "quoted", text: close === "]" ? inner : inner.replaceAll(close + close, close) });
      i = end + 1;
    } else if (c === "?" || c === ":" || c === "@" || c === "$") {
      let j = i + 1;
      const part = c === "?" ? /[0-9]/ : WORD_PART;
      while (j < sql.length && part.test(sql[j]!)) j++;
      if (c !== "?" && j === i + 1) {
        // A lone ':' etc. is an operator-like character SQLite will reject itself.
        tokens.push({ kind: "other", text: c });
        i++;
      } else {
        tokens.push({ kind: "param", text: sql.slice(i, j) });
        i = j;
      }
    } else if (c === ";") {
      tokens.push({ kind: "semicolon" });
      i++;
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < sql.length && WORD_PART.test(sql[j]!)) j++;
      tokens.push({ kind: "word", text: sql.slice(i, j) });
      i = j;
    } else {
      tokens.push({ kind: "other", text: c });
      i++;
    }
  }
  return { ok: true, tokens };
}

/** Index of the quote closing the one at `start`; a doubled quote is an escaped one. */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  for (;;) {
    const end = sql.indexOf(quote, i);
    if (end === -1) return -1;
    if (sql[end + 1] === quote) {
      i = end + 2;
      continue;
    }
    return end;
  }
}
