import { afterEach, describe, expect, it } from "vitest";
import { policy, startTestProxy } from "../src/test-support/proxy-harness.js";
import { roundTrip } from "../src/test-support/raw-http.js";
import { startEchoServer } from "../src/test-support/servers.js";

// Checklist 6: CIDR rules with port ranges; CONNECT to a disallowed port is denied.
describe("checklist 6: ports", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("a loopback CIDR rule with one port lets exactly that port through", async () => {
    const echo = await startEchoServer();
    const other = await startEchoServer();
    cleanups.push(echo.close, other.close);
    const t = await startTestProxy({
      policy: policy({
        allowedCidrs: [{ cidr: "127.0.0.0/8", ports: [{ start: echo.port, end: echo.port }] }],
      }),
    });
    cleanups.push(t.close);
    const tunnel = await t.connect(`127.0.0.1:${echo.port}`);
    expect(tunnel.status).toBe(200);
    expect(await roundTrip(tunnel.socket, "ping")).toBe("ping");
    tunnel.socket.destroy();
    const denied = await t.connect(`127.0.0.1:${other.port}`);
    expect(denied.status).toBe(403);
    expect(other.connections).toBe(0);
  });

  it("port ranges on public CIDRs: 443-444 allowed, 22 denied", async () => {
    const echo = await startEchoServer();
    cleanups.push(echo.close);
    const t = await startTestProxy({
      policy: policy({ allowedCidrs: [{ cidr: "8.8.8.0/24", ports: [{ start: 443, end: 444 }] }] }),
      redirects: { "8.8.8.8:443": echo.port, "8.8.8.8:444": echo.port },
    });
    cleanups.push(t.close);
    for (const port of [443, 444]) {
      const tunnel = await t.connect(`8.8.8.8:${port}`);
      expect(tunnel.status).toBe(200);
      tunnel.socket.destroy();
    }
    for (const port of [22, 442, 445]) expect((await t.connect(`8.8.8.8:${port}`)).status).toBe(403);
    expect(t.dialer.dialled).toEqual(["8.8.8.8:443", "8.8.8.8:444"]);
  });
});
