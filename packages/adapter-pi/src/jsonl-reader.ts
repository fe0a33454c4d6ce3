import { StringDecoder } from "node:string_decoder";

/**
 * Splits a byte stream into records on LF only, as Pi's RPC mode requires: Node's `readline` also
 * splits on U+2028/U+2029, which are legal inside JSON strings (a model may well emit them).
 * A trailing CR is dropped; a final record without LF is delivered at the end.
 */
export class JsonlReader {
  private readonly decoder = new StringDecoder("utf8");
  private buffer = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    this.buffer += typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    for (let newline = this.buffer.indexOf("\n"); newline >= 0; newline = this.buffer.indexOf("\n")) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      this.emit(line);
    }
  }

  end(): void {
    this.buffer += this.decoder.end();
    const rest = this.buffer;
    this.buffer = "";
    if (rest.length > 0) this.emit(rest);
  }

  private emit(line: string): void {
    this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }
}
