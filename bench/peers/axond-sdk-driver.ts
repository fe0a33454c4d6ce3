import { createAxonClient } from "@openaxon/client";
import type { Driver } from "./driver.js";

// axond through the SDK as an application uses it: default transport, publish() per event.
export function openAxondSdk(url: string): Driver {
  const client = createAxonClient({ baseUrl: url, source: "bench" });
  return {
    async createLog(name) {
      return (await client.axons.create({ name })).id;
    },
    async publish(axonId, payload) {
      await client.axon(axonId).publish({ eventType: "bench.peer", payload, origin: "external" });
    },
    async publishBatch(axonId, payloads) {
      await client
        .axon(axonId)
        .publishBatch(payloads.map((payload) => ({ eventType: "bench.peer", payload, origin: "external" })));
    },
    async replay(axonId, expected, onEvent) {
      const abort = new AbortController();
      let seen = 0;
      for await (const e of client.axon(axonId).subscribe({ signal: abort.signal })) {
        onEvent(e.sequence, e.payload);
        if (++seen >= expected) break;
      }
      abort.abort();
    },
    async close() {},
  };
}
