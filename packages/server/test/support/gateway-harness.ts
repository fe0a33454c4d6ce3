import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { systemClock, systemRng } from "@openaxon/core";
import {
  GatewayRegistry,
  type GatewayRegistryOptions,
  loadOrCreateKey,
  recordsFromStore,
  SecretBox,
} from "@openaxon/gateway";
import { GatewayConfigService, NetworkPolicyService, SecretService } from "@openaxon/protocol";
import { type KvLogStore, openClassicLevelLogStore } from "@openaxon/store";
import { pino } from "pino";
import { type RunningAxonServer, startAxonServer } from "../../src/index.js";

export interface GatewayHarness {
  readonly dataDir: string;
  readonly storeDir: string;
  readonly store: KvLogStore;
  readonly registry: GatewayRegistry;
  readonly server: RunningAxonServer;
  readonly secrets: Client<typeof SecretService>;
  readonly policies: Client<typeof NetworkPolicyService>;
  readonly configs: Client<typeof GatewayConfigService>;
  /** Every log line of the server and the registry, at trace level. */
  readonly logs: string[];
  /** The raw bodies of every `rawCall` response. */
  readonly rawResponses: string[];
  /** One unary call as raw bytes, in Connect JSON or binary proto; the body is kept in rawResponses. */
  rawCall(
    method: string,
    body: unknown,
    encoding?: "json" | "proto",
  ): Promise<{ status: number; text: string }>;
  /** Stops the server and closes the store; the data dir stays until `close`. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface GatewayHarnessOptions {
  /** Reuse a data dir (a restart); default a new temp dir. */
  dataDir?: string;
  /** Environment for loadOrCreateKey; default none (the key file in the data dir). */
  env?: Record<string, string>;
  referencedBy?: GatewayRegistryOptions["referencedBy"];
}

/**
 * A real server on 127.0.0.1:0 over a real classic-level store, with the registry wired the way
 * axond does it: key from loadOrCreateKey, records from the store.
 */
export async function startGatewayHarness(options: GatewayHarnessOptions = {}): Promise<GatewayHarness> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "openaxon-gateway-server-")));
  const storeDir = join(dataDir, "store");
  const logs: string[] = [];
  const logger = pino(
    { level: "trace" },
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  const store = await openClassicLevelLogStore({ path: storeDir });
  let registry: GatewayRegistry;
  try {
    const box = new SecretBox(
      await loadOrCreateKey({ dataDir, env: options.env ?? {}, rng: systemRng }),
      systemRng,
    );
    registry = await GatewayRegistry.open({
      records: recordsFromStore(store),
      box,
      clock: systemClock,
      rng: systemRng,
      logger,
      ...(options.referencedBy && { referencedBy: options.referencedBy }),
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const server = await startAxonServer({
    store,
    host: "127.0.0.1",
    port: 0,
    logger,
    gatewayRegistry: registry,
  });
  const transports: Transport[] = [createGrpcTransport({ baseUrl: server.url })];
  const transport = transports[0]!;
  const rawResponses: string[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close();
    await store.close();
  };
  return {
    dataDir,
    storeDir,
    store,
    registry,
    server,
    secrets: createClient(SecretService, transport),
    policies: createClient(NetworkPolicyService, transport),
    configs: createClient(
      GatewayConfigService,
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
    ),
    logs,
    rawResponses,
    async rawCall(method, body, encoding = "json") {
      const response = await fetch(`${server.url}/openaxon.v1.${method}`, {
        method: "POST",
        headers: { "content-type": encoding === "json" ? "application/json" : "application/proto" },
        body: encoding === "json" ? JSON.stringify(body) : (body as Uint8Array),
      });
      const text = Buffer.from(await response.arrayBuffer()).toString("latin1");
      rawResponses.push(text);
      return { status: response.status, text };
    },
    stop,
    async close() {
      await stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every file under `dir`, concatenated, for grepping what is on disk. */
export async function allFileBytes(dir: string): Promise<Buffer> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return Buffer.concat(await Promise.all(files.map((file) => readFile(file))));
}
