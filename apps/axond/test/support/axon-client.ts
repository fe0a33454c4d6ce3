import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AxonService, type Event } from "@openaxon/protocol";

export type AxonClient = Client<typeof AxonService>;

/** A plain Connect client (gRPC over HTTP/2) for AxonService; the SDK is deliberately not used here. */
export function connectAxonClient(baseUrl: string, apiKey?: string): AxonClient {
  const auth: Interceptor = (next) => (request) => {
    if (apiKey) request.header.set("authorization", `Bearer ${apiKey}`);
    return next(request);
  };
  return createClient(AxonService, createGrpcTransport({ baseUrl, interceptors: [auth] }));
}

/** Every event of an axon, replayed with Subscribe from the start until caught_up. */
export async function readAll(client: AxonClient, axonId: string): Promise<Event[]> {
  const events: Event[] = [];
  const abort = new AbortController();
  try {
    for await (const frame of client.subscribe({ axonId, afterSequence: 0n }, { signal: abort.signal })) {
      if (frame.kind.case === "events") events.push(...frame.kind.value.events);
      if (frame.kind.case === "caughtUp") break;
    }
  } finally {
    abort.abort();
  }
  return events;
}
