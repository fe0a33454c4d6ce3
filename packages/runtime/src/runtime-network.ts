import type { AgentLaunch, AgentProtocolName, LaunchCommand } from "@openaxon/broker";
import {
  type AuditLimiter,
  agentNetworkEnv,
  type CredentialGateway,
  type EgressProxy,
  type GatewayRegistry,
  type IssuedBinding,
  type NetworkPolicyRecord,
} from "@openaxon/gateway";
import { RuntimePreconditionError } from "./errors.js";
import { type RuntimeLogger, silentLogger } from "./runtime-logger.js";
import type {
  CreateRuntimeInput,
  GatewayBindingRef,
  RuntimeRecord,
  SandboxKind,
  SandboxPolicy,
} from "./runtime-record.js";
import {
  buildSandboxCommand,
  SANDBOX_GATEWAY_PORT,
  SANDBOX_PROXY_PORT,
  type SandboxAvailability,
  type SandboxBridge,
} from "./sandbox/index.js";
import { softwareUnderTmp } from "./software-under-tmp.js";

export interface RuntimeNetworkOptions {
  /** Secrets, policies and gateway configs; CreateRuntime references resolve here. */
  readonly registry: GatewayRegistry;
  /** Must listen on a Unix socket too when agents are sandboxed (the sandbox's only way out). */
  readonly proxy: EgressProxy;
  /** Likewise. */
  readonly gateway: CredentialGateway;
  /** What `chooseSandbox(mode, await detectSandbox())` returned for the server's mode. */
  readonly sandbox: SandboxAvailability;
  /** The server's mode is `required`: no runtime may opt out with sandbox_policy OFF. */
  readonly sandboxRequired?: boolean;
  /** Host paths a sandboxed agent must not see: at least the server's data dir (key, stores). */
  readonly hiddenPaths: readonly string[];
  /** The limiter shared by proxy and gateway: a runtime's pending suppression summary is flushed when it stops. */
  readonly auditLimiter?: AuditLimiter;
  readonly logger?: RuntimeLogger;
}

/** What a runtime stores about its network: resolved ids only. */
export interface ResolvedRuntimeNetwork {
  readonly networkPolicyId?: string;
  readonly gateways: Readonly<Record<string, GatewayBindingRef>>;
}

/** A running runtime's network: its env, how to launch its agents, and how to let go of it. */
export interface AttachedNetwork {
  readonly sandbox: SandboxKind;
  /** HTTP(S)_PROXY & co., NO_PROXY, `$PREFIX_URL` and `$PREFIX` per binding (agentNetworkEnv). */
  readonly env: Readonly<Record<string, string>>;
  /** `PREFIX` and `PREFIX_URL` of every binding, for `${…}` references in the runtime's env. */
  readonly bindingVariables: Readonly<Record<string, string>>;
  /**
   * The launch of one mount's agent: inside bubblewrap when sandboxed (the workdir and `home`
   * writable, the data dir hidden, only loopback with bridges to the proxy and gateway), as given
   * otherwise. `resolvedBinary` is the agent executable as found on its PATH.
   */
  launch(mount: MountLaunch): AgentLaunch;
  /** Revokes the runtime's proxy credential and gateway tokens. Later calls are no-ops. */
  release(): void;
}

export interface MountLaunch {
  readonly protocol: AgentProtocolName;
  readonly agentBinary: string;
  readonly resolvedBinary: string;
  readonly launchArgs: readonly string[];
  readonly cwd: string;
  /** Bound writable in the sandbox (the agent's HOME); undefined or inside the workdir: nothing extra. */
  readonly home?: string;
}

/**
 * Connects runtimes to the gateway: resolves what CreateRuntime names, decides the sandbox, and on
 * every start registers the runtime with the egress proxy (its policy) and the credential gateway
 * (its bindings, fresh tokens), builds the agents' network env and sandboxed launch; on stop it
 * revokes all of it, so a suspended or shut down runtime's credentials and tokens stop working.
 * Policy updates reach the proxy for every runtime attached under that policy.
 */
export class RuntimeNetwork {
  readonly #options: RuntimeNetworkOptions;
  readonly #log: RuntimeLogger;
  /** Live runtimes: the policy they run under and the handle that may release them. */
  readonly #attached = new Map<string, { policyId?: string; handle: object }>();
  readonly #unsubscribe: () => void;

  constructor(options: RuntimeNetworkOptions) {
    if (
      options.sandbox.kind === "bubblewrap" &&
      (!options.proxy.unixSocketPath || !options.gateway.unixSocketPath)
    ) {
      throw new Error("sandboxed agents need the egress proxy and the credential gateway on Unix sockets");
    }
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
    this.#unsubscribe = options.registry.onNetworkPolicyUpdated((policy) => this.#policyUpdated(policy));
  }

  /** Runs `task` while the registry changes nothing (resolve + persist a runtime atomically). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.#options.registry.exclusive(task);
  }

  /**
   * Resolves CreateRuntime's policy and bindings to ids. Throws the registry's errors:
   * RegistryValidationError (bad prefixes, bindings under a policy without the agent gateway),
   * RegistryNotFoundError (every unknown policy, config and secret in one message).
   */
  async resolve(
    input: Pick<CreateRuntimeInput, "networkPolicy" | "gateways">,
  ): Promise<ResolvedRuntimeNetwork> {
    const resolved = await this.#options.registry.resolveRuntimeNetwork({
      ...(input.networkPolicy !== undefined &&
        input.networkPolicy !== "" && { networkPolicy: input.networkPolicy }),
      ...(input.gateways && { gateways: input.gateways }),
    });
    const gateways: Record<string, GatewayBindingRef> = {};
    for (const binding of resolved.bindings) {
      gateways[binding.prefix] = { gatewayId: binding.gateway.id, secretId: binding.secret.id };
    }
    return { ...(resolved.networkPolicy && { networkPolicyId: resolved.networkPolicy.id }), gateways };
  }

  /**
   * What a runtime with this policy runs in here. Throws RuntimePreconditionError when the policy
   * cannot be met: REQUIRED without a sandbox, OFF on a server that requires one.
   */
  sandboxFor(policy: SandboxPolicy): { readonly kind: SandboxKind; readonly reason: string } {
    const available = this.#options.sandbox;
    if (policy === "off") {
      if (this.#options.sandboxRequired) {
        throw new RuntimePreconditionError(
          "this server runs every agent in a sandbox (axond --sandbox required); sandbox_policy OFF is not allowed",
        );
      }
      return { kind: "none", reason: "sandbox_policy is OFF" };
    }
    if (available.kind === "bubblewrap") return { kind: "bubblewrap", reason: "" };
    if (policy === "required") {
      throw new RuntimePreconditionError(
        `sandbox_policy is REQUIRED but this server has no sandbox: ${available.reason}`,
      );
    }
    return { kind: "none", reason: available.reason };
  }

  /** Runtime ids (not shut down) that still use a policy, config or secret, for the registry's in-use checks. */
  static references(
    records: readonly RuntimeRecord[],
    kind: "secret" | "network_policy" | "gateway_config",
    id: string,
  ): string[] {
    return records
      .filter((record) => record.status !== "shutdown")
      .filter((record) => {
        if (kind === "network_policy") return record.networkPolicyId === id;
        const refs = Object.values(record.gateways ?? {});
        return refs.some((ref) => (kind === "secret" ? ref.secretId === id : ref.gatewayId === id));
      })
      .map((record) => record.id);
  }

  /**
   * Brings a runtime's network up for a start: sandbox decision, policy and bindings looked up
   * again by id (a policy may have changed since), proxy registration (a fresh credential), fresh
   * gateway tokens. Throws, having registered nothing, when the sandbox policy cannot be met or a
   * reference is gone.
   */
  async attach(record: RuntimeRecord): Promise<AttachedNetwork> {
    const { registry, proxy, gateway } = this.#options;
    const decision = this.sandboxFor(record.sandboxPolicy ?? "auto");
    const gateways: Record<string, { gateway: string; secret: string }> = {};
    for (const [prefix, ref] of Object.entries(record.gateways ?? {})) {
      gateways[prefix] = { gateway: ref.gatewayId, secret: ref.secretId };
    }
    const resolved = await registry.resolveRuntimeNetwork({
      ...(record.networkPolicyId !== undefined && { networkPolicy: record.networkPolicyId }),
      gateways,
    });
    const registrations = await registry.openBindings(record.id, resolved.bindings);

    const handle = {};
    this.#attached.set(record.id, {
      ...(resolved.networkPolicy && { policyId: resolved.networkPolicy.id }),
      handle,
    });
    const release = () => this.#release(record.id, handle);
    const sandboxed = decision.kind === "bubblewrap";
    let issued: IssuedBinding[];
    let proxyUrl: string;
    try {
      // Tokens of an earlier start must not outlive it, whatever happened to that start.
      gateway.revokeRuntime(record.id);
      const access = proxy.registerRuntime({
        runtimeId: record.id,
        ...(resolved.networkPolicy && { policy: resolved.networkPolicy.egress }),
      });
      proxyUrl = access.proxyUrl(sandboxed ? `127.0.0.1:${SANDBOX_PROXY_PORT}` : undefined);
      issued = registrations.map((registration) => gateway.registerBinding(registration));
    } catch (error) {
      release();
      throw error;
    }
    if (!sandboxed && decision.reason !== "sandbox_policy is OFF") {
      this.#log.warn(
        { runtimeId: record.id, reason: decision.reason },
        "agents run without a sandbox: they can reach the network directly, the network policy is advisory",
      );
    }
    const bindings = issued.map((binding) => ({
      prefix: binding.prefix,
      url: binding.url(sandboxed ? `127.0.0.1:${SANDBOX_GATEWAY_PORT}` : undefined),
      token: binding.token,
    }));
    const bindingVariables: Record<string, string> = {};
    for (const { prefix, url, token } of bindings) {
      bindingVariables[prefix] = token;
      bindingVariables[`${prefix}_URL`] = url;
    }
    const bridges: SandboxBridge[] = [{ port: SANDBOX_PROXY_PORT, socketPath: proxy.unixSocketPath ?? "" }];
    // The gateway is bridged in only for runtimes with bindings (whose policy allows it).
    if (bindings.length > 0) {
      bridges.push({ port: SANDBOX_GATEWAY_PORT, socketPath: gateway.unixSocketPath ?? "" });
    }
    const available = this.#options.sandbox;
    return {
      sandbox: decision.kind,
      env: agentNetworkEnv({ proxyUrl, bindings }),
      bindingVariables,
      launch: (mount) => {
        if (!sandboxed || available.kind !== "bubblewrap") {
          return { agentBinary: mount.agentBinary, launchArgs: mount.launchArgs };
        }
        const home = mount.home !== undefined && !isWithin(mount.home, mount.cwd) ? [mount.home] : [];
        const wrap = (argv: readonly string[]): LaunchCommand => {
          const command = buildSandboxCommand({
            command: argv,
            workdir: mount.cwd,
            bridges,
            hiddenPaths: this.#options.hiddenPaths,
            writablePaths: home,
            readOnlyPaths: softwareUnderTmp([mount.resolvedBinary, process.execPath]),
            bwrapPath: available.bwrapPath,
            socatPath: available.socatPath,
          });
          return { agentBinary: command.file, launchArgs: command.args };
        };
        const argv = [mount.resolvedBinary, ...mount.launchArgs];
        return { ...wrap(argv), wrapping: { argv, wrap } };
      },
      release,
    };
  }

  /** Stops following policy updates. The proxy and gateway belong to the caller. */
  close(): void {
    this.#unsubscribe();
  }

  #release(runtimeId: string, handle: object): void {
    // A later start owns the runtime's registrations now; an old handle must not revoke them.
    if (this.#attached.get(runtimeId)?.handle !== handle) return;
    this.#attached.delete(runtimeId);
    this.#options.proxy.revokeRuntime(runtimeId);
    this.#options.gateway.revokeRuntime(runtimeId);
    this.#options.auditLimiter?.forget(runtimeId);
  }

  #policyUpdated(policy: NetworkPolicyRecord): void {
    for (const [runtimeId, attached] of this.#attached) {
      if (attached.policyId !== policy.id) continue;
      try {
        this.#options.proxy.updatePolicy(runtimeId, policy.egress);
        this.#log.info(
          { runtimeId, networkPolicyId: policy.id },
          "network policy applied to a running runtime",
        );
      } catch (error) {
        this.#log.error(
          { runtimeId, networkPolicyId: policy.id, err: error },
          "network policy update not applied",
        );
      }
    }
  }
}

function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith("/") ? dir : `${dir}/`);
}
