/** Where JSON text first stops being valid, in terms a person can act on. */
export interface JsonSyntaxError {
  /** Index (UTF-16 code units) of the offending character. */
  readonly offset: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly reason: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

/**
 * Finds the first syntax error in `text` per RFC 8259, or undefined if it is valid JSON.
 *
 * Why not just JSON.parse's message: V8's wording varies, often has no position, and quotes a
 * snippet of the input. Call this only after JSON.parse failed; it is a scanner, not a parser, and
 * iterative so deeply nested input cannot overflow the stack.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    scan(text);
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < error.offset; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    return { offset: error.offset, line, column: error.offset - lineStart + 1, reason: error.reason };
  }
}

function scan(text: string): void {
  let i = 0;
  const stack: string[] = [];
  const skipWhitespace = () => {
    while (i < text.length) {
      const c = text[i];
      if (c !== " " && c !== "\t" && c !== "\n" && c !== "\r") break;
      i++;
    }
  };
  const describe = (c: string | undefined) => (c === undefined ? "end of input" : JSON.stringify(c));
  const expect = (what: string): never => {
    throw new Stop(i, `expected ${what} but found ${describe(text[i])}`);
  };
  const readString = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) throw new Stop(i, "unterminated string");
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c.charCodeAt(0) < 0x20) throw new Stop(i, "control character in string must be escaped");
      if (c === "\\") {
        const e = text[i + 1];
        if (e === "u") {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) throw new Stop(i, "invalid \\u escape (needs 4 hex digits)");
          i += 6;
          continue;
        }
        if (e === undefined || !ESCAPES.has(e))
          throw new Stop(i, `invalid escape ${describe(`\\${e ?? ""}`)}`);
        i += 2;
        continue;
      }
      i++;
    }
  };
  const readKey = () => {
    skipWhitespace();
    if (text[i] !== '"') expect("a property name in double quotes");
    readString();
    skipWhitespace();
    if (text[i] !== ":") expect("':'");
    i++;
  };

  for (;;) {
    // A value is expected here.
    skipWhitespace();
    const c = text[i];
    if (c === "{" || c === "[") {
      i++;
      skipWhitespace();
      if (text[i] === (c === "{" ? "}" : "]")) {
        i++;
      } else {
        stack.push(c);
        if (c === "{") readKey();
        continue;
      }
    } else if (c === '"') {
      readString();
    } else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) expect("a number");
      i = NUMBER.lastIndex;
    } else if (text.startsWith("true", i)) {
      i += 4;
    } else if (text.startsWith("false", i)) {
      i += 5;
    } else if (text.startsWith("null", i)) {
      i += 4;
    } else {
      expect("a JSON value");
    }
    // After a value: close containers until one needs another element.
    for (;;) {
      skipWhitespace();
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (i < text.length) throw new Stop(i, `unexpected ${describe(text[i])} after the JSON value`);
        return;
      }
      const close = top === "{" ? "}" : "]";
      if (text[i] === close) {
        i++;
        stack.pop();
        continue;
      }
      if (text[i] !== ",") expect(`',' or '${close}'`);
      i++;
      if (top === "{") readKey();
      break;
    }
  }
}
