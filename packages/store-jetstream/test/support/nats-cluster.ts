import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

/** Largest commit (one append) the test servers take: the 64 MiB a PublishBatch may carry. */
export const MAX_PAYLOAD = 64 * 1024 * 1024;

export interface NatsNode {
  readonly name: string;
  readonly url: string;
  readonly clientPort: number;
  readonly routePort: number;
  readonly storeDir: string;
  process: ChildProcess | undefined;
}

export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  readonly urls: readonly string[];
  /** kill -9, as a crash would. */
  kill(index: number): Promise<void>;
  /** Starts a killed node again on its own store dir and ports. */
  restart(index: number): Promise<void>;
  /** Kills every node and removes their store dirs. */
  stop(): Promise<void>;
}

const NATS_SERVER = process.env.NATS_SERVER ?? "nats-server";

/**
 * Real nats-server processes on 127.0.0.1 with JetStream, each with its own store dir; with more
 * than one node they form a cluster over routes. Resolves once JetStream answers (a meta leader
 * was elected). Children are killed when the test process exits, whatever happens.
 */
export async function startNatsCluster(size: number): Promise<NatsCluster> {
  // A port found free can be taken by another test's server before nats-server binds it (CI saw
  // "address already in use" once): such a start fails fast and is tried again on fresh ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNatsClusterOnce(size);
    } catch (error) {
      if (!(error instanceof NodeExitedAtStart) || attempt === START_ATTEMPTS) throw error;
    }
  }
}

const START_ATTEMPTS = 3;

class NodeExitedAtStart extends Error {}

async function startNatsClusterOnce(size: number): Promise<NatsCluster> {
  const root = await mkdtemp(join(tmpdir(), "openaxon-nats-"));
  const nodes: NatsNode[] = [];
  const taken = new Set<number>();
  for (let i = 0; i < size; i++) {
    nodes.push({
      name: `n${i + 1}`,
      clientPort: await freePort(taken),
      routePort: await freePort(taken),
      storeDir: join(root, `n${i + 1}`),
      process: undefined,
      get url() {
        return `nats://127.0.0.1:${this.clientPort}`;
      },
    });
  }
  const configPath = (node: NatsNode) => join(root, `${node.name}.conf`);
  for (const node of nodes) {
    const routes = nodes.filter((n) => n !== node).map((n) => `"nats-route://127.0.0.1:${n.routePort}"`);
    const cluster =
      size > 1
        ? `cluster { name: "oa-test", listen: "127.0.0.1:${node.routePort}", routes: [${routes.join(", ")}] }`
        : "";
    await writeFile(
      configPath(node),
      [
        `server_name: "${node.name}"`,
        `listen: "127.0.0.1:${node.clientPort}"`,
        `max_payload: ${MAX_PAYLOAD}`,
        `jetstream { store_dir: "${node.storeDir}", max_memory_store: 67108864, max_file_store: 4294967296 }`,
        cluster,
      ].join("\n"),
    );
  }
  let starting = true;
  let exitedAtStart: (error: NodeExitedAtStart) => void = () => {};
  const nodeExitedAtStart = new Promise<never>((_, reject) => {
    exitedAtStart = reject;
  });
  nodeExitedAtStart.catch(() => {});
  const launch = (node: NatsNode) => {
    const child = spawn(NATS_SERVER, ["-c", configPath(node)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on("exit", (code, signal) => {
      if (node.process === child) node.process = undefined;
      if (code && !signal) process.stderr.write(`nats-server ${node.name} exited ${code}: ${stderr}\n`);
      if (starting)
        exitedAtStart(new NodeExitedAtStart(`nats-server ${node.name} exited at start: ${stderr}`));
    });
    node.process = child;
  };
  const killAll = () => {
    for (const node of nodes) node.process?.kill("SIGKILL");
  };
  process.once("exit", killAll);
  for (const node of nodes) launch(node);
  try {
    const ready = async () => {
      await waitForJetStream(nodes.map((n) => n.url));
      if (size > 1)
        await waitForPlacement(
          nodes.map((n) => n.url),
          size,
        );
    };
    await Promise.race([ready(), nodeExitedAtStart]);
    starting = false;
  } catch (error) {
    starting = false;
    killAll();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const cluster: NatsCluster = {
    nodes,
    urls: nodes.map((n) => n.url),
    async kill(index) {
      const child = nodes[index]!.process;
      if (!child) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
    async restart(index) {
      launch(nodes[index]!);
      await waitForJetStream([nodes[index]!.url]);
    },
    async stop() {
      await Promise.all(nodes.map((_, i) => cluster.kill(i)));
      process.removeListener("exit", killAll);
      await rm(root, { recursive: true, force: true });
    },
  };
  return cluster;
}

async function waitForJetStream(urls: readonly string[], attempts = 300): Promise<void> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const nc = await connect({ servers: [...urls], reconnect: false, timeout: 1000 });
      try {
        const jsm = await jetstreamManager(nc, { timeout: 1000 });
        await jsm.getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (error) {
      lastError = error;
      await sleep(50);
    }
  }
  throw new Error(`JetStream did not come up on ${urls.join(", ")}: ${String(lastError)}`);
}

/**
 * JetStream answers before the meta leader knows every peer; until it does, an R=size stream is
 * refused with "no suitable peers for placement". Waits until one can be made (and removes it).
 */
async function waitForPlacement(urls: readonly string[], size: number, attempts = 300): Promise<void> {
  const nc = await connect({ servers: [...urls], timeout: 2000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        await jsm.streams.add({
          name: "OA_TEST_PLACEMENT",
          subjects: ["oa.test.placement"],
          num_replicas: size,
        });
        await jsm.streams.delete("OA_TEST_PLACEMENT");
        return;
      } catch (error) {
        lastError = error;
        await sleep(100);
      }
    }
    throw new Error(
      `the cluster on ${urls.join(", ")} never placed an R=${size} stream: ${String(lastError)}`,
    );
  } finally {
    await nc.close();
  }
}

/** A port free now and not already given to another node of this cluster. */
async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    if (!taken.has(port)) {
      taken.add(port);
      return port;
    }
  }
}
