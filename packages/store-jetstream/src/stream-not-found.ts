import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { StoreFailedError } from "@openaxon/store";

/** The cluster answered that the stream (so the axon) does not exist; also seen through StoreFailedError. */
export function isStreamNotFound(error: unknown): boolean {
  const cause = error instanceof StoreFailedError ? error.cause : error;
  return cause instanceof JetStreamApiError && cause.code === JetStreamApiCodes.StreamNotFound;
}
