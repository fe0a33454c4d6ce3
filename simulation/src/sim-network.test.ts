import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { seededRng } from "@openaxon/core";
import { AxonService, Origin } from "@openaxon/protocol";
import { axonRoutes } from "@openaxon/server";
import { KvLogStore, MemoryBackend } from "@openaxon/store";
import { describe, expect, it } from "vitest";
import { settle } from "./settle.js";
import { SimClock } from "./sim-clock.js";
import { SimNetwork } from "./sim-network.js";

const note = { origin: Origin.EXTERNAL_EVENT, source: "t", eventType: "note", payload: "{}" };

async function setup(window = 1) {
  const clock = new SimClock();
  const store = new KvLogStore({ backend: new MemoryBackend(), clock, rng: seededRng(1) });
  const { id: axonId } = await store.createAxon({ name: "n", labels: {} });
  const lines: string[] = [];
  const dropped: number[] = [];
  const net = new SimNetwork(
    { trace: (l) => lines.push(l), onDroppedInFlight: (_client, n) => dropped.push(n) },
    (frame) => String((frame as { kind: { case: string } }).kind.case),
    window,
  );
  net.setServer(createRouterTransport(axonRoutes({ store, clock })));
  const client = createClient(AxonService, net.transportFor("c1"));
  /** Delivers whatever is waiting on the wire, oldest first, until nothing is. */
  const deliverAll = async () => {
    for (let next = net.actions()[0]; next; next = net.actions()[0]) {
      next.run();
      await settle();
    }
  };
  return { store, axonId, net, client, lines, dropped, deliverAll };
}

describe("SimNetwork", () => {
  it("delivers a unary request and its response only when the scheduler says so", async () => {
    const { net, client, axonId, store } = await setup();
    let answered = false;
    void client.publish({ axonId, ...note }).then(() => {
      answered = true;
    });
    await settle();
    expect(net.actions().map((a) => a.label)).toEqual(["deliver request publish#1"]);
    expect((await store.getAxon(axonId))?.headSequence).toBe(0);
    net.actions()[0]!.run();
    await settle();
    expect((await store.getAxon(axonId))?.headSequence).toBe(1);
    expect(answered).toBe(false);
    expect(net.actions().map((a) => a.label)).toEqual(["deliver response publish#1"]);
    net.actions()[0]!.run();
    await settle();
    expect(answered).toBe(true);
  });

  it("a server crash between handling and answering leaves the outcome unknown (UNAVAILABLE, yet applied)", async () => {
    const { net, client, axonId, store } = await setup();
    const outcome = client.publish({ axonId, ...note }).catch((e: unknown) => ConnectError.from(e).code);
    await settle();
    net.actions()[0]!.run();
    await settle();
    net.serverCrashed();
    expect(await outcome).toBe(Code.Unavailable);
    expect((await store.getAxon(axonId))?.headSequence).toBe(1);
  });

  it("keeps a stream FIFO, lets the server run at most `window` frames ahead, and a cut ends it with UNAVAILABLE", async () => {
    const { net, client, axonId, store, dropped } = await setup(2);
    for (let i = 0; i < 3; i++) await store.append(axonId, [{ ...note, origin: 1 }]);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const frame of client.subscribe({ axonId })) {
        seen.push(
          frame.kind.case === "events"
            ? `events ${frame.kind.value.events.map((e) => e.sequence).join(",")}`
            : String(frame.kind.case),
        );
      }
    })().catch((e: unknown) => ConnectError.from(e).code);
    await settle();
    net.actions()[0]!.run(); // open
    await settle();
    expect(net.actions().map((a) => a.label)).toEqual(["frame subscribe#1"]);
    net.actions()[0]!.run();
    await settle();
    expect(seen).toEqual(["events 1,2,3"]);
    await store.append(axonId, [{ ...note, origin: 1 }]);
    await settle();
    // caught_up and the live event are on the wire, undelivered.
    expect(net.cutClient("c1")).toBe(1);
    expect(await reading).toBe(Code.Unavailable);
    expect(seen).toEqual(["events 1,2,3"]);
    expect(dropped).toEqual([2]);
  });
});
