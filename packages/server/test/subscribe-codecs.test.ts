import { createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { AxonService, type Event, Origin } from "@openaxon/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { follow } from "./support/follow.js";
import { type Harness, readAll, startHarness } from "./support/harness.js";

// Binary codecs get replay batches pre-encoded by the server; JSON codecs get real messages. Every
// client must see exactly the same events either way.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const codecs: Record<string, (baseUrl: string) => Transport> = {
  "gRPC (binary)": (baseUrl) => createGrpcTransport({ baseUrl }),
  "gRPC (JSON)": (baseUrl) => createGrpcTransport({ baseUrl, useBinaryFormat: false }),
  "gRPC-Web (binary)": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
  "gRPC-Web (JSON)": (baseUrl) =>
    createGrpcWebTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
  "Connect (binary)": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "2" }),
  "Connect (JSON)": (baseUrl) =>
    createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
};

const payloads = [
  { text: "plain" },
  { text: "héllo wörld — 日本語 😀" },
  { text: "" },
  { quote: '"\\\n\t' },
  { big: "x".repeat(300_000) },
  null,
  [1, 2.5, -3e-7, true],
];
const origins = [Origin.USER_EVENT, Origin.EXTERNAL_EVENT, Origin.AGENT_EVENT];

async function replayedEvents(transport: Transport, axonId: string): Promise<Event[]> {
  const f = follow(createClient(AxonService, transport), { axonId });
  await f.waitFor((x) => x.frames.some((frame) => frame.kind.case === "caughtUp"), 20_000);
  await f.cancel();
  return f.events();
}

describe("Subscribe delivers identical events over every codec", () => {
  test("binary and JSON clients receive the same events as ListEvents returns", async () => {
    const axonId = (await h.client.createAxon({})).axon!.id;
    // Two replay pages and several byte-capped frames: 2,500 events, with unicode, empty text,
    // escapes, every client origin and a few 300 KB payloads.
    for (let first = 0; first < 2500; first += 1000) {
      await h.client.publishBatch({
        axonId,
        events: Array.from({ length: Math.min(1000, 2500 - first) }, (_, k) => {
          const n = first + k;
          return {
            origin: origins[n % origins.length]!,
            source: n % 2 === 0 ? "test" : "sourcé-😀",
            eventType: `codec.t${n % 3}`,
            payload: JSON.stringify(n % 500 === 5 ? payloads[4] : payloads[n % 4]),
          };
        }),
      });
    }
    const { events: expected } = await readAll(h.client, axonId);
    expect(expected).toHaveLength(2500);
    for (const [name, transport] of Object.entries(codecs)) {
      const events = await replayedEvents(transport(h.server.url), axonId);
      expect(events.length, name).toBe(2500);
      expect(events, name).toEqual(expected);
    }
  });

  test("live events after caught_up are identical too", async () => {
    const axonId = (await h.client.createAxon({})).axon!.id;
    const followers = Object.entries(codecs).map(
      ([name, transport]) =>
        [name, follow(createClient(AxonService, transport(h.server.url)), { axonId })] as const,
    );
    for (const [, f] of followers) await f.waitFor((x) => x.frames.some((y) => y.kind.case === "caughtUp"));
    await h.client.publishBatch({
      axonId,
      events: payloads.map((p, i) => ({
        origin: origins[i % origins.length]!,
        source: "live",
        eventType: "codec.live",
        payload: JSON.stringify(p),
      })),
    });
    const { events: expected } = await readAll(h.client, axonId);
    for (const [name, f] of followers) {
      await f.waitForEvents(payloads.length);
      expect(f.events(), name).toEqual(expected);
      await f.cancel();
    }
  });
});
