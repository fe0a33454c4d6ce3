import type { Authority } from "./authority.js";
import { formatIp, type IpAddress, parseIpLiteral } from "./ip-address.js";
import {
  type CompiledEgressPolicy,
  type DecisionContext,
  decideEgress,
  type EgressDecision,
} from "./policy.js";
import type { Resolver } from "./resolver.js";

export type DestinationCheck =
  | { readonly outcome: "allowed"; readonly address: string; readonly decision: EgressDecision }
  | { readonly outcome: "denied"; readonly decision: EgressDecision }
  | { readonly outcome: "unresolvable"; readonly reason: string };

/**
 * Resolves the authority once, decides every answer in order and returns the first allowed
 * address. The caller must dial exactly that address: never the name again, or a rebinding DNS
 * server could answer differently the second time.
 */
export async function checkDestination(
  authority: Authority,
  policy: CompiledEgressPolicy | undefined,
  resolver: Resolver,
  context: DecisionContext,
): Promise<DestinationCheck> {
  let addresses: IpAddress[];
  if (authority.host.kind === "ip") {
    addresses = [authority.host.ip];
  } else {
    let answers: string[];
    try {
      answers = await resolver.resolve(authority.host.name);
    } catch {
      return { outcome: "unresolvable", reason: `${authority.host.name} does not resolve` };
    }
    addresses = answers.flatMap((answer) => {
      const ip = parseIpLiteral(answer);
      return ip ? [ip] : [];
    });
    if (addresses.length === 0) {
      return { outcome: "unresolvable", reason: `${authority.host.name} has no usable address` };
    }
  }
  let firstDenial: EgressDecision | undefined;
  for (const address of addresses) {
    const decision = decideEgress({ host: authority.host, port: authority.port, address }, policy, context);
    if (decision.allowed) return { outcome: "allowed", address: formatIp(address), decision };
    firstDenial ??= decision;
  }
  return { outcome: "denied", decision: firstDenial! };
}
