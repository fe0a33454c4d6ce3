import { Writable } from "node:stream";
import { Code, ConnectError, cors } from "@connectrpc/connect";
import { pino } from "pino";
import { afterEach, describe, expect, test, vi } from "vitest";
import { startAxonServer } from "../src/index.js";
import { follow, kinds } from "./support/follow.js";
import { type Harness, startHarness, userEvent } from "./support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "ok",
    (error) => ConnectError.from(error).code,
  );

describe("one port, every protocol", () => {
  test("gRPC over h2c, Connect over HTTP/1.1 and HTTP/2, gRPC-Web over HTTP/1.1 share one log", async () => {
    h = await startHarness();
    const axonId = (await h.client.createAxon({})).axon!.id;
    for (const kind of ["grpc-h2", "connect-h1", "connect-h2", "grpc-web-h1"] as const) {
      await h.clientFor(kind).publish({ axonId, ...userEvent({ kind }) });
    }
    const { events } = await h.clientFor("connect-h1").listEvents({ axonId });
    expect(events.map((e) => JSON.parse(e.payload).kind)).toEqual([
      "grpc-h2",
      "connect-h1",
      "connect-h2",
      "grpc-web-h1",
    ]);
  });

  test("healthz answers 200 JSON; unknown paths 404", async () => {
    h = await startHarness();
    const health = await fetch(`${h.server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get("content-type")).toBe("application/json");
    expect(await health.json()).toEqual({ status: "ok" });
    expect((await fetch(`${h.server.url}/nope`)).status).toBe(404);
  });
});

describe("auth", () => {
  test("without a key or with a wrong one: UNAUTHENTICATED; with a key: OK; healthz stays open", async () => {
    h = await startHarness({ apiKeys: ["first-key", "second-key"] });
    for (const kind of ["grpc-h2", "connect-h1", "grpc-web-h1"] as const) {
      const anonymous = h.clientFor(kind);
      const wrong = h.clientFor(kind, "guess");
      const error = await anonymous.createAxon({}).catch((e) => ConnectError.from(e));
      expect(error).toMatchObject({ code: Code.Unauthenticated });
      expect((error as ConnectError).rawMessage).toContain("Authorization: Bearer");
      expect(await codeOf(wrong.listAxons({}))).toBe(Code.Unauthenticated);
      expect(await codeOf(h.clientFor(kind, "second-key").listAxons({}))).toBe("ok");
    }
    const sub = follow(h.clientFor("grpc-h2"), { axonId: "axn_0000000000zzzzzzzzzzzzzzzz" });
    await sub.done;
    expect(sub.error?.code).toBe(Code.Unauthenticated);
    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
  });

  test("refuses to start on a non-loopback address without API keys", async () => {
    await expect(startAxonServer({ store: {} as never, host: "0.0.0.0", port: 0 })).rejects.toThrow(
      /refusing to serve on 0\.0\.0\.0 without an API key/,
    );
    await expect(
      startAxonServer({ store: {} as never, host: "192.168.1.10", port: 0, apiKeys: [] }),
    ).rejects.toThrow(/Configure at least one API key/);
  });
});

describe("binding", () => {
  test("a taken port fails with the system error code, and the port is free again after close", async () => {
    h = await startHarness();
    const { port } = h.server;
    await expect(startAxonServer({ store: h.store, host: "127.0.0.1", port })).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
    await h.server.close();
    const again = await startAxonServer({ store: h.store, host: "127.0.0.1", port });
    expect(again.port).toBe(port);
    expect(again.url).toBe(`http://127.0.0.1:${port}`);
    await again.close();
  });
});

describe("CORS", () => {
  test("answers preflight with the Connect headers and methods, and exposes response headers", async () => {
    h = await startHarness({ apiKeys: ["k"], corsOrigins: ["https://console.example"] });
    const preflight = await fetch(`${h.server.url}/openaxon.v1.AxonService/ListAxons`, {
      method: "OPTIONS",
      headers: {
        origin: "https://console.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,connect-protocol-version,authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://console.example");
    const allowHeaders = preflight.headers.get("access-control-allow-headers")!.toLowerCase();
    for (const header of [...cors.allowedHeaders, "Authorization"])
      expect(allowHeaders).toContain(header.toLowerCase());
    for (const method of cors.allowedMethods)
      expect(preflight.headers.get("access-control-allow-methods")).toContain(method);

    const call = await fetch(`${h.server.url}/openaxon.v1.AxonService/ListAxons`, {
      method: "POST",
      headers: {
        origin: "https://console.example",
        "content-type": "application/json",
        "connect-protocol-version": "1",
        authorization: "Bearer k",
      },
      body: "{}",
    });
    expect(call.status).toBe(200);
    expect(call.headers.get("access-control-allow-origin")).toBe("https://console.example");
    expect(call.headers.get("vary")).toBe("Origin");
    expect(call.headers.get("access-control-expose-headers")).toContain("Grpc-Status");
  });
});

describe("graceful close", () => {
  test("ends live Subscribe streams with UNAVAILABLE, finishes, and leaves the store open", async () => {
    h = await startHarness();
    const axonId = (await h.client.createAxon({})).axon!.id;
    await h.client.publish({ axonId, ...userEvent(1) });
    const followers = [follow(h.client, { axonId }), follow(h.clientFor("connect-h1"), { axonId })];
    for (const f of followers) await f.waitFor((x) => kinds(x).includes("caughtUp"));

    await h.server.close();
    for (const f of followers) {
      await f.done;
      expect(f.error?.code).toBe(Code.Unavailable);
      expect(f.error?.rawMessage).toContain("shutting down");
      expect(f.sequences()).toEqual([1]);
    }
    // The store belongs to its owner: still open.
    expect((await h.store.getAxon(axonId))?.headSequence).toBe(1);
    await expect(fetch(`${h.server.url}/healthz`)).rejects.toThrow();
  });

  test("lets in-flight publishes finish, then refuses new connections", async () => {
    h = await startHarness();
    const axonId = (await h.client.createAxon({})).axon!.id;
    const inflight = Array.from({ length: 50 }, (_, i) => h!.client.publish({ axonId, ...userEvent(i) }));
    const closing = h.server.close();
    const results = await Promise.allSettled(inflight);
    await closing;
    const acked = results.filter((r) => r.status === "fulfilled").length;
    // Whatever was acknowledged is durable; nothing half-written.
    expect((await h.store.getAxon(axonId))?.headSequence).toBe(acked);
    await expect(h.clientFor("connect-h1").listAxons({})).rejects.toThrow();
  });

  test("close is idempotent", async () => {
    h = await startHarness();
    await Promise.all([h.server.close(), h.server.close()]);
    await h.server.close();
  });
});

describe("logging", () => {
  test("one structured line per RPC with method, code and duration; never keys or payloads", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const logger = pino({ level: "debug" }, sink);
    h = await startHarness({ logger, apiKeys: ["super-secret-key"] });
    const axonId = (await h.client.createAxon({})).axon!.id;
    await h.client.publish({ axonId, ...userEvent({ secret: "payload-secret" }) });
    await codeOf(h.client.publish({ axonId, ...userEvent(1), payload: "{bad payload-secret" }));
    await codeOf(h.clientFor("connect-h1", "wrong-key").listAxons({}));
    const f = follow(h.client, { axonId });
    await f.waitFor((x) => kinds(x).includes("caughtUp"));
    await f.cancel();
    await vi.waitFor(() => expect(lines.some((l) => l.rpc === "Subscribe")).toBe(true));
    await h.close();

    const rpcs = lines.filter((l) => l.msg === "rpc");
    expect(rpcs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rpc: "CreateAxon", code: "ok", durationMs: expect.any(Number) }),
        expect.objectContaining({ rpc: "Publish", code: "ok" }),
        expect.objectContaining({ rpc: "Publish", code: "invalid_argument" }),
        expect.objectContaining({ rpc: "ListAxons", code: "unauthenticated" }),
        expect.objectContaining({ rpc: "Subscribe", code: "canceled" }),
      ]),
    );
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain("super-secret-key");
    expect(everything).not.toContain("wrong-key");
    expect(everything).not.toContain("payload-secret");
  });
});
