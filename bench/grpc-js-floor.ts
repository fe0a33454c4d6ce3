import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

// What grpc-js costs by itself on this machine: its client making 32 concurrent unary Publish calls
// to its own server in the same process, the server answering at once (no store, no axond). The
// figure bounds the `grpc-js unary-32` pair from above: if grpc-js against itself cannot reach
// JetStream's unary-32, no server behind a grpc-js client can. Usage:
//   node --import tsx bench/grpc-js-floor.ts [seconds, default 5]

const PROTO = fileURLToPath(new URL("../proto/openaxon/v1/axon.proto", import.meta.url));
const CONCURRENCY = 32;

type Callback = (error: grpc.ServiceError | null, response: unknown) => void;
interface AxonServiceClient extends grpc.Client {
  publish(request: object, callback: Callback): void;
}
interface Loaded {
  openaxon: {
    v1: {
      AxonService: (new (
        address: string,
        c: grpc.ChannelCredentials,
      ) => AxonServiceClient) & {
        service: grpc.ServiceDefinition;
      };
    };
  };
}

const definition = protoLoader.loadSync(PROTO, {
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
});
const { AxonService } = (grpc.loadPackageDefinition(definition) as unknown as Loaded).openaxon.v1;
const server = new grpc.Server();
server.addService(AxonService.service, {
  publish: (_call: unknown, callback: Callback) => callback(null, { firstSequence: 1, lastSequence: 1 }),
});
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);
const client = new AxonService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const request = {
  axonId: "axn_bench",
  origin: "ORIGIN_EXTERNAL_EVENT",
  source: "bench",
  eventType: "bench.peer",
  payload: JSON.stringify({ note: "x".repeat(180) }),
};
const publish = () =>
  new Promise<void>((resolve, reject) =>
    client.publish(request, (error) => (error ? reject(error) : resolve())),
  );

async function run(ms: number): Promise<number> {
  let calls = 0;
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await publish();
        calls++;
      }
    }),
  );
  return calls;
}

const seconds = Number(process.argv[2] ?? 5);
await run(1000); // warm-up
const cpu = process.cpuUsage();
const started = performance.now();
const calls = await run(seconds * 1000);
const elapsed = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
console.log(
  `grpc-js client → grpc-js server, one process, ${CONCURRENCY} concurrent unary calls: ${Math.round(calls / elapsed).toLocaleString("en-US")} calls/s, ${((used.user + used.system) / calls).toFixed(0)} µs CPU per call (both sides)`,
);
client.close();
server.forceShutdown();
