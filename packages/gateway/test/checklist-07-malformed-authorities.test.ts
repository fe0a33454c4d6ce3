import { afterEach, describe, expect, it } from "vitest";
import { startTestProxy } from "../src/test-support/proxy-harness.js";
import { rawRequest } from "../src/test-support/raw-http.js";

// Checklist 7: malformed authorities get 400 and never reach the policy.
describe("checklist 7: malformed authorities", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it.each([
    "host.example:0",
    "host.example:70000",
    "user@host.example:443",
    "user:pw@host.example:443",
    "host.example:443:1",
    "host.example",
    "[::1",
    "::1:443",
    "[::1]",
    "127.1:443",
    "0x7f.0.0.1:443",
  ])("CONNECT %s → 400", async (authority) => {
    const t = await startTestProxy({ dns: { "host.example": ["93.184.216.34"] } });
    cleanups.push(t.close);
    const tunnel = await t.connect(authority);
    expect(tunnel.status).toBe(400);
    expect(t.resolver.calls).toEqual([]);
    expect(t.dialer.dialled).toEqual([]);
    expect(t.access_events()).toMatchObject([{ type: "gateway.denied", rule: "deny:malformed" }]);
  });

  it.each([
    "http://user@host.example/",
    "http://host.example:0/",
    "http://host.example:99999/",
    "/origin-form",
    "https://host.example/",
  ])("GET %s → 400", async (target) => {
    const t = await startTestProxy({ dns: { "host.example": ["93.184.216.34"] } });
    cleanups.push(t.close);
    expect((await t.request(target)).status).toBe(400);
    expect(t.resolver.calls).toEqual([]);
    expect(t.dialer.dialled).toEqual([]);
  });

  it("a request line the HTTP parser cannot read gets 400", async () => {
    const t = await startTestProxy();
    cleanups.push(t.close);
    const response = await rawRequest(
      t.proxy.port,
      `CONNECT host.example :443 HTTP/1.1\r\nProxy-Authorization: ${t.auth}\r\n\r\n`,
    );
    expect(response.status).toBe(400);
    expect(t.resolver.calls).toEqual([]);
  });
});
