// Publish→deliver latencies: millions of samples, so counts in fixed 0.1 ms buckets (to 60 s, the
// last bucket open-ended) rather than an array of every sample. Buckets merge by adding.

const BUCKET_MS = 0.1;
const BUCKETS = 600_000;

export class LatencyHistogram {
  readonly counts: Uint32Array;
  max = 0;
  total = 0;

  constructor(counts?: Uint32Array) {
    this.counts = counts ?? new Uint32Array(BUCKETS);
  }

  record(ms: number): void {
    const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.floor(ms / BUCKET_MS)));
    this.counts[bucket]!++;
    this.total++;
    if (ms > this.max) this.max = ms;
  }

  add(other: { counts: Uint32Array; max: number; total: number }): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    this.max = Math.max(this.max, other.max);
  }

  /** Upper edge of the bucket holding quantile q, in ms; undefined when empty. */
  quantile(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, (i + 1) * BUCKET_MS);
    }
    return this.max;
  }
}
