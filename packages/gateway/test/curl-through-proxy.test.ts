import { execFile } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { policy, startTestProxy } from "../src/test-support/proxy-harness.js";
import { startFakeUpstream } from "../src/test-support/servers.js";

const curlAvailable = await new Promise<boolean>((resolve) =>
  execFile("curl", ["--version"], (error) => resolve(!error)),
);

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("curl", ["-sS", "--max-time", "10", ...args], (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// A real client: curl -x through the proxy to loopback fake hosts named by the injected resolver.
describe.skipIf(!curlAvailable)("curl through the egress proxy", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setup() {
    const allowed = await startFakeUpstream((req, res) => res.end(`allowed saw ${req.method} ${req.url}`));
    const denied = await startFakeUpstream((_req, res) => res.end("denied host reached!"));
    cleanups.push(allowed.close, denied.close);
    const t = await startTestProxy({
      dns: { "allowed.test": ["127.0.0.1"], "denied.test": ["127.0.0.1"] },
      policy: policy({
        allowedCidrs: [{ cidr: "127.0.0.1/32", ports: [{ start: allowed.port, end: allowed.port }] }],
      }),
    });
    cleanups.push(t.close);
    return { t, allowed, denied, proxy: t.access.proxyUrl() };
  }

  it("plain HTTP: the allowed host answers, the denied one gets 403", async () => {
    const { allowed, denied, proxy } = await setup();
    const ok = await curl(["-x", proxy, `http://allowed.test:${allowed.port}/hello`]);
    expect(ok).toMatchObject({ code: 0, stdout: "allowed saw GET /hello" });
    // Several requests over one kept-alive proxy connection are each checked and forwarded.
    const many = await curl([
      "-x",
      proxy,
      ...[1, 2, 3].map((n) => `http://allowed.test:${allowed.port}/${n}`),
    ]);
    expect(many.stdout).toBe("allowed saw GET /1allowed saw GET /2allowed saw GET /3");
    const no = await curl([
      "-x",
      proxy,
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `http://denied.test:${denied.port}/`,
    ]);
    expect(no.stdout).toBe("403");
    expect(denied.requests).toEqual([]);
  });

  it("CONNECT (proxytunnel): the allowed host answers, the denied one is refused with 403", async () => {
    const { allowed, denied, proxy, t } = await setup();
    const ok = await curl(["-p", "-x", proxy, `http://allowed.test:${allowed.port}/tunnelled`]);
    expect(ok).toMatchObject({ code: 0, stdout: "allowed saw GET /tunnelled" });
    const no = await curl(["-p", "-x", proxy, "-w", "%{http_connect}", `http://denied.test:${denied.port}/`]);
    expect(no.code).not.toBe(0);
    expect(no.stdout).toBe("403");
    expect(denied.requests).toEqual([]);
    expect(t.access_events().map((e) => [e.type, e.host])).toEqual([
      ["gateway.allowed", "allowed.test"],
      ["gateway.denied", "denied.test"],
    ]);
  });

  it("without the runtime's credential curl gets 407", async () => {
    const { allowed, t } = await setup();
    const no = await curl([
      "-x",
      `http://127.0.0.1:${t.proxy.port}`,
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `http://allowed.test:${allowed.port}/`,
    ]);
    expect(no.stdout).toBe("407");
  });
});
