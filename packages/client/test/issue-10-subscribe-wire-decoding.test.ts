import { createConnectTransport as createNodeTransport } from "@connectrpc/connect-node";
import { createConnectTransport as createWebTransport } from "@connectrpc/connect-web";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type AxonClient, type AxonEvent, createAxonClient, type EventInput } from "../src/index.js";
import { type RealServer, startRealServer } from "../src/test-support/index.js";

// Issue 10: the SDK decodes Subscribe frames by hand (`wireDecoding`, on with the default
// transport) because protobuf-es's generic decoding capped a Node replay at ~150k events/s. Whatever
// the decoder, a subscriber must see exactly the same events and the same caught-up marks.

let real: RealServer;
beforeAll(async () => {
  real = await startRealServer();
});
afterAll(async () => {
  await real.close();
});

const events: EventInput[] = [
  { eventType: "user.message", payload: { text: "héllo 👋 — ünïcödé", n: 1 } },
  { origin: "external", source: "github", eventType: "github.pull_request", payload: '{"action":"opened"}' },
  { origin: "agent", source: "claude", eventType: "agent.message_chunk", payload: "null" },
  { eventType: `long.${"x".repeat(200)}`, payload: { big: "y".repeat(70_000) } },
  { source: "s", eventType: "empty.object", payload: "{}" },
];

interface Seen {
  readonly events: object[];
  readonly caughtUp: { headSequence: number; lastSequence: number }[];
}

/** Replays the axon to its head, then receives `live` more events published meanwhile. */
async function follow(
  client: AxonClient,
  axonId: string,
  live: () => Promise<void>,
  total: number,
): Promise<Seen> {
  const abort = new AbortController();
  const seen: Seen = { events: [], caughtUp: [] };
  let published: Promise<void> | undefined;
  for await (const event of client.axon(axonId).subscribe({
    signal: abort.signal,
    onCaughtUp: (info) => {
      seen.caughtUp.push(info);
      published ??= live();
    },
  })) {
    seen.events.push(plain(event));
    if (seen.events.length === total) abort.abort();
  }
  await published;
  return seen;
}

const plain = (event: AxonEvent) => ({ ...event, data: event.data() });

it("delivers the same events and caught-up marks with hand decoding, protobuf-es and a JSON transport", async () => {
  const publisher = createAxonClient({ baseUrl: real.url, source: "test" });
  const { id } = await publisher.axons.create({ name: "wire-decoding" });
  await publisher.axon(id).publishBatch(events);

  const clients: Record<string, AxonClient> = {
    // The default: Connect binary over HTTP/2, frames decoded by hand.
    wire: createAxonClient({ baseUrl: real.url }),
    messages: createAxonClient({ baseUrl: real.url, wireDecoding: false }),
    // A custom transport may speak JSON, so it gets protobuf-es unless told otherwise.
    json: createAxonClient({ transport: createWebTransport({ baseUrl: real.url, useBinaryFormat: false }) }),
    // A custom binary transport may opt in.
    nodeWire: createAxonClient({
      transport: createNodeTransport({ baseUrl: real.url, httpVersion: "2", useBinaryFormat: true }),
      wireDecoding: true,
    }),
  };

  const results: Record<string, Seen> = {};
  for (const [name, client] of Object.entries(clients)) {
    const liveEvent: EventInput = { eventType: "live", payload: { from: name } };
    results[name] = await follow(
      client,
      id,
      async () => {
        await publisher.axon(id).publish(liveEvent);
      },
      events.length + Object.keys(results).length + 1,
    );
  }

  const reference = results.messages!;
  expect(reference.events).toHaveLength(events.length + 2);
  expect(reference.events.map((e) => (e as AxonEvent).sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(reference.caughtUp).toEqual([{ headSequence: 6, lastSequence: 6 }]);
  // Each client saw the log as it stood (one more live event per earlier client), the same way.
  expect(results.wire!.events).toEqual(reference.events.slice(0, 6));
  expect(results.wire!.caughtUp).toEqual([{ headSequence: 5, lastSequence: 5 }]);
  expect(results.json!.events.slice(0, 7)).toEqual(reference.events);
  expect(results.nodeWire!.events.slice(0, 7)).toEqual(reference.events);
  expect(results.nodeWire!.caughtUp).toEqual([{ headSequence: 8, lastSequence: 8 }]);
});
