/** The last few stderr lines of an agent, quoted in the error when it dies mid-turn or mid-start. */
export class StderrLines {
  readonly #lines: string[] = [];

  constructor(private readonly keep = 5) {}

  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.keep) this.#lines.shift();
  }

  /** `"; last stderr: a | b"`, or "" when the agent wrote nothing to stderr. */
  suffix(): string {
    return this.#lines.length > 0 ? `; last stderr: ${this.#lines.join(" | ")}` : "";
  }
}
