import fc from "fast-check";
import { expect, test } from "vitest";
import { isJsonText } from "./json-text.js";

// ignoreBOM keeps a leading BOM in the text, where JSON.parse rejects it; the fast readers send a
// BOM-led string to protobuf-es before this check is reached.
const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** What the slow path decides: valid UTF-8 that JSON.parse accepts. */
function parses(bytes: Uint8Array): boolean {
  try {
    JSON.parse(fatal.decode(bytes));
    return true;
  } catch {
    return false;
  }
}

const check = (bytes: Uint8Array): void => {
  expect(isJsonText(bytes, 0, bytes.length), `bytes ${Buffer.from(bytes).toString("hex")}`).toBe(
    parses(bytes),
  );
};
const utf8 = (text: string) => Buffer.from(text, "utf8");

test("agrees with JSON.parse on hand-picked texts", () => {
  const texts = [
    "{}",
    "[]",
    " \t\r\n{ } ",
    '{"a":1,"b":[true,false,null],"c":{"d":"e"}}',
    '"text"',
    "0",
    "-0",
    "-0.5e+10",
    "1E-2",
    "123456789012345678901234567890",
    '"\\u00e9\\n\\"\\\\\\/\\b\\f\\r\\t"',
    '"\\ud800"',
    '"é ∑ 😀 \u2028"',
    "[[[[[]]]]]",
    `${"[".repeat(5000)}${"]".repeat(5000)}`,
    `${'{"a":'.repeat(400)}1${"}".repeat(400)}`,
    // rejected
    "",
    " ",
    "{",
    "}",
    "[1,]",
    '{"a":1,}',
    "[,1]",
    "{,}",
    '{"a" 1}',
    "{a:1}",
    "{'a':1}",
    "01",
    "-",
    "1.",
    ".5",
    "1e",
    "1e+",
    "+1",
    "NaN",
    "Infinity",
    "tru",
    "nul",
    "truex",
    "1 2",
    '"abc',
    '"\\x"',
    '"\\u12G4"',
    '"\\u12"',
    '"a\tb"',
    '"a\nb"',
    "\u00a0{}",
    "\ufeff{}",
    "{}\u2028",
    "[1]]",
    "[[1]",
    '{"a":1}}',
    `${"[".repeat(300)}${"]".repeat(299)}`,
  ];
  for (const text of texts) check(utf8(text));
});

test("agrees with JSON.parse on bytes that are not valid UTF-8", () => {
  const cases = [
    [0x22, 0xc0, 0x80, 0x22], // overlong NUL
    [0x22, 0xc1, 0xbf, 0x22], // overlong
    [0x22, 0xe0, 0x80, 0x80, 0x22], // overlong 3-byte
    [0x22, 0xed, 0xa0, 0x80, 0x22], // surrogate U+D800
    [0x22, 0xf0, 0x80, 0x80, 0x80, 0x22], // overlong 4-byte
    [0x22, 0xf4, 0x90, 0x80, 0x80, 0x22], // beyond U+10FFFF
    [0x22, 0xf5, 0x80, 0x80, 0x80, 0x22],
    [0x22, 0xc3, 0x22], // truncated
    [0x22, 0xe2, 0x82, 0x22],
    [0x22, 0x80, 0x22], // lone continuation
    [0x22, 0xff, 0x22],
    [0x22, 0xc3, 0xa9, 0x22], // é: valid
    [0x22, 0xef, 0xbf, 0xbf, 0x22], // U+FFFF: valid
    [0x22, 0xf4, 0x8f, 0xbf, 0xbf, 0x22], // U+10FFFF: valid
  ];
  for (const bytes of cases) check(Uint8Array.from(bytes));
});

test("reads only the range it is given", () => {
  const bytes = utf8('xx{"a":[1,2]}yy');
  expect(isJsonText(bytes, 2, bytes.length - 2)).toBe(true);
  expect(isJsonText(bytes, 2, bytes.length - 3)).toBe(false);
  expect(isJsonText(bytes, 1, bytes.length - 2)).toBe(false);
});

test("agrees with JSON.parse on generated JSON and on mutations of it", () => {
  const edit = fc.record({
    at: fc.nat(),
    remove: fc.nat({ max: 3 }),
    insert: fc.constantFrom(
      "",
      ",",
      "]",
      "}",
      "[",
      "{",
      '"',
      "\\",
      ":",
      " ",
      "0",
      "-",
      ".",
      "e",
      "\u0001",
      "é",
      "x",
    ),
  });
  fc.assert(
    fc.property(fc.json({ depthSize: "medium" }), fc.array(edit, { maxLength: 3 }), (json, edits) => {
      let text = json;
      for (const { at, remove, insert } of edits) {
        const p = at % (text.length + 1);
        text = text.slice(0, p) + insert + text.slice(p + remove);
      }
      check(utf8(text));
    }),
    { numRuns: 3000 },
  );
});

test("agrees with JSON.parse on arbitrary text and arbitrary bytes", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => check(utf8(text))),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => check(bytes)),
    { numRuns: 2000 },
  );
  // Strings with arbitrary bytes inside, where the UTF-8 rules matter most.
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 12 }), (inner) =>
      check(Uint8Array.from([0x5b, 0x22, ...inner, 0x22, 0x5d])),
    ),
    { numRuns: 3000 },
  );
});
