import { StringDecoder } from "node:string_decoder";

/**
 * Splits a byte stream into lines (UTF-8 safe across chunk boundaries). Each line is reported with
 * whether it ended in a newline, so output can be passed on exactly as the program wrote it.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  constructor(private readonly onLine: (line: string, terminated: boolean) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    const parts = text.split("\n");
    this.partial = parts.pop() ?? "";
    for (const part of parts) this.onLine(part.endsWith("\r") ? part.slice(0, -1) : part, true);
  }

  /** Reports a last line that had no newline. */
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    if (rest !== "") this.onLine(rest, false);
  }
}
