import type { IncomingMessage } from "node:http";
import { type Authority, formatHost } from "./authority.js";
import type { EgressContext } from "./context.js";
import { checkDestination } from "./destination-check.js";
import type { Refuse } from "./refusal.js";

/** A request the proxy let through: who asked, the address to dial, and its tunnel slot. */
export interface Admitted {
  readonly runtimeId: string;
  readonly address: string;
  readonly authority: Authority;
  readonly release: () => void;
}

/**
 * Everything both request kinds share: who is asking, may they, and which address to dial. Each
 * refusal is answered through `refuse` and (once the runtime is known) audited.
 */
export async function admit(
  ctx: EgressContext,
  req: IncomingMessage,
  parse: () => { authority: Authority } | { error: string },
  refuse: Refuse,
): Promise<Admitted | undefined> {
  const runtimeId = ctx.credentials.verify(req.headers["proxy-authorization"]);
  const state = runtimeId ? ctx.runtimes.get(runtimeId) : undefined;
  if (!runtimeId || !state) {
    refuse(407, "proxy authentication required");
    return undefined;
  }
  const parsed = parse();
  if ("error" in parsed) {
    ctx.audit(false, {
      runtime_id: runtimeId,
      host: "",
      port: 0,
      rule: "deny:malformed",
      reason: parsed.error,
    });
    refuse(400, parsed.error, "deny:malformed");
    return undefined;
  }
  const { authority } = parsed;
  const host = formatHost(authority.host);
  const release = ctx.slots.tryAcquire(runtimeId, state.maxTunnels);
  if (!release) {
    const reason = `runtime already has ${state.maxTunnels} open connections`;
    ctx.audit(false, {
      runtime_id: runtimeId,
      host,
      port: authority.port,
      rule: "deny:tunnel-limit",
      reason,
    });
    refuse(429, reason, "deny:tunnel-limit");
    return undefined;
  }
  const check = await checkDestination(authority, state.policy, ctx.resolver, {
    hostAddresses: ctx.hostAddresses(),
    proxyListeners: ctx.listeners.proxy,
    agentGatewayListeners: ctx.listeners.agentGateway,
  });
  if (check.outcome !== "allowed") {
    release();
    const unresolvable = check.outcome === "unresolvable";
    const rule = unresolvable ? "deny:unresolvable" : check.decision.rule;
    const reason = unresolvable ? check.reason : check.decision.reason;
    const address = unresolvable ? undefined : check.decision.address;
    ctx.audit(false, { runtime_id: runtimeId, host, port: authority.port, rule, reason, address });
    refuse(unresolvable ? 502 : 403, reason, rule);
    return undefined;
  }
  const { rule, reason } = check.decision;
  ctx.audit(true, {
    runtime_id: runtimeId,
    host,
    port: authority.port,
    rule,
    reason,
    address: check.address,
  });
  return { runtimeId, address: check.address, authority, release };
}
