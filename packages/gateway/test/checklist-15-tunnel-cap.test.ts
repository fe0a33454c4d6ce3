import { afterEach, describe, expect, it } from "vitest";
import { policy, startTestProxy } from "../src/test-support/proxy-harness.js";
import { roundTrip } from "../src/test-support/raw-http.js";
import { startEchoServer } from "../src/test-support/servers.js";

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

// Checklist 15: concurrent tunnel cap per runtime; slots are released on close.
describe("checklist 15: tunnel cap", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("refuses the tunnel over the cap with 429 and frees a slot when a tunnel closes", async () => {
    const echo = await startEchoServer();
    cleanups.push(echo.close);
    const t = await startTestProxy({
      maxTunnels: 2,
      policy: policy({ allowedCidrs: [{ cidr: "127.0.0.1/32", ports: [] }] }),
    });
    cleanups.push(t.close);
    const authority = `127.0.0.1:${echo.port}`;
    const first = await t.connect(authority);
    const second = await t.connect(authority);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await t.connect(authority);
    expect(third.status).toBe(429);
    expect(t.access_events().at(-1)).toMatchObject({ type: "gateway.denied", rule: "deny:tunnel-limit" });
    // Both live tunnels still work.
    expect(await roundTrip(second.socket, "still here")).toBe("still here");

    first.socket.end();
    await until(() => t.proxy.openTunnels("rt_test") === 1);
    const fourth = await t.connect(authority);
    expect(fourth.status).toBe(200);
    expect(await roundTrip(fourth.socket, "fourth")).toBe("fourth");

    second.socket.destroy();
    fourth.socket.destroy();
    await until(() => t.proxy.openTunnels("rt_test") === 0);
  });

  it("counts each runtime separately and releases slots of refused connections", async () => {
    const echo = await startEchoServer();
    cleanups.push(echo.close);
    const t = await startTestProxy({ maxTunnels: 1 });
    cleanups.push(t.close);
    // Denied requests take no lasting slot.
    for (let i = 0; i < 5; i++) expect((await t.connect("10.0.0.1:443")).status).toBe(403);
    expect(t.proxy.openTunnels("rt_test")).toBe(0);
    const other = t.proxy.registerRuntime({
      runtimeId: "rt_other",
      policy: policy({ allowedCidrs: [{ cidr: "127.0.0.1/32", ports: [] }] }),
      maxTunnels: 1,
    });
    const otherAuth = `Basic ${Buffer.from(`${other.username}:${other.password}`).toString("base64")}`;
    const { openTunnel } = await import("../src/test-support/raw-http.js");
    const a = await openTunnel(t.proxy.port, `127.0.0.1:${echo.port}`, otherAuth);
    expect(a.status).toBe(200);
    expect((await openTunnel(t.proxy.port, `127.0.0.1:${echo.port}`, otherAuth)).status).toBe(429);
    // Revoking the runtime closes its tunnel and frees its slot.
    t.proxy.revokeRuntime("rt_other");
    await until(() => t.proxy.openTunnels("rt_other") === 0);
    expect(a.socket.destroyed || a.socket.readableEnded).toBe(true);
  });
});
