import { jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { Driver } from "./driver.js";

// NATS JetStream, file storage: js.publish awaiting its PubAck; a "batch" is that many async
// publishes awaited together (JetStream has no atomic batch here); replay with an ordered consumer.
export async function openJetStream(address: string): Promise<Driver> {
  const nc = await connect({ servers: address });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const encoder = new TextEncoder();
  return {
    async createLog(name) {
      await jsm.streams.add({ name, subjects: [name], storage: StorageType.File });
      return name;
    },
    async publish(subject, payload) {
      await js.publish(subject, encoder.encode(payload));
    },
    async publishBatch(subject, payloads) {
      await Promise.all(payloads.map((payload) => js.publish(subject, encoder.encode(payload))));
    },
    async replay(stream, expected, onEvent) {
      const consumer = await js.consumers.get(stream);
      const messages = await consumer.consume({ max_messages: 10_000 });
      let seen = 0;
      for await (const m of messages) {
        onEvent(m.seq, m.string());
        if (++seen >= expected) break;
      }
      await messages.close();
    },
    async close() {
      await nc.close();
    },
  };
}
