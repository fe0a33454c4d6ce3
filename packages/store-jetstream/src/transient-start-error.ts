/**
 * Whether opening the store failed only because the cluster is not ready yet: a cluster that has
 * just started, or just lost a node, answers JetStream API requests only once it has a meta leader,
 * and until then requests time out, find no responders, or get a 503. Anything else (a bucket with
 * another configuration, bad credentials, a refused connection) is reported at once.
 */
export function isTransientStartError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.name === "TimeoutError" || e.name === "NoResponders") return true;
    if (/\b(temporarily unavailable|no responders)\b/i.test(e.message)) return true;
    if ((e as { code?: unknown }).code === 503 || (e as { status?: unknown }).status === 503) return true;
  }
  return false;
}
