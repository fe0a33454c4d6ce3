import { parseIpLiteral } from "@openaxon/gateway";
import { afterEach, describe, expect, it } from "vitest";
import { policy, startTestProxy } from "../src/test-support/proxy-harness.js";
import { startEchoServer, startFakeUpstream } from "../src/test-support/servers.js";

// Checklist 2: private, loopback, link-local, CGNAT, multicast, 0.0.0.0/8 and the host's own
// addresses are denied unless a CIDR rule allows them; boundaries tested.
describe("checklist 2: private and special ranges", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it.each([
    ["10.0.0.1", "deny:private"],
    ["172.16.0.1", "deny:private"],
    ["192.168.1.1", "deny:private"],
    ["127.0.0.1", "deny:loopback"],
    ["127.1.2.3", "deny:loopback"],
    ["169.254.1.1", "deny:link-local"],
    ["100.64.0.1", "deny:cgnat"],
    ["100.127.255.254", "deny:cgnat"],
    ["224.0.0.1", "deny:multicast"],
    ["0.0.0.0", "deny:unspecified"],
    ["0.1.2.3", "deny:unspecified"],
    ["255.255.255.255", "deny:broadcast"],
    ["240.0.0.1", "deny:reserved"],
  ])("denies %s without a CIDR rule", async (address, rule) => {
    const t = await startTestProxy();
    cleanups.push(t.close);
    const tunnel = await t.connect(`${address}:443`);
    expect(tunnel.status).toBe(403);
    expect(tunnel.response.headers["x-openaxon-egress-rule"]).toBe(rule);
    expect(t.dialer.dialled).toEqual([]);
  });

  it("CGNAT boundaries: 100.63.255.254 and 100.128.0.1 are public, 100.64.0.1 is not", async () => {
    const echo = await startEchoServer();
    cleanups.push(echo.close);
    const t = await startTestProxy({
      redirects: { "100.63.255.254:443": echo.port, "100.128.0.1:443": echo.port },
    });
    cleanups.push(t.close);
    const below = await t.connect("100.63.255.254:443");
    expect(below.status).toBe(200);
    below.socket.destroy();
    const above = await t.connect("100.128.0.1:443");
    expect(above.status).toBe(200);
    above.socket.destroy();
    expect((await t.connect("100.64.0.1:443")).status).toBe(403);
    expect(t.dialer.dialled).toEqual(["100.63.255.254:443", "100.128.0.1:443"]);
  });

  it("denies this host's own public address, and names resolving to it", async () => {
    const t = await startTestProxy({
      hostAddresses: [parseIpLiteral("93.184.216.34")!],
      dns: { "me.example": ["93.184.216.34"] },
    });
    cleanups.push(t.close);
    expect((await t.connect("93.184.216.34:22")).response.headers["x-openaxon-egress-rule"]).toBe(
      "deny:host",
    );
    expect((await t.request("http://me.example/")).status).toBe(403);
  });

  it("a CIDR rule opens exactly its range: a real loopback upstream becomes reachable", async () => {
    const upstream = await startFakeUpstream((_req, res) => res.end("hello from loopback"));
    cleanups.push(upstream.close);
    const t = await startTestProxy({
      policy: policy({ allowedCidrs: [{ cidr: "127.0.0.1/32", ports: [] }] }),
    });
    cleanups.push(t.close);
    const ok = await t.request(`http://127.0.0.1:${upstream.port}/`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("hello from loopback");
    expect((await t.connect(`127.0.0.2:${upstream.port}`)).status).toBe(403);
    expect((await t.connect("10.0.0.1:443")).status).toBe(403);
  });
});
