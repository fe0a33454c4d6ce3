import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AxonService, type Event, Origin } from "@openaxon/protocol";
import { vi } from "vitest";

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

export const payloadOf = (e: Event) => JSON.parse(e.payload) as Record<string, unknown>;

/** Publishes a user.message; returns its sequence (the turn is `turn_<sequence>`). */
export async function say(axons: AxonClient, axonId: string, content: string): Promise<number> {
  const { sequence } = await axons.publish({
    axonId,
    origin: Origin.USER_EVENT,
    source: "test",
    eventType: "user.message",
    payload: JSON.stringify({ content }),
  });
  return Number(sequence);
}

/** Waits for the turn of a trigger to end; returns how it ended, its reply text and the axon's events. */
export async function reply(axons: AxonClient, axonId: string, trigger: number, timeout = 60_000) {
  const turnId = `turn_${trigger}`;
  const isEnd = (e: Event) =>
    (e.eventType === "turn.completed" || e.eventType === "turn.failed") && payloadOf(e).turn_id === turnId;
  let events: Event[] = [];
  await vi.waitFor(
    async () => {
      events = await readAll(axons, axonId);
      if (!events.some(isEnd)) throw new Error(`${turnId} has not ended`);
    },
    { timeout, interval: 100 },
  );
  const text = events
    .filter((e) => e.eventType === "turn.message_chunk" && payloadOf(e).turn_id === turnId)
    .map((e) => payloadOf(e).text)
    .join("");
  return { end: events.find(isEnd)!, text, events };
}
