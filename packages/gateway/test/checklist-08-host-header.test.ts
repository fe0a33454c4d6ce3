import { afterEach, describe, expect, it } from "vitest";
import { policy, startTestProxy } from "../src/test-support/proxy-harness.js";
import { startFakeUpstream } from "../src/test-support/servers.js";

// Checklist 8: a Host header that disagrees with the CONNECT/absolute-form authority cannot
// bypass the policy. Decision: the checked authority is dialled and the Host header is rewritten
// to it; origin-form requests (routing by Host) are refused.
describe("checklist 8: Host header", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setup() {
    const allowed = await startFakeUpstream((req, res) => res.end(`host=${req.headers.host}`));
    cleanups.push(allowed.close);
    const t = await startTestProxy({
      dns: { "allowed.example": ["93.184.216.34"], "denied.example": ["10.0.0.9"] },
      redirects: { "93.184.216.34:80": allowed.port, "93.184.216.34:443": allowed.port },
      policy: policy({ allowedHostnames: ["allowed.example"] }),
    });
    cleanups.push(t.close);
    return { t, allowed };
  }

  it("absolute-form to a denied host with an allowed Host header is denied", async () => {
    const { t } = await setup();
    expect((await t.request("http://denied.example/", { Host: "allowed.example" })).status).toBe(403);
    expect(t.dialer.dialled).toEqual([]);
  });

  it("absolute-form to an allowed host has its Host header rewritten to the checked authority", async () => {
    const { t, allowed } = await setup();
    const response = await t.request("http://allowed.example/x", { Host: "denied.example" });
    expect(response.status).toBe(200);
    expect(allowed.requests[0]!.headers.host).toBe("allowed.example");
    expect(allowed.requests[0]!.url).toBe("/x");
  });

  it("origin-form requests are refused instead of routed by Host", async () => {
    const { t } = await setup();
    expect((await t.request("/", { Host: "allowed.example" })).status).toBe(400);
    expect(t.resolver.calls).toEqual([]);
  });

  it("CONNECT uses its authority, not the Host header", async () => {
    const { t } = await setup();
    const denied = await t.connect("denied.example:443", "X-Note: host header below disagrees\r\n");
    expect(denied.status).toBe(403);
    const tunnel = await t.connect("allowed.example:443");
    expect(tunnel.status).toBe(200);
    tunnel.socket.destroy();
    expect(t.dialer.dialled).toEqual(["93.184.216.34:443"]);
  });
});
