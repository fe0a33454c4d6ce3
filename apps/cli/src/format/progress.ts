/**
 * "replaying 120000/1000000" on stderr while a long replay runs into a pipe or file. Only for a
 * terminal on stderr, and only when stdout is not that terminal too (then the events scrolling by
 * are the progress). Redraws at most every 100 ms.
 */
export class ReplayProgress {
  private lastDrawMs = 0;
  private shown = false;

  constructor(
    private readonly stderr: NodeJS.WritableStream,
    private readonly target: number,
    private readonly now: () => number = Date.now,
  ) {}

  static enabled(
    io: { stdout: { isTTY?: boolean }; stderr: { isTTY?: boolean } },
    remaining: number,
  ): boolean {
    return io.stderr.isTTY === true && io.stdout.isTTY !== true && remaining >= 10_000;
  }

  update(sequence: number): void {
    const now = this.now();
    if (now - this.lastDrawMs < 100) return;
    this.lastDrawMs = now;
    this.shown = true;
    this.stderr.write(`\r\x1b[Kreplaying ${sequence}/${this.target}`);
  }

  clear(): void {
    if (this.shown) this.stderr.write("\r\x1b[K");
    this.shown = false;
  }
}
