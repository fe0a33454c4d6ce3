import { afterEach, describe, expect, it } from "vitest";
import { startTestProxy } from "../src/test-support/proxy-harness.js";
import { startEchoServer } from "../src/test-support/servers.js";

// Checklist 3: IPv6 — ::1, ::ffff:10.0.0.1, NAT64 64:ff9b::a00:1, 6to4, Teredo, ULA are classified
// as what they embed, or denied.
describe("checklist 3: IPv6 and embedded IPv4", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it.each([
    ["::1", "deny:loopback"],
    ["::ffff:10.0.0.1", "deny:private"],
    ["::ffff:127.0.0.1", "deny:loopback"],
    ["::10.0.0.1", "deny:private"],
    ["64:ff9b::a00:1", "deny:private"],
    ["64:ff9b::7f00:1", "deny:loopback"],
    ["2002:a00:1::1", "deny:private"],
    ["2002:a9fe:a9fe::1", "deny:cloud-metadata"],
    ["2001:0:4136:e378:8000:63bf:f5ff:fffe", "deny:private"],
    ["fd12:3456::1", "deny:private"],
    ["fe80::1", "deny:link-local"],
    ["ff02::1", "deny:multicast"],
    ["::", "deny:unspecified"],
  ])("denies [%s]", async (address, rule) => {
    const t = await startTestProxy({ dns: { "v6.example": [address] } });
    cleanups.push(t.close);
    const tunnel = await t.connect(`[${address}]:443`);
    expect(tunnel.status).toBe(403);
    expect(tunnel.response.headers["x-openaxon-egress-rule"]).toBe(rule);
    // The same through a name that resolves to it.
    expect((await t.connect("v6.example:443")).status).toBe(403);
    expect(t.dialer.dialled).toEqual([]);
  });

  it("allows an embedded public address and dials the address that was checked", async () => {
    const echo = await startEchoServer();
    cleanups.push(echo.close);
    const t = await startTestProxy({ redirects: { "[64:ff9b::808:808]:443": echo.port } });
    cleanups.push(t.close);
    const tunnel = await t.connect("[64:ff9b::808:808]:443");
    expect(tunnel.status).toBe(200);
    tunnel.socket.destroy();
    expect(t.dialer.dialled).toEqual(["[64:ff9b::808:808]:443"]);
  });
});
