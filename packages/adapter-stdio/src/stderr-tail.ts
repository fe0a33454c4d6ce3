/** Keeps the last `limit` characters of a process's stderr, for the error message of a failed turn. */
export class StderrTail {
  private text = "";

  constructor(private readonly limit = 2048) {}

  push(line: string): void {
    this.text = `${this.text}${line}\n`;
    if (this.text.length > this.limit * 2) this.text = this.text.slice(-this.limit);
  }

  toString(): string {
    const tail = this.text.length > this.limit ? `…${this.text.slice(-this.limit)}` : this.text;
    return tail.trimEnd();
  }

  clear(): void {
    this.text = "";
  }
}
