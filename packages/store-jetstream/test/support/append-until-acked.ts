import { type AppendResult, type LogStore, StoreFailedError } from "@openaxon/store";

/**
 * Appends like a client that retries an unanswered append with the same idempotency key, for up to
 * ~30 s: a leader election on a starved CI machine can take several seconds.
 */
export async function appendUntilAcked(
  store: LogStore,
  axonId: string,
  events: Parameters<LogStore["append"]>[1],
  key: string,
): Promise<AppendResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.append(axonId, events, { idempotencyKey: key });
    } catch (error) {
      if (!(error instanceof StoreFailedError) || attempt > 1200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
