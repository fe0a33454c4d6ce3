import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { Driver } from "./driver.js";

// axond through a plain @grpc/grpc-js client loaded from the .proto: no generated code, no SDK.
const PROTO = fileURLToPath(new URL("../../proto/openaxon/v1/axon.proto", import.meta.url));

type Callback = (error: grpc.ServiceError | null, response: Record<string, unknown>) => void;
type GrpcAxonClient = grpc.Client &
  Record<string, (request: object, callback: Callback) => void> & {
    subscribe(request: object): grpc.ClientReadableStream<Record<string, unknown>>;
  };

export function openAxondGrpc(url: string): Driver {
  const definition = protoLoader.loadSync(PROTO, {
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    openaxon: { v1: { AxonService: new (address: string, c: grpc.ChannelCredentials) => GrpcAxonClient } };
  };
  const client = new loaded.openaxon.v1.AxonService(new URL(url).host, grpc.credentials.createInsecure());
  const call = (method: string, request: object) =>
    new Promise<Record<string, unknown>>((resolve, reject) =>
      client[method]!.call(client, request, (error, response) => (error ? reject(error) : resolve(response))),
    );
  const event = (payload: string) => ({
    origin: "ORIGIN_EXTERNAL_EVENT",
    source: "bench",
    eventType: "bench.peer",
    payload,
  });
  return {
    async createLog(name) {
      const { axon } = (await call("createAxon", { name })) as { axon: { id: string } };
      return axon.id;
    },
    async publish(axonId, payload) {
      await call("publish", { axonId, ...event(payload) });
    },
    async publishBatch(axonId, payloads) {
      await call("publishBatch", { axonId, events: payloads.map(event) });
    },
    replay(axonId, expected, onEvent) {
      return new Promise((resolve, reject) => {
        const stream = client.subscribe({ axonId, afterSequence: 0 });
        let seen = 0;
        stream.on(
          "data",
          (frame: { kind?: string; events?: { events: { sequence: number; payload: string }[] } }) => {
            if (frame.kind === "events") {
              for (const e of frame.events!.events) onEvent(e.sequence, e.payload);
              seen += frame.events!.events.length;
            } else if (frame.kind === "caughtUp" && seen >= expected) {
              stream.cancel();
              resolve();
            }
          },
        );
        stream.on("error", (error: grpc.ServiceError) => {
          if (error.code !== grpc.status.CANCELLED) reject(error);
        });
      });
    },
    async close() {
      client.close();
    },
  };
}
