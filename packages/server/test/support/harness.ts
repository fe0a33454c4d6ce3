import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { AxonService, Origin } from "@openaxon/protocol";
import {
  type KvLogStore,
  type LogStore,
  openClassicLevelLogStore,
  type StoreObserver,
} from "@openaxon/store";
import { type RunningAxonServer, type StartAxonServerOptions, startAxonServer } from "../../src/index.js";

export type AxonClient = Client<typeof AxonService>;
export type TransportKind = "grpc-h2" | "connect-h1" | "connect-h2" | "grpc-web-h1";

export interface Harness {
  readonly store: KvLogStore;
  readonly server: RunningAxonServer;
  /** gRPC over HTTP/2 cleartext: the default client in tests. */
  readonly client: AxonClient;
  clientFor(kind: TransportKind, apiKey?: string): AxonClient;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1:0 over a real classic-level store in a temp dir. */
export async function startHarness(
  options: Partial<Omit<StartAxonServerOptions, "store">> & {
    /** Lets a test observe the server's use of the store. */
    wrapStore?: (store: LogStore) => LogStore;
    /** PEM CA the clients trust (for a server started with `tls`). */
    ca?: string;
    /** Told about the store's writes (as axond wires storeWriteObserver). */
    storeObserver?: StoreObserver;
  } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "openaxon-server-"));
  const { wrapStore, ca, storeObserver, ...serverOptions } = options;
  const store = await openClassicLevelLogStore({
    path: dir,
    ...(storeObserver && { observer: storeObserver }),
  });
  const server = await startAxonServer({
    store: wrapStore ? wrapStore(store) : store,
    host: "127.0.0.1",
    port: 0,
    ...serverOptions,
  });
  const transports: Transport[] = [];
  const clientFor = (kind: TransportKind, apiKey?: string): AxonClient => {
    const interceptors: Interceptor[] = apiKey
      ? [
          (next) => (request) => {
            request.header.set("authorization", `Bearer ${apiKey}`);
            return next(request);
          },
        ]
      : [];
    const baseUrl = server.url;
    const nodeOptions = ca === undefined ? {} : { nodeOptions: { ca } };
    const transport =
      kind === "grpc-h2"
        ? createGrpcTransport({ baseUrl, interceptors, ...nodeOptions })
        : kind === "connect-h1"
          ? createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors, ...nodeOptions })
          : kind === "connect-h2"
            ? createConnectTransport({ baseUrl, httpVersion: "2", interceptors, ...nodeOptions })
            : createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors, ...nodeOptions });
    transports.push(transport);
    return createClient(AxonService, transport);
  };
  const firstKey = options.apiKeys?.[0];
  const client = clientFor("grpc-h2", typeof firstKey === "string" ? firstKey : firstKey?.key);
  let closed = false;
  return {
    store,
    server,
    client,
    clientFor,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const userEvent = (payload: unknown, eventType = "user.message") => ({
  origin: Origin.USER_EVENT,
  source: "test",
  eventType,
  payload: JSON.stringify(payload),
});

/** Everything in the axon, oldest first, read through the public API. */
export async function readAll(client: AxonClient, axonId: string) {
  const events = [];
  let after = 0n;
  for (;;) {
    const page = await client.listEvents({ axonId, afterSequence: after, limit: 1000 });
    events.push(...page.events);
    if (!page.hasMore) return { events, head: page.headSequence };
    after = page.events[page.events.length - 1]!.sequence;
  }
}
