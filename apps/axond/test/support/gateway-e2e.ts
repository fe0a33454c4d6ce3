import { readdirSync, readFileSync } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  GatewayConfigService,
  NetworkPolicyService,
  RuntimeService,
  SecretService,
} from "@openaxon/protocol";
import { connectAxonClient } from "./axon-client.js";

/** Plain Connect clients for every service a secured runtime needs. */
export function serviceClients(baseUrl: string) {
  const transport = createGrpcTransport({ baseUrl });
  return {
    axons: connectAxonClient(baseUrl),
    runtimes: createClient(RuntimeService, transport) as Client<typeof RuntimeService>,
    secrets: createClient(SecretService, transport) as Client<typeof SecretService>,
    policies: createClient(NetworkPolicyService, transport) as Client<typeof NetworkPolicyService>,
    gateways: createClient(GatewayConfigService, transport) as Client<typeof GatewayConfigService>,
  };
}

export { payloadOf, reply, say } from "./axon-client.js";

/** A fake host on 127.0.0.1 that answers 200 "hello from <name>" and records what reached it. */
export async function startFakeHost(name: string) {
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", headers: req.headers });
    res.end(`hello from ${name}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface MarkedProcess {
  readonly pid: number;
  readonly comm: string;
  readonly environ: string;
  readonly cmdline: string;
}

/**
 * The live processes carrying `OPENAXON_RUNTIME_ID=<runtimeId>` in their environment: the agent
 * and everything it started (inside a sandbox too: bwrap, the bridge shell, socat).
 */
export function processesOf(runtimeId: string): MarkedProcess[] {
  const marker = `OPENAXON_RUNTIME_ID=${runtimeId}`;
  const found: MarkedProcess[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, "latin1");
      if (!environ.split("\0").includes(marker)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state === "Z" || state === "X") continue;
      found.push({
        pid: Number(name),
        comm: readFileSync(`/proc/${name}/comm`, "latin1").trim(),
        environ,
        cmdline: readFileSync(`/proc/${name}/cmdline`, "latin1"),
      });
    } catch {
      // Gone, or not ours.
    }
  }
  return found;
}

/** Every regular file under `dir` (recursively) whose bytes contain `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const info = await lstat(path).catch(() => undefined);
    if (!info) return;
    if (info.isDirectory()) {
      for (const entry of await readdir(path).catch(() => [] as string[])) await walk(join(path, entry));
    } else if (info.isFile()) {
      const bytes = await readFile(path).catch(() => Buffer.alloc(0));
      if (bytes.includes(needle)) hits.push(path);
    }
  };
  await walk(dir);
  return hits;
}

/** How many regular files are under `dir`: proof that a grep over it looked at something. */
export async function countFiles(dir: string): Promise<number> {
  let count = 0;
  const walk = async (path: string): Promise<void> => {
    const info = await lstat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      for (const entry of await readdir(path).catch(() => [] as string[])) await walk(join(path, entry));
    } else if (info?.isFile()) count++;
  };
  await walk(dir);
  return count;
}

/** One GET with a header, over TCP or a Unix socket (the gateway's, from outside a sandbox). */
export function getStatus(
  url: string,
  headers: Record<string, string>,
  socketPath?: string,
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...(socketPath ? { socketPath } : { host: target.hostname, port: Number(target.port) }),
        path: `${target.pathname}${target.search}`,
        headers,
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}
