import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { call, endpoint, SECRET, startTestGateway } from "../src/test-support/gateway-harness.js";

function selfSigned(dir: string, name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ],
    { stdio: "ignore" },
  );
  return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
}

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

// Checklist 14: unknown upstream TLS CA → 502, request not delivered.
describe.skipIf(!hasOpenssl)("checklist 14: upstream TLS verification", () => {
  let dir: string;
  let upstreamCert: { key: string; cert: string };
  let unrelated: { key: string; cert: string };
  let server: Server;
  let port: number;
  const delivered: string[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "openaxon-tls-"));
    upstreamCert = selfSigned(dir, "upstream");
    unrelated = selfSigned(dir, "unrelated");
    server = createServer(upstreamCert, (req, res) => {
      delivered.push(String(req.headers.authorization));
      res.end("secure ok");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    delivered.length = 0;
  });

  async function callThrough(extraCaCertificates?: string[]) {
    const t = await startTestGateway({ extraCaCertificates });
    cleanups.push(t.close);
    const binding = t.gateway.registerBinding({
      runtimeId: "rt_a",
      prefix: "GWS_TLS",
      gateway: endpoint(`https://127.0.0.1:${port}`),
      secret: SECRET,
    });
    const response = await call(`${binding.url()}/v1`, {
      headers: { authorization: `Bearer ${binding.token}` },
    });
    return { response, t };
  }

  it("an upstream certificate from an unknown CA gets 502 and the request is never delivered", async () => {
    const { response, t } = await callThrough();
    expect(response.status).toBe(502);
    expect(response.body).toContain("TLS verification failed");
    expect(response.body).not.toContain(SECRET);
    expect(delivered).toEqual([]);
    expect(t.logger.lines.join("\n")).not.toContain(SECRET);
  });

  it("trusting an unrelated CA does not help", async () => {
    const { response } = await callThrough([unrelated.cert]);
    expect(response.status).toBe(502);
    expect(delivered).toEqual([]);
  });

  it("with the upstream's CA configured, the request goes through with the secret", async () => {
    const { response } = await callThrough([upstreamCert.cert]);
    expect(response).toMatchObject({ status: 200, body: "secure ok" });
    expect(delivered).toEqual([`Bearer ${SECRET}`]);
  });
});
