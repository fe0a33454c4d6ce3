import { afterEach, describe, expect, it } from "vitest";
import { policy, startTestProxy } from "../src/test-support/proxy-harness.js";
import { startFakeUpstream } from "../src/test-support/servers.js";

// Checklist 4: DNS rebinding — resolve once, check, dial the checked address.
describe("checklist 4: DNS rebinding", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("resolves once per request and dials the checked public answer, not a later one", async () => {
    const standIn = await startFakeUpstream((_req, res) => res.end("public"));
    cleanups.push(standIn.close);
    const t = await startTestProxy({
      // First answer public, every later answer loopback: a rebinding DNS server.
      dns: { "rebind.example": [["93.184.216.34"], ["127.0.0.1"]] },
      redirects: { "93.184.216.34:80": standIn.port },
      policy: policy({ allowedHostnames: ["rebind.example"] }),
    });
    cleanups.push(t.close);
    const first = await t.request("http://rebind.example/");
    expect(first.status).toBe(200);
    expect(t.resolver.calls).toEqual(["rebind.example"]);
    expect(t.dialer.dialled).toEqual(["93.184.216.34:80"]);
    // The second lookup answers loopback: checked again, and denied.
    const second = await t.request("http://rebind.example/");
    expect(second.status).toBe(403);
    expect(t.resolver.calls).toEqual(["rebind.example", "rebind.example"]);
    expect(t.dialer.dialled).toEqual(["93.184.216.34:80"]);
  });

  it("with mixed answers dials the first allowed one and never the denied one", async () => {
    const standIn = await startFakeUpstream();
    cleanups.push(standIn.close);
    const t = await startTestProxy({
      dns: { "mixed.example": ["127.0.0.1", "10.0.0.1", "93.184.216.34"] },
      redirects: { "93.184.216.34:80": standIn.port },
    });
    cleanups.push(t.close);
    expect((await t.request("http://mixed.example/")).status).toBe(200);
    expect(t.dialer.dialled).toEqual(["93.184.216.34:80"]);
  });

  it("a name whose only answers are special is denied, and unresolvable names get 502", async () => {
    const t = await startTestProxy({ dns: { "internal.example": ["10.0.0.1", "127.0.0.1"] } });
    cleanups.push(t.close);
    expect((await t.connect("internal.example:443")).status).toBe(403);
    expect((await t.connect("nxdomain.example:443")).status).toBe(502);
    expect(t.dialer.dialled).toEqual([]);
  });
});
