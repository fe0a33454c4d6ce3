import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock, systemRng } from "@openaxon/core";
import {
  createAuditLimiter,
  type GatewayAuditEvent,
  GatewayRegistry,
  memoryRecords,
  type RecordsPort,
  type ReferenceCheck,
  SecretBox,
  startCredentialGateway,
  startEgressProxy,
} from "@openaxon/gateway";
import { AuthMechanismType } from "@openaxon/protocol";
import type { RuntimeLogger } from "../runtime-logger.js";
import { RuntimeNetwork } from "../runtime-network.js";
import type { SandboxAvailability } from "../sandbox/index.js";

export const SECRET = "sk-real-secret-value-0123456789";

/** A loopback HTTP server that answers 200 "ok" and records each request's path and headers. */
export async function startUpstream() {
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", headers: req.headers });
    req.resume();
    req.on("end", () => res.end("ok"));
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

/** One HTTP request; `proxy` sends it in absolute form through an egress proxy URL with credentials. */
export function httpCall(
  url: string,
  options: { headers?: Record<string, string>; proxy?: string; socketPath?: string } = {},
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const proxy = options.proxy ? new URL(options.proxy) : undefined;
  const headers: Record<string, string> = { ...options.headers };
  if (proxy) {
    const credential = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers["proxy-authorization"] = `Basic ${Buffer.from(credential).toString("base64")}`;
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...(options.socketPath
          ? { socketPath: options.socketPath }
          : { host: (proxy ?? target).hostname, port: Number((proxy ?? target).port) }),
        path: proxy ? target.href : `${target.pathname}${target.search}`,
        headers: { host: target.host, ...headers },
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

/**
 * A real gateway as axond wires it: registry over `records`, egress proxy and credential gateway on
 * loopback and Unix sockets, one audit limiter collecting events, and a RuntimeNetwork over them.
 */
export async function networkFixture(
  options: {
    sandbox?: SandboxAvailability;
    sandboxRequired?: boolean;
    records?: RecordsPort;
    referencedBy?: ReferenceCheck;
    logger?: RuntimeLogger;
  } = {},
) {
  const runDir = await mkdtemp(join(tmpdir(), "openaxon-net-"));
  const audits: GatewayAuditEvent[] = [];
  const listeners: ((event: GatewayAuditEvent) => void)[] = [];
  const auditLimiter = createAuditLimiter(
    (event) => {
      audits.push(event);
      for (const listener of listeners) listener(event);
    },
    { clock: systemClock, burst: 1000 },
  );
  const registry = await GatewayRegistry.open({
    records: options.records ?? memoryRecords(),
    box: new SecretBox(randomBytes(32), systemRng),
    clock: systemClock,
    rng: systemRng,
    ...(options.referencedBy && { referencedBy: options.referencedBy }),
  });
  const proxy = await startEgressProxy({
    auditLimiter,
    clock: systemClock,
    rng: systemRng,
    unixSocketPath: join(runDir, "proxy.sock"),
  });
  const gateway = await startCredentialGateway({
    auditLimiter,
    clock: systemClock,
    rng: systemRng,
    unixSocketPath: join(runDir, "gateway.sock"),
  });
  proxy.setAgentGatewayListeners(gateway.listeners());
  const network = new RuntimeNetwork({
    registry,
    proxy,
    gateway,
    sandbox: options.sandbox ?? { kind: "none", reason: "sandbox disabled by configuration" },
    sandboxRequired: options.sandboxRequired ?? false,
    hiddenPaths: [runDir],
    auditLimiter,
    ...(options.logger && { logger: options.logger }),
  });
  return {
    registry,
    proxy,
    gateway,
    network,
    audits,
    runDir,
    /** Also hand audit events to `listener` (e.g. RuntimeAuditSink.publish). */
    onAudit(listener: (event: GatewayAuditEvent) => void) {
      listeners.push(listener);
    },
    /** A secret and a HEADER x-api-key gateway config to `endpoint`, named `name`. */
    async binding(name: string, endpoint: string, secret = SECRET) {
      const created = await registry.createSecret({ name: `${name}-key`, value: secret });
      const config = await registry.createGatewayConfig({
        name,
        endpoint,
        authMechanism: { type: AuthMechanismType.HEADER, key: "x-api-key" },
      });
      return { secret: created, config, input: { gateway: config.name, secret: created.name } };
    },
    async close() {
      network.close();
      await proxy.close();
      await gateway.close();
      auditLimiter.close();
      await rm(runDir, { recursive: true, force: true });
    },
  };
}

export type NetworkFixture = Awaited<ReturnType<typeof networkFixture>>;
