import { afterEach, describe, expect, it } from "vitest";
import { policy, startTestProxy } from "../src/test-support/proxy-harness.js";
import { startEchoServer } from "../src/test-support/servers.js";

// Checklist 5: wildcard and host name normalization (case, trailing dot, IDN) before matching.
describe("checklist 5: host names", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function proxyWithNames() {
    const echo = await startEchoServer();
    cleanups.push(echo.close);
    const dns = Object.fromEntries(
      [
        "api.github.com",
        "a.b.github.com",
        "github.com",
        "evilgithub.com",
        "github.com.evil.example",
        "xn--bcher-kva.example",
      ].map((name) => [name, ["140.82.112.6"]]),
    );
    const t = await startTestProxy({
      dns,
      redirects: { "140.82.112.6:443": echo.port },
      policy: policy({ allowedHostnames: ["*.GitHub.com.", "Bücher.example"] }),
    });
    cleanups.push(t.close);
    return t;
  }

  it.each([
    "api.github.com:443",
    "API.GitHub.COM:443",
    "api.github.com.:443",
    "a.b.github.com:443",
    "xn--bcher-kva.example:443",
    "XN--BCHER-KVA.example.:443",
  ])("allows %s", async (authority) => {
    const t = await proxyWithNames();
    const tunnel = await t.connect(authority);
    expect(tunnel.status).toBe(200);
    tunnel.socket.destroy();
  });

  it.each(["github.com:443", "evilgithub.com:443", "github.com.evil.example:443"])(
    "denies %s",
    async (authority) => {
      const t = await proxyWithNames();
      const tunnel = await t.connect(authority);
      expect(tunnel.status).toBe(403);
      expect(tunnel.response.headers["x-openaxon-egress-rule"]).toBe("deny:not-in-policy");
    },
  );

  it("audits the normalized name and the rule that matched", async () => {
    const t = await proxyWithNames();
    (await t.connect("API.GitHub.com.:443")).socket.destroy();
    expect(t.access_events()[0]).toMatchObject({
      type: "gateway.allowed",
      host: "api.github.com",
      port: 443,
      rule: "hostname:*.github.com",
      address: "140.82.112.6",
    });
    // The resolver saw the normalized name too.
    expect(t.resolver.calls).toEqual(["api.github.com"]);
  });
});
