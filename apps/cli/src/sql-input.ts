/**
 * Whether `text` ends a statement: its last significant character is a `;` outside string
 * literals, quoted names and comments. (A CREATE TRIGGER body's inner `;` ends it early: type such
 * a trigger on one line, or pass it as the command's argument.)
 */
export function endsStatement(text: string): boolean {
  let last = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "-" && text[i + 1] === "-") {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end + 1;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end === -1) return false;
      i = end + 2;
    } else if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      let j = i + 1;
      for (;;) {
        const end = text.indexOf(close, j);
        if (end === -1) return false;
        if (close !== "]" && text[end + 1] === close) {
          j = end + 2;
          continue;
        }
        i = end + 1;
        break;
      }
      last = c;
    } else {
      if (!/\s/.test(c)) last = c;
      i++;
    }
  }
  return last === ";";
}
