/**
 * Key layout. One ordered keyspace, prefixes keep kinds apart; sequences are fixed-width hex so
 * key order is sequence order.
 *   a!<axonId>                 axon metadata (JSON)
 *   e!<axonId>!<seq:16 hex>    a chunk: one append's events, keyed by its first sequence (event-codec)
 *   h!<axonId>                 the axon's high-water mark: its last acknowledged sequence (JSON),
 *                              written in the same batch as the events, so a lost chunk shows
 *   i!<axonId>!<key>           idempotency record (JSON)
 *   s!<axonId>                 stored bytes of every event ever appended to the axon (JSON), written
 *                              with each append: the size cap and max_bytes start from it
 *   t!<axonId>                 the trim line: { firstSequence, trimmedBytes } (JSON), moved by retention
 *   m!commits                  count of durable batches, kept by ClassicLevelBackend (JSON) and
 *                              mirrored in the commit witness file (commit-witness.ts)
 *   m!probe                    written by recovery after a failed write to prove writes work again
 *   r!<kind>!<id>              small records of other subsystems (JSON)
 */
export const keys = {
  axon: (axonId: string) => `a!${axonId}`,
  axonRange: { gt: "a!", lt: "a~" },
  event: (axonId: string, sequence: number) => `e!${axonId}!${sequence.toString(16).padStart(16, "0")}`,
  /** Upper bound (exclusive) of an axon's event keys. */
  eventsEnd: (axonId: string) => `e!${axonId}!~`,
  head: (axonId: string) => `h!${axonId}`,
  appendedBytes: (axonId: string) => `s!${axonId}`,
  trimLine: (axonId: string) => `t!${axonId}`,
  idempotencyRange: (axonId: string) => ({ gt: `i!${axonId}!`, lt: `i!${axonId}!\uffff` }),
  commitCount: "m!commits",
  probe: "m!probe",
  idempotency: (axonId: string, key: string) => `i!${axonId}!${key}`,
  record: (kind: string, id: string) => `r!${kind}!${id}`,
  recordRange: (kind: string) => ({ gt: `r!${kind}!`, lt: `r!${kind}!\uffff` }),
};
