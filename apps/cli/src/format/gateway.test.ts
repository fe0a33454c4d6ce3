import { describe, expect, it } from "vitest";
import { formatAuth, formatCidrRule, formatEgressSummary } from "./gateway.js";

describe("gateway formatting", () => {
  it("prints CIDR rules and auth in the form the flags take", () => {
    expect(formatCidrRule({ cidr: "10.0.0.0/8", ports: [] })).toBe("10.0.0.0/8");
    expect(
      formatCidrRule({
        cidr: "fd00::/8",
        ports: [
          { start: 443, end: 443 },
          { start: 8000, end: 8080 },
        ],
      }),
    ).toBe("fd00::/8:443,8000-8080");
    expect(formatAuth({ type: "bearer", key: "" })).toBe("bearer");
    expect(formatAuth({ type: "basic", key: "bot" })).toBe("basic:bot");
  });

  it("summarises a policy in one line", () => {
    const none = { allowAll: false, allowedHostnames: [], allowedCidrs: [], allowAgentGateway: false };
    expect(formatEgressSummary(none)).toBe("nothing");
    expect(
      formatEgressSummary({ ...none, allowAll: true, allowedHostnames: ["a.com"], allowAgentGateway: true }),
    ).toBe("all public, a.com, agent gateway");
  });
});
