/**
 * @openaxon/gateway/egress — the egress proxy and the policy pieces it decides with: authority
 * parsing, address classification, hostname patterns, `compileEgressPolicy` and `decideEgress`.
 */

export {
  type AddressCategory,
  type AddressClassification,
  CLOUD_METADATA_ADDRESSES,
  classifyAddress,
  type EmbeddingKind,
} from "./address-classification.js";
export { type Authority, parseAbsoluteHttpTarget, parseConnectAuthority } from "./authority.js";
export { type Dialer, systemDialer } from "./dialer.js";
export {
  type EgressProxy,
  type EgressProxyOptions,
  type RuntimeProxyAccess,
  type RuntimeRegistration,
  startEgressProxy,
} from "./egress-proxy.js";
export { hostAddresses } from "./host-addresses.js";
export {
  hostnameMatches,
  type NormalizedHost,
  normalizeHost,
  normalizeHostname,
  parseHostnamePattern,
} from "./hostname.js";
export { formatIp, type IpAddress, parseCidr, parseIpLiteral } from "./ip-address.js";
export {
  type CidrRuleInput,
  type CompiledEgressPolicy,
  compileEgressPolicy,
  compileEgressPolicyOrThrow,
  type DecisionContext,
  decideEgress,
  type EgressDecision,
  type EgressRules,
  type Listener,
  type PortRangeRule,
} from "./policy.js";
export { type Resolver, systemResolver } from "./resolver.js";
