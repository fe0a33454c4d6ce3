import { mkdtemp, rm } from "node:fs/promises";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { AxonService } from "@openaxon/protocol";
import { makeSelfSignedCert, type SelfSignedCert } from "@openaxon/server/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAxondToExit, startAxondProcess } from "./support/axond-process.js";

let cert: SelfSignedCert;
let dataDir: string;
beforeAll(async () => {
  cert = await makeSelfSignedCert();
  dataDir = await mkdtemp(join(tmpdir(), "axond-tls-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(cert.dir, { recursive: true, force: true });
});

describe("axond over TLS (issue 13)", { timeout: 60_000 }, () => {
  it("serves https:// from --tls-cert/--tls-key: Connect over HTTP/2, gRPC-Web over HTTP/1.1, /healthz", async () => {
    const axond = await startAxondProcess({
      args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--api-key", "k"],
      env: { OPENAXON_TLS_CERT: cert.certPath, OPENAXON_TLS_KEY: cert.keyPath },
    });
    try {
      expect(axond.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const interceptors = [
        (next: (r: { header: Headers }) => unknown) => (request: { header: Headers }) => {
          request.header.set("authorization", "Bearer k");
          return next(request);
        },
      ] as never[];
      const h2 = createClient(
        AxonService,
        createConnectTransport({
          baseUrl: axond.url,
          httpVersion: "2",
          nodeOptions: { ca: cert.cert },
          interceptors,
        }),
      );
      const h1 = createClient(
        AxonService,
        createGrpcWebTransport({
          baseUrl: axond.url,
          httpVersion: "1.1",
          nodeOptions: { ca: cert.cert },
          interceptors,
        }),
      );
      const { axon } = await h2.createAxon({ name: "tls" });
      expect((await h1.getAxon({ id: axon!.id })).axon!.name).toBe("tls");
      const health = await new Promise<number | undefined>((resolve, reject) =>
        https
          .get(`${axond.url}/healthz`, { ca: cert.cert }, (response) => {
            response.resume();
            resolve(response.statusCode);
          })
          .on("error", reject),
      );
      expect(health).toBe(200);
    } finally {
      expect((await axond.stop("SIGTERM")).code).toBe(0);
    }
  });

  it("refuses to start off loopback in cleartext, and with an unreadable certificate", async () => {
    const cleartext = await runAxondToExit({
      args: ["--listen", "0.0.0.0:0", "--data-dir", dataDir, "--api-key", "k"],
    });
    expect(cleartext.code).toBe(1);
    expect(cleartext.stderr).toMatch(/refusing to listen on 0\.0\.0\.0:0 in cleartext/);

    const missing = await runAxondToExit({
      args: ["--listen", "127.0.0.1:0", "--data-dir", dataDir],
      env: { OPENAXON_TLS_CERT: join(cert.dir, "nope.pem"), OPENAXON_TLS_KEY: cert.keyPath },
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read --tls-cert .*nope\.pem: ENOENT/);

    const swapped = await runAxondToExit({
      args: [
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dataDir,
        "--tls-cert",
        cert.keyPath,
        "--tls-key",
        cert.certPath,
      ],
    });
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toMatch(/axond: cannot serve TLS with/);
  });
});
