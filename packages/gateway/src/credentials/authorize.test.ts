import { systemClock, systemRng } from "@openaxon/core";
import { describe, expect, it } from "vitest";
import { authorizeBindingRequest } from "./authorize.js";
import { type GatewayEndpoint, issueBinding } from "./binding.js";
import { BindingTable } from "./binding-table.js";

const endpoint: GatewayEndpoint = {
  id: "gw_1",
  name: "api",
  endpoint: "https://api.example.com/v1",
  customHeaders: {},
};

function setup() {
  const table = new BindingTable();
  const a = issueBinding(
    { runtimeId: "rt_a", prefix: "API", gateway: endpoint, secret: "sk-secret-a" },
    systemClock,
    systemRng,
  );
  const b = issueBinding(
    { runtimeId: "rt_b", prefix: "OTHER", gateway: endpoint, secret: "sk-secret-b" },
    systemClock,
    systemRng,
  );
  table.add(a.binding);
  table.add(b.binding);
  return { table, a, b };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("authorizeBindingRequest", () => {
  it("forwards a binding's own token to the resolved upstream path with its query", () => {
    const { table, a } = setup();
    const decision = authorizeBindingRequest(
      { url: `/b/${a.binding.id}/messages/./x?stream=1`, headers: bearer(a.token) },
      table,
    );
    expect(decision).toEqual({ outcome: "forward", binding: a.binding, path: "/v1/messages/x?stream=1" });
  });

  it("denies a token laundered to another binding, attributed to the token's runtime", () => {
    const { table, a, b } = setup();
    const decision = authorizeBindingRequest(
      { url: `/b/${b.binding.id}/x`, headers: bearer(a.token) },
      table,
    );
    expect(decision).toMatchObject({
      outcome: "deny",
      status: 403,
      audit: { runtime_id: "rt_a", rule: "deny:wrong-binding" },
    });
  });

  it("refuses without an audit when nothing ties the request to a runtime", () => {
    const { table } = setup();
    expect(authorizeBindingRequest({ url: "/b/gwb_nope/x", headers: {} }, table)).toEqual({
      outcome: "refuse",
      status: 404,
      reason: "no such binding",
    });
  });

  it("denies a revoked runtime's binding and token with 403", () => {
    const { table, a } = setup();
    table.revokeRuntime("rt_a");
    const decision = authorizeBindingRequest(
      { url: `/b/${a.binding.id}/x`, headers: bearer(a.token) },
      table,
    );
    expect(decision).toMatchObject({
      outcome: "deny",
      status: 403,
      audit: { runtime_id: "rt_a", rule: "deny:revoked" },
    });
  });

  it("denies a path that climbs out of the endpoint's base path", () => {
    const { table, a } = setup();
    const decision = authorizeBindingRequest(
      { url: `/b/${a.binding.id}/../admin`, headers: bearer(a.token) },
      table,
    );
    expect(decision).toMatchObject({ outcome: "deny", status: 403, audit: { rule: "deny:path-escape" } });
  });
});
