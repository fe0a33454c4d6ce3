import type { Colors } from "../format/colors.js";
import type { CliIo } from "../io.js";

/**
 * Live output of a chat: the reply goes to stdout as it streams (so `axon chat … > reply.txt`
 * keeps only the reply), everything else — thoughts, tool calls, notices — to stderr. When both
 * streams are one terminal, a line on one never starts in the middle of a line on the other.
 */
export class ChatOutput {
  private midLine: "out" | "err" | undefined;
  readonly colors: Colors;

  constructor(
    private readonly io: CliIo,
    colors: Colors,
  ) {
    this.colors = colors;
  }

  /** Reply text, exactly as the agent sent it. */
  reply(text: string): void {
    if (text === "") return;
    if (this.midLine === "err") this.io.stderr.write("\n");
    this.io.stdout.write(text);
    this.midLine = text.endsWith("\n") ? undefined : "out";
  }

  /** Streamed side text (thoughts), on stderr. */
  aside(text: string): void {
    if (text === "") return;
    this.breakReplyLine();
    this.io.stderr.write(text);
    this.midLine = text.endsWith("\n") ? undefined : "err";
  }

  /** One whole line on stderr. */
  line(text: string): void {
    this.breakReplyLine();
    if (this.midLine === "err") this.io.stderr.write("\n");
    this.io.stderr.write(`${text}\n`);
    this.midLine = undefined;
  }

  /** Ends an unfinished line, so the reply (and the shell prompt after it) ends with a newline. */
  end(): void {
    if (this.midLine === "out") this.io.stdout.write("\n");
    if (this.midLine === "err") this.io.stderr.write("\n");
    this.midLine = undefined;
  }

  private breakReplyLine(): void {
    // Only on one shared terminal: in a pipe the reply must stay exactly as the agent wrote it.
    if (this.midLine === "out" && this.io.stdout.isTTY && this.io.stderr.isTTY) {
      this.io.stdout.write("\n");
      this.midLine = undefined;
    }
  }
}
