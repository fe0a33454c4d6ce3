import { describe, expect, it } from "vitest";
import { normalizeHost } from "./hostname.js";
import { parseIpLiteral } from "./ip-address.js";
import {
  type CompiledEgressPolicy,
  compileEgressPolicy,
  compileEgressPolicyOrThrow,
  type DecisionContext,
  decideEgress,
  type EgressRules,
} from "./policy.js";

const rules = (partial: Partial<EgressRules>): CompiledEgressPolicy =>
  compileEgressPolicyOrThrow({
    allowAll: false,
    allowedHostnames: [],
    allowedCidrs: [],
    allowAgentGateway: false,
    ...partial,
  });

const decide = (
  host: string,
  port: number,
  address: string,
  policy: CompiledEgressPolicy | undefined,
  context: DecisionContext = {},
) => {
  const h = normalizeHost(host);
  if ("error" in h) throw new Error(h.error);
  return decideEgress({ host: h, port, address: parseIpLiteral(address)! }, policy, context);
};

describe("decideEgress", () => {
  it("without a policy allows public addresses and denies special ones", () => {
    expect(decide("example.com", 443, "93.184.216.34", undefined)).toMatchObject({
      allowed: true,
      rule: "default:public",
    });
    expect(decide("intranet", 80, "10.1.2.3", undefined)).toMatchObject({
      allowed: false,
      rule: "deny:private",
    });
  });

  it("allow_all opens public addresses but not private ones", () => {
    const p = rules({ allowAll: true });
    expect(decide("1.1.1.1", 22, "1.1.1.1", p).allowed).toBe(true);
    expect(decide("10.0.0.1", 22, "10.0.0.1", p)).toMatchObject({ allowed: false, rule: "deny:private" });
  });

  it("a host name rule opens public answers only", () => {
    const p = rules({ allowedHostnames: ["*.github.com"] });
    expect(decide("api.github.com", 443, "140.82.112.6", p)).toMatchObject({
      allowed: true,
      rule: "hostname:*.github.com",
    });
    expect(decide("api.github.com", 443, "10.0.0.5", p)).toMatchObject({
      allowed: false,
      rule: "deny:private",
    });
    expect(decide("github.com", 443, "140.82.112.3", p)).toMatchObject({
      allowed: false,
      rule: "deny:not-in-policy",
    });
    expect(decide("140.82.112.6", 443, "140.82.112.6", p).allowed).toBe(false);
  });

  it("CIDR rules open special ranges, on their ports only", () => {
    const p = rules({ allowedCidrs: [{ cidr: "10.0.0.0/8", ports: [{ start: 5432, end: 5433 }] }] });
    expect(decide("db", 5432, "10.9.9.9", p)).toMatchObject({ allowed: true, rule: "cidr:10.0.0.0/8" });
    expect(decide("db", 5433, "10.9.9.9", p).allowed).toBe(true);
    expect(decide("db", 5434, "10.9.9.9", p).allowed).toBe(false);
    // The same rule applies to an IPv6 address embedding an address in the range.
    expect(decide("::ffff:10.9.9.9", 5432, "::ffff:10.9.9.9", p).allowed).toBe(true);
    expect(decide("64:ff9b::a09:909", 5432, "64:ff9b::a09:909", p).allowed).toBe(true);
  });

  it("cloud metadata needs a rule naming exactly that address", () => {
    const broad = rules({ allowAll: true, allowedCidrs: [{ cidr: "169.254.0.0/16", ports: [] }] });
    expect(decide("169.254.169.254", 80, "169.254.169.254", broad)).toMatchObject({
      allowed: false,
      rule: "deny:cloud-metadata",
    });
    expect(decide("169.254.1.1", 80, "169.254.1.1", broad).allowed).toBe(true);
    const exact = rules({ allowedCidrs: [{ cidr: "169.254.169.254/32", ports: [{ start: 80, end: 80 }] }] });
    expect(decide("169.254.169.254", 80, "169.254.169.254", exact).allowed).toBe(true);
    expect(decide("169.254.169.254", 81, "169.254.169.254", exact).allowed).toBe(false);
  });

  it("denies the proxy's own listener even when a CIDR rule covers it", () => {
    const p = rules({ allowedCidrs: [{ cidr: "0.0.0.0/0", ports: [] }] });
    const context = { proxyListeners: [{ address: parseIpLiteral("127.0.0.1")!, port: 3128 }] };
    for (const address of ["127.0.0.1", "127.0.0.2", "0.0.0.0", "::ffff:127.0.0.1"]) {
      expect(decide(address, 3128, address, p, context).rule, address).toBe("deny:recursive-proxy");
    }
    expect(decide("127.0.0.1", 3129, "127.0.0.1", p, context).allowed).toBe(true);
  });

  it("lets the agent reach the credential gateway when allowed or without a policy", () => {
    const context = { agentGatewayListeners: [{ address: parseIpLiteral("127.0.0.1")!, port: 4000 }] };
    expect(decide("127.0.0.1", 4000, "127.0.0.1", undefined, context).allowed).toBe(true);
    expect(decide("127.0.0.1", 4000, "127.0.0.1", rules({ allowAgentGateway: true }), context).allowed).toBe(
      true,
    );
    expect(decide("127.0.0.1", 4000, "127.0.0.1", rules({ allowAll: true }), context)).toMatchObject({
      allowed: false,
      rule: "deny:agent-gateway",
    });
  });

  it("denies this host's own public address without a CIDR rule", () => {
    const context = { hostAddresses: [parseIpLiteral("93.184.216.34")!] };
    expect(decide("me", 80, "93.184.216.34", rules({ allowAll: true }), context)).toMatchObject({
      rule: "deny:host",
    });
  });
});

describe("compileEgressPolicy", () => {
  it("reports every invalid entry at once", () => {
    const result = compileEgressPolicy({
      allowAll: false,
      allowedHostnames: ["*.ok.example", "bad*.example", "10.0.0.1"],
      allowedCidrs: [
        { cidr: "10.0.0.1/8", ports: [] },
        {
          cidr: "10.0.0.0/8",
          ports: [
            { start: 0, end: 10 },
            { start: 9, end: 8 },
            { start: 1, end: 70000 },
          ],
        },
      ],
      allowAgentGateway: false,
    });
    expect("errors" in result && result.errors).toHaveLength(6);
  });
});
