import { rm } from "node:fs/promises";
import http2 from "node:http2";
import tls from "node:tls";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AxonService } from "@openaxon/protocol";
import { openClassicLevelLogStore } from "@openaxon/store";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { startAxonServer } from "../src/index.js";
import { makeSelfSignedCert, type SelfSignedCert } from "../src/test-support/index.js";
import { follow } from "./support/follow.js";
import { type Harness, startHarness, userEvent } from "./support/harness.js";

let cert: SelfSignedCert;
let h: Harness | undefined;
beforeAll(async () => {
  cert = await makeSelfSignedCert();
});
afterAll(async () => {
  await rm(cert.dir, { recursive: true, force: true });
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const startTls = (options: Parameters<typeof startHarness>[0] = {}) =>
  startHarness({ tls: { cert: cert.cert, key: cert.key }, ca: cert.cert, ...options });

function alpn(port: number, offered: string[]): Promise<string | false> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, ca: cert.cert, ALPNProtocols: offered }, () => {
      resolve(socket.alpnProtocol ?? false);
      socket.end();
    });
    socket.on("error", reject);
  });
}

describe("TLS", () => {
  test("gRPC, Connect (HTTP/1.1 and HTTP/2) and gRPC-Web all work over one TLS port", async () => {
    h = await startTls({ apiKeys: ["k"] });
    expect(h.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const axonId = (await h.client.createAxon({})).axon!.id;
    const sub = follow(h.clientFor("connect-h2", "k"), { axonId });
    for (const kind of ["grpc-h2", "connect-h1", "connect-h2", "grpc-web-h1"] as const) {
      await h.clientFor(kind, "k").publish({ axonId, ...userEvent({ kind }) });
    }
    const { events } = await h.clientFor("grpc-web-h1", "k").listEvents({ axonId });
    expect(events.map((e) => JSON.parse(e.payload).kind)).toEqual([
      "grpc-h2",
      "connect-h1",
      "connect-h2",
      "grpc-web-h1",
    ]);
    await sub.waitForEvents(4);
    expect(sub.sequences()).toEqual([1, 2, 3, 4]);
    await sub.cancel();
  });

  test("ALPN offers h2 and http/1.1; clients without ALPN get HTTP/1.1; /healthz answers over https", async () => {
    h = await startTls();
    expect(await alpn(h.server.port, ["h2", "http/1.1"])).toBe("h2");
    expect(await alpn(h.server.port, ["http/1.1"])).toBe("http/1.1");
    expect(await alpn(h.server.port, [])).toBe(false);

    const session = http2.connect(h.server.url, { ca: cert.cert });
    const status = await new Promise<number>((resolve, reject) => {
      const request = session.request({ ":path": "/healthz" });
      request.on("response", (headers) => resolve(Number(headers[":status"])));
      request.on("error", reject);
      request.resume();
    });
    session.close();
    expect(status).toBe(200);
  });

  test("a client that does not trust the certificate fails the handshake; the server keeps serving", async () => {
    h = await startTls();
    const untrusting = createClient(
      AxonService,
      createConnectTransport({ baseUrl: h.server.url, httpVersion: "2" }),
    );
    const error = await untrusting.listAxons({}).catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect(String((error as ConnectError).cause ?? error)).toMatch(/self[- ]signed|certificate/i);
    expect((await h.client.listAxons({})).axons).toEqual([]);
  });

  test("a cleartext client on the TLS port is cut off instead of hanging", async () => {
    h = await startTls();
    const plain = createClient(
      AxonService,
      createConnectTransport({ baseUrl: h.server.url.replace("https:", "http:"), httpVersion: "2" }),
    );
    const error = await plain.listAxons({}).catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
  });

  test("graceful close ends a TLS Subscribe stream cleanly", async () => {
    h = await startTls();
    const axonId = (await h.client.createAxon({})).axon!.id;
    const sub = follow(h.clientFor("grpc-h2"), { axonId });
    await h.client.publish({ axonId, ...userEvent({ n: 1 }) });
    await sub.waitForEvents(1);
    await h.server.close();
    await sub.done;
    // The stream's own trailer (not a cut connection, which would read CANCELED or INTERNAL).
    expect(sub.error).toMatchObject({
      code: Code.Unavailable,
      rawMessage: expect.stringMatching(/shutting down/),
    });
  });
});

describe("cleartext off loopback", () => {
  test("refused with API keys but no TLS, before binding, unless allowCleartext says so", async () => {
    const store = await openClassicLevelLogStore({ path: `${cert.dir}/store` });
    try {
      await expect(startAxonServer({ store, host: "0.0.0.0", port: 0, apiKeys: ["k"] })).rejects.toThrow(
        /refusing to serve on 0\.0\.0\.0 in cleartext.*TLS/,
      );
      // 192.0.2.1 (TEST-NET-1) is on no interface here: with allowCleartext the check passes and
      // binding fails instead, so nothing ever listens beyond loopback.
      await expect(
        startAxonServer({ store, host: "192.0.2.1", port: 0, apiKeys: ["k"], allowCleartext: true }),
      ).rejects.toMatchObject({ code: "EADDRNOTAVAIL" });
      await expect(startAxonServer({ store, host: "192.0.2.1", port: 0, apiKeys: ["k"] })).rejects.toThrow(
        /in cleartext/,
      );
    } finally {
      await store.close();
    }
  });
});
