import type { NetworkPolicy } from "@openaxon/client";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EMPTY_POLICY_FORM,
  parseCidrRules,
  parsePorts,
  policyFormFromPolicy,
  policyInputFromForm,
  policyUpdateFromForm,
} from "./network-policy-form.js";

const stored: NetworkPolicy = {
  id: "np_1",
  name: "npm-only",
  description: "registry only",
  egress: {
    allowAll: false,
    allowedHostnames: ["registry.npmjs.org", "*.github.com"],
    allowedCidrs: [
      {
        cidr: "10.0.0.0/8",
        ports: [
          { start: 443, end: 443 },
          { start: 8000, end: 8100 },
        ],
      },
      { cidr: "fd00::/8", ports: [] },
    ],
    allowAgentGateway: true,
  },
  createdAtMs: 1,
  updatedAtMs: 2,
};

describe("policyInputFromForm", () => {
  it("maps every egress field: hosts one a line or by commas, CIDR rules with ports, both switches", () => {
    expect(
      policyInputFromForm({
        name: " npm-only ",
        description: " registry only ",
        allowAll: true,
        allowAgentGateway: true,
        hostnames: "registry.npmjs.org\n\n *.github.com, example.com ",
        cidrs: "10.0.0.0/8 443, 8000-8100\n  fd00::/8  \n127.0.0.1/32 22 80",
      }),
    ).toEqual({
      name: "npm-only",
      description: "registry only",
      egress: {
        allowAll: true,
        allowedHostnames: ["registry.npmjs.org", "*.github.com", "example.com"],
        allowedCidrs: [
          { cidr: "10.0.0.0/8", ports: [{ start: 443 }, { start: 8000, end: 8100 }] },
          { cidr: "fd00::/8" },
          { cidr: "127.0.0.1/32", ports: [{ start: 22 }, { start: 80 }] },
        ],
        allowAgentGateway: true,
      },
    });
  });

  it("an empty form is a policy that allows nothing (the server judges the empty name)", () => {
    expect(policyInputFromForm(EMPTY_POLICY_FORM)).toEqual({
      name: "",
      description: "",
      egress: { allowAll: false, allowedHostnames: [], allowedCidrs: [], allowAgentGateway: false },
    });
  });

  it("says which rule's ports it cannot read", () => {
    expect(policyInputFromForm({ ...EMPTY_POLICY_FORM, cidrs: "10.0.0.0/8 443\n10.1.0.0/16 https" })).toEqual(
      {
        error: 'CIDR rule "10.1.0.0/16 https": "https" is not a port or a range like 8000-8100',
      },
    );
    expect(parsePorts("80-")).toEqual({ error: '"80-" is not a port or a range like 8000-8100' });
    expect(parsePorts("4294967296")).toEqual({
      error: '"4294967296" is not a port or a range like 8000-8100',
    });
    // In range or not is the server's to say: the form sends what it can read.
    expect(parsePorts("0, 70000-1")).toEqual({ ports: [{ start: 0 }, { start: 70000, end: 1 }] });
    expect(parseCidrRules(" \n ")).toEqual({ rules: [] });
  });
});

describe("policyUpdateFromForm", () => {
  it("sends the egress whole, and name and description only when they changed", () => {
    const unchanged = policyUpdateFromForm(stored, policyFormFromPolicy(stored));
    expect(unchanged).toEqual({
      egress: {
        allowAll: false,
        allowedHostnames: ["registry.npmjs.org", "*.github.com"],
        allowedCidrs: [
          { cidr: "10.0.0.0/8", ports: [{ start: 443 }, { start: 8000, end: 8100 }] },
          { cidr: "fd00::/8" },
        ],
        allowAgentGateway: true,
      },
    });
    expect(
      policyUpdateFromForm(stored, { ...policyFormFromPolicy(stored), name: "npm", description: "" }),
    ).toMatchObject({ name: "npm", description: "" });
    expect(policyUpdateFromForm(stored, { ...policyFormFromPolicy(stored), cidrs: "10.0.0.0/8 x" })).toEqual({
      error: 'CIDR rule "10.0.0.0/8 x": "x" is not a port or a range like 8000-8100',
    });
  });
});

describe("policyFormFromPolicy", () => {
  it("shows a stored policy in the form's own syntax", () => {
    expect(policyFormFromPolicy(stored)).toEqual({
      name: "npm-only",
      description: "registry only",
      allowAll: false,
      allowAgentGateway: true,
      hostnames: "registry.npmjs.org\n*.github.com",
      cidrs: "10.0.0.0/8 443, 8000-8100\nfd00::/8",
    });
  });

  it("round-trips: editing a stored policy without changes sends back the same rules", () => {
    const port = fc.integer({ min: 1, max: 65535 });
    const range = fc.tuple(port, port).map(([a, b]) => ({ start: Math.min(a, b), end: Math.max(a, b) }));
    const word = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    const egress = fc.record({
      allowAll: fc.boolean(),
      allowAgentGateway: fc.boolean(),
      allowedHostnames: fc.array(
        fc.tuple(fc.boolean(), word, word).map(([wild, a, b]) => `${wild ? "*." : ""}${a}.${b}`),
      ),
      allowedCidrs: fc.array(
        fc.record({
          cidr: fc
            .tuple(fc.nat(255), fc.integer({ min: 8, max: 32 }))
            .map(([a, bits]) => `${a}.0.0.0/${bits}`),
          ports: fc.array(range, { maxLength: 4 }),
        }),
      ),
    });
    fc.assert(
      fc.property(egress, (e) => {
        const input = policyInputFromForm(policyFormFromPolicy({ ...stored, egress: e }));
        if ("error" in input) throw new Error(input.error);
        const sent = input.egress!;
        expect(sent.allowAll).toBe(e.allowAll);
        expect(sent.allowAgentGateway).toBe(e.allowAgentGateway);
        expect(sent.allowedHostnames).toEqual(e.allowedHostnames);
        // A single port is sent as { start } (the SDK makes end = start): the same range.
        expect(
          sent.allowedCidrs?.map((r) => ({
            cidr: r.cidr,
            ports: (r.ports ?? []).map((p) =>
              typeof p === "number" ? { start: p, end: p } : { start: p.start, end: p.end ?? p.start },
            ),
          })),
        ).toEqual(e.allowedCidrs);
      }),
    );
  });
});
