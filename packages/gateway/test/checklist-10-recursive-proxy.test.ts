import { afterEach, describe, expect, it } from "vitest";
import { policy, startTestProxy } from "../src/test-support/proxy-harness.js";

// Checklist 10: a request to the proxy's own address is denied, even when a CIDR rule covers it.
describe("checklist 10: recursive proxy", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("denies CONNECT and plain HTTP to the proxy itself, by address or by name", async () => {
    const t = await startTestProxy({
      policy: policy({
        allowedCidrs: [
          { cidr: "0.0.0.0/0", ports: [] },
          { cidr: "::/0", ports: [] },
        ],
      }),
      dns: { localhost: ["127.0.0.1"] },
    });
    cleanups.push(t.close);
    const port = t.proxy.port;
    for (const authority of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `0.0.0.0:${port}`,
      `[::ffff:127.0.0.1]:${port}`,
      `[::1]:${port}`,
    ]) {
      const tunnel = await t.connect(authority);
      expect(tunnel.status, authority).toBe(403);
      expect(tunnel.response.headers["x-openaxon-egress-rule"]).toBe("deny:recursive-proxy");
    }
    expect((await t.request(`http://127.0.0.1:${port}/`)).status).toBe(403);
    expect(t.dialer.dialled).toEqual([]);
  });
});
