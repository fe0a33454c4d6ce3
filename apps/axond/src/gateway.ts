import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { systemClock, systemRng } from "@openaxon/core";
import {
  type AuditLimiter,
  type CredentialGateway,
  createAuditLimiter,
  type EgressProxy,
  type GatewayAccessEvent,
  GatewayRegistry,
  loadOrCreateKey,
  recordsFromStore,
  SecretBox,
  SecretKeyMismatchError,
  startCredentialGateway,
  startEgressProxy,
} from "@openaxon/gateway";
import {
  chooseSandbox,
  detectSandbox,
  RuntimeAuditSink,
  RuntimeNetwork,
  runtimeReferencesIn,
  type SandboxAvailability,
  type SandboxMode,
} from "@openaxon/runtime";
import type { LogStore, RecordStore } from "@openaxon/store";
import type { Logger } from "pino";
import { StartupError } from "./startup-error.js";

/** The proxy's and gateway's Unix sockets (bridged into sandboxes) live here, mode 0700. */
export const RUN_SUBDIR = "run";

/** Unix socket paths longer than this do not fit in sockaddr_un on every platform. */
const MAX_SOCKET_PATH = 100;

export interface AxondGateway {
  readonly registry: GatewayRegistry;
  readonly proxy: EgressProxy;
  readonly gateway: CredentialGateway;
  readonly network: RuntimeNetwork;
  readonly sandbox: SandboxAvailability;
  /** After the runtimes, before the store: stops the listeners and writes the last audit events. */
  close(): Promise<void>;
}

/**
 * What agents reach and with which credentials: the secret key (OPENAXON_SECRET_KEY or
 * `<data dir>/secret.key`), the registry of secrets, policies and gateway configs over the store
 * (in-use checks read the runtime records there), one audit limiter writing into the runtimes'
 * axons in the store, the egress proxy and credential gateway on 127.0.0.1 and on Unix sockets
 * under `<data dir>/run`, and the sandbox the `--sandbox` mode allows. Throws StartupError for what
 * the operator must fix (a key that does not open the stored secrets, `--sandbox required` without
 * bubblewrap).
 */
export async function startGateway(options: {
  store: LogStore & RecordStore;
  dataDir: string;
  sandboxMode: SandboxMode;
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  /** Every egress decision, counted before the audit rate limit drops any (for metrics). */
  onDecision?: (decision: "allowed" | "denied", via: GatewayAccessEvent["payload"]["via"]) => void;
}): Promise<AxondGateway> {
  const { store, dataDir, logger } = options;
  const log = logger.child({ component: "gateway" });

  const sandbox = await chooseSandboxOrExplain(options.sandboxMode);
  if (sandbox.kind === "bubblewrap") {
    log.info(
      { sandbox: "bubblewrap", version: sandbox.version, mode: options.sandboxMode },
      "agents run sandboxed",
    );
  } else if (options.sandboxMode === "off") {
    log.warn(
      { mode: "off" },
      "sandbox turned off: agents can reach the network directly, policies are advisory",
    );
  } else {
    log.warn(
      { mode: options.sandboxMode, reason: sandbox.reason },
      "no sandbox available: agents run unsandboxed, network policies are advisory",
    );
  }

  let key: Awaited<ReturnType<typeof loadOrCreateKey>>;
  try {
    key = await loadOrCreateKey({ dataDir, env: options.env, rng: systemRng });
  } catch (error) {
    throw new StartupError(`cannot load the secret key: ${(error as Error).message}`);
  }
  // Where the key came from, never the key.
  log.info({ source: key.source, ...(key.path && { path: key.path }) }, "secret key loaded");

  let registry: GatewayRegistry;
  try {
    registry = await GatewayRegistry.open({
      records: recordsFromStore(store),
      box: new SecretBox(key, systemRng),
      clock: systemClock,
      rng: systemRng,
      logger: log,
      referencedBy: runtimeReferencesIn(store),
    });
  } catch (error) {
    if (error instanceof SecretKeyMismatchError) throw new StartupError(error.message);
    throw error;
  }

  const runDir = join(dataDir, RUN_SUBDIR);
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  await chmod(runDir, 0o700);
  const proxySocket = join(runDir, "proxy.sock");
  const gatewaySocket = join(runDir, "gateway.sock");
  if (gatewaySocket.length > MAX_SOCKET_PATH) {
    throw new StartupError(
      `the data dir path is too long for the gateway's Unix sockets (${gatewaySocket}); use a shorter --data-dir`,
    );
  }

  const audits = new RuntimeAuditSink(store, logger.child({ component: "runtime" }));
  const limiter = createAuditLimiter((event) => audits.publish(event), { clock: systemClock });
  const onDecision = options.onDecision;
  const auditLimiter: AuditLimiter = onDecision
    ? {
        record(event) {
          // Typed against the vocabulary's literal: a renamed event type fails to compile here.
          onDecision(event.eventType === "gateway.allowed" ? "allowed" : "denied", event.payload.via);
          limiter.record(event);
        },
        flush: () => limiter.flush(),
        forget: (runtimeId) => limiter.forget(runtimeId),
        close: () => limiter.close(),
      }
    : limiter;
  const proxy = await startEgressProxy({
    auditLimiter,
    clock: systemClock,
    rng: systemRng,
    logger: log,
    unixSocketPath: proxySocket,
  });
  let gateway: CredentialGateway;
  try {
    gateway = await startCredentialGateway({
      auditLimiter,
      clock: systemClock,
      rng: systemRng,
      logger: log,
      unixSocketPath: gatewaySocket,
    });
  } catch (error) {
    await proxy.close();
    throw error;
  }
  proxy.setAgentGatewayListeners(gateway.listeners());
  log.info(
    { proxy: `127.0.0.1:${proxy.port}`, gateway: `127.0.0.1:${gateway.port}`, sockets: runDir },
    "egress proxy and credential gateway listening",
  );

  const network = new RuntimeNetwork({
    registry,
    proxy,
    gateway,
    sandbox,
    sandboxRequired: options.sandboxMode === "required",
    hiddenPaths: [dataDir],
    auditLimiter,
    logger: logger.child({ component: "runtime" }),
  });

  return {
    registry,
    proxy,
    gateway,
    network,
    sandbox,
    async close() {
      network.close();
      await Promise.all([proxy.close(), gateway.close()]);
      // Pending "suppressed" summaries go out now, while the store is still open.
      auditLimiter.close();
      await audits.published();
    },
  };
}

async function chooseSandboxOrExplain(mode: SandboxMode): Promise<SandboxAvailability> {
  const available = mode === "off" ? { kind: "none" as const, reason: "" } : await detectSandbox();
  try {
    return chooseSandbox(mode, available);
  } catch (error) {
    throw new StartupError(
      `${(error as Error).message}. Install bubblewrap and socat, or start with --sandbox auto (or off)`,
    );
  }
}
