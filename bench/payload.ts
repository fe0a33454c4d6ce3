/** A realistic ~150-byte JSON payload, different for every event. */
export function benchPayload(i: number): string {
  return JSON.stringify({
    kind: "file.edit",
    path: `src/components/widget-${i % 997}.tsx`,
    user: `user-${i % 31}`,
    lines: { added: i % 17, removed: i % 5 },
    note: "benchmark event with a body of typical size",
    n: i,
  });
}
