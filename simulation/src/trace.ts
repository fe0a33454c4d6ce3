import { createHash } from "node:crypto";

/**
 * The readable story of one run: every command, every delivery, sync, crash and agent step, in
 * order, with virtual time. Two runs of the same seed on the same code produce the same lines, so
 * the hash of a run's lines is its fingerprint (invariant 10).
 */
export class Trace {
  readonly lines: string[] = [];
  private readonly hash = createHash("sha256");

  constructor(
    private readonly now: () => number,
    private readonly epochMs: number,
    /** Print lines as they happen (replays with --verbose). */
    private readonly echo?: (line: string) => void,
  ) {}

  add(line: string): void {
    const stamped = `t=${this.now() - this.epochMs} ${line}`;
    this.lines.push(stamped);
    this.hash.update(stamped);
    this.hash.update("\n");
    this.echo?.(stamped);
  }

  digest(): string {
    return this.hash.copy().digest("hex");
  }
}
