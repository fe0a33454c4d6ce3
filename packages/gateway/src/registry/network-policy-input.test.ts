import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EgressRules } from "../egress/policy.js";
import { createNetworkPolicyProblems, EMPTY_EGRESS, normalizeEgress } from "./network-policy-input.js";

const egress = (rules: Partial<EgressRules>): EgressRules => ({ ...EMPTY_EGRESS, ...rules });

describe("normalizeEgress", () => {
  it("stores wildcards and names in the form the proxy matches: lowercase, no trailing dot, punycode", () => {
    const normalized = normalizeEgress(
      egress({ allowedHostnames: ["*.GitHub.COM.", "API.Example.org", "bücher.example", "*.github.com"] }),
    );
    expect(normalized).toMatchObject({
      allowedHostnames: ["*.github.com", "api.example.org", "xn--bcher-kva.example"],
    });
  });

  it("canonicalizes CIDRs, reads end 0 as a single port and drops duplicate rules", () => {
    const normalized = normalizeEgress(
      egress({
        allowedCidrs: [
          { cidr: "10.0.0.0/8", ports: [{ start: 443, end: 0 }] },
          { cidr: "10.0.0.0/8", ports: [{ start: 443, end: 443 }] },
          { cidr: "FD00:0:0::/8", ports: [] },
        ],
      }),
    );
    expect(normalized).toMatchObject({
      allowedCidrs: [
        { cidr: "10.0.0.0/8", ports: [{ start: 443, end: 443 }] },
        { cidr: "fd00::/8", ports: [] },
      ],
    });
  });

  it("reports every problem, prefixed with the field", () => {
    const result = normalizeEgress(
      egress({
        allowedHostnames: ["api.*.com", "*.com", "10.0.0.1", "ok.example"],
        allowedCidrs: [
          { cidr: "10.0.0.1/8", ports: [] },
          {
            cidr: "10.0.0.0/8",
            ports: [
              { start: 0, end: 10 },
              { start: 9, end: 70000 },
            ],
          },
        ],
      }),
    );
    expect("problems" in result && result.problems).toEqual([
      expect.stringMatching(/^egress\.allowed_hostnames: .*wildcard may only be the whole first label/),
      expect.stringMatching(/^egress\.allowed_hostnames: .*too broad/),
      expect.stringMatching(/^egress\.allowed_hostnames: .*use allowed_cidrs/),
      expect.stringMatching(/^egress\.allowed_cidrs: .*host bits set; did you mean 10\.0\.0\.0\/8/),
      expect.stringMatching(/^egress\.allowed_cidrs: 10\.0\.0\.0\/8: port range 0-10/),
      expect.stringMatching(/^egress\.allowed_cidrs: 10\.0\.0\.0\/8: port range 9-70000/),
    ]);
  });

  it("is idempotent: normalized rules normalize to themselves", () => {
    const label = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
    const host = fc
      .tuple(fc.boolean(), fc.array(label, { minLength: 2, maxLength: 4 }), fc.boolean())
      .map(([wild, labels, dot]) => `${wild ? "*." : ""}${labels.join(".")}${dot ? "." : ""}`);
    const port = fc.integer({ min: 1, max: 65535 });
    const cidr = fc
      .tuple(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 8, max: 8 }),
        fc.array(port, { maxLength: 2 }),
      )
      .map(([a, prefix, ports]) => ({
        cidr: `${a}.0.0.0/${prefix}`,
        ports: ports.map((p) => ({ start: p, end: p })),
      }));
    fc.assert(
      fc.property(fc.array(host, { maxLength: 5 }), fc.array(cidr, { maxLength: 3 }), (hosts, cidrs) => {
        const once = normalizeEgress(egress({ allowedHostnames: hosts, allowedCidrs: cidrs }));
        fc.pre(!("problems" in once));
        expect(normalizeEgress(once as EgressRules)).toEqual(once);
      }),
    );
  });

  it("checks names and descriptions of a policy", () => {
    expect(createNetworkPolicyProblems({ name: "", description: "x".repeat(2000) })).toHaveLength(2);
  });
});
