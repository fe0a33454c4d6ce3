import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type GatewayHarness, startGatewayHarness } from "./support/gateway-harness.js";

let h: GatewayHarness;
const inUse = new Map<string, string[]>();
beforeAll(async () => {
  h = await startGatewayHarness({ referencedBy: (_kind, id) => inUse.get(id) ?? [] });
});
afterAll(() => h.close());

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error) => ConnectError.from(error),
  );

describe("NetworkPolicyService", () => {
  test("create stores canonical rules; get by id or name; list; update; delete", async () => {
    const { policy } = await h.policies.createNetworkPolicy({
      name: "code-hosts",
      description: "GitHub and the internal registry",
      egress: {
        allowedHostnames: ["*.GitHub.COM.", "Bücher.example", "*.github.com"],
        allowedCidrs: [
          {
            cidr: "10.20.0.0/16",
            ports: [
              { start: 5000, end: 0 },
              { start: 8000, end: 8099 },
            ],
          },
        ],
        allowAgentGateway: true,
      },
    });
    expect(policy!.id).toMatch(/^np_[0-9a-z]{26}$/);
    expect(policy!.egress).toMatchObject({
      allowAll: false,
      allowedHostnames: ["*.github.com", "xn--bcher-kva.example"],
      allowedCidrs: [
        {
          cidr: "10.20.0.0/16",
          ports: [
            { start: 5000, end: 5000 },
            { start: 8000, end: 8099 },
          ],
        },
      ],
      allowAgentGateway: true,
    });
    expect(policy!.createdAtMs).toBe(policy!.updatedAtMs);
    expect((await h.policies.getNetworkPolicy({ id: "code-hosts" })).policy).toEqual(policy);
    expect((await h.policies.getNetworkPolicy({ id: policy!.id })).policy).toEqual(policy);
    expect((await h.policies.listNetworkPolicies({})).policies.map((p) => p.name)).toContain("code-hosts");

    const described = await h.policies.updateNetworkPolicy({ id: "code-hosts", description: "" });
    expect(described.policy).toMatchObject({ name: "code-hosts", description: "", egress: policy!.egress });
    const opened = await h.policies.updateNetworkPolicy({
      id: policy!.id,
      name: "open",
      egress: { allowAll: true },
    });
    expect(opened.policy).toMatchObject({
      name: "open",
      egress: { allowAll: true, allowedHostnames: [], allowedCidrs: [], allowAgentGateway: false },
    });
    expect((await errorOf(h.policies.getNetworkPolicy({ id: "code-hosts" }))).code).toBe(Code.NotFound);

    await h.policies.deleteNetworkPolicy({ id: "open" });
    expect((await errorOf(h.policies.getNetworkPolicy({ id: policy!.id }))).code).toBe(Code.NotFound);
    expect((await errorOf(h.policies.deleteNetworkPolicy({ id: policy!.id }))).code).toBe(Code.NotFound);
  });

  test("INVALID_ARGUMENT lists every problem of the request", async () => {
    const error = await errorOf(
      h.policies.createNetworkPolicy({
        name: "bad name",
        egress: {
          allowedHostnames: ["api.*.github.com", "*.com", "169.254.169.254"],
          allowedCidrs: [{ cidr: "10.0.0.1/8" }, { cidr: "10.0.0.0/8", ports: [{ start: 0, end: 70000 }] }],
        },
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    // Problems are joined with "; " (some contain one themselves), in request order.
    const expected = [
      /name "bad name" must be/,
      /"api\.\*\.github\.com": a wildcard may only be the whole first label/,
      /"\*\.com" is too broad/,
      /"169\.254\.169\.254" is an IP address; use allowed_cidrs/,
      /"10\.0\.0\.1\/8" has host bits set; did you mean 10\.0\.0\.0\/8\?/,
      /10\.0\.0\.0\/8: port range 0-70000 is not within 1-65535/,
    ];
    let rest = error.rawMessage;
    for (const pattern of expected) {
      const match = pattern.exec(rest);
      expect(match, String(pattern)).not.toBeNull();
      rest = rest.slice(match!.index + match![0].length);
    }
    const update = await errorOf(
      h.policies.updateNetworkPolicy({ id: "whatever", egress: { allowedHostnames: ["*"] } }),
    );
    expect(update.code).toBe(Code.InvalidArgument);
  });

  test("names are unique on create and rename: ALREADY_EXISTS", async () => {
    await h.policies.createNetworkPolicy({ name: "dup-a" });
    const { policy: b } = await h.policies.createNetworkPolicy({ name: "dup-b" });
    const created = await errorOf(h.policies.createNetworkPolicy({ name: "dup-a" }));
    expect(created.code).toBe(Code.AlreadyExists);
    expect(created.rawMessage).toMatch(/^a network policy named "dup-a" already exists \(np_/);
    expect((await errorOf(h.policies.updateNetworkPolicy({ id: b!.id, name: "dup-a" }))).code).toBe(
      Code.AlreadyExists,
    );
  });

  test("a policy without egress allows nothing; one in use cannot be deleted", async () => {
    const { policy } = await h.policies.createNetworkPolicy({ name: "closed" });
    expect(policy!.egress).toMatchObject({ allowAll: false, allowedHostnames: [], allowedCidrs: [] });
    inUse.set(policy!.id, ["rt_a", "rt_b"]);
    const error = await errorOf(h.policies.deleteNetworkPolicy({ id: "closed" }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toMatch(/used by runtimes rt_a, rt_b/);
    inUse.delete(policy!.id);
    await h.policies.deleteNetworkPolicy({ id: "closed" });
  });
});
