import { mkdtemp, rm, stat } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { Origin } from "@openaxon/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectAxonClient } from "./support/axon-client.js";
import { startAxondProcess } from "./support/axond-process.js";

// Issue 8, end to end: the security flags as a user sets them on the real axond process.

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "axond-security-"));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const CREATE_AXON = "/openaxon.v1.AxonService/CreateAxon";
const LIST_AXONS = "/openaxon.v1.AxonService/ListAxons";

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP/1.1 request, so Host and Origin can be anything (as a browser or an attacker sends them). */
function request(
  url: string,
  method: "POST" | "OPTIONS" | "GET",
  path: string,
  headers: Record<string, string>,
) {
  const { hostname, port } = new URL(url);
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request({ hostname, port, path, method, headers }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    req.on("error", reject);
    req.end(method === "POST" ? "{}" : undefined);
  });
}

const connectJson = { "content-type": "application/json", "connect-protocol-version": "1" };
const post = (url: string, path: string, headers: Record<string, string> = {}) =>
  request(url, "POST", path, { ...connectJson, ...headers });
const preflight = (url: string, origin: string) =>
  request(url, "OPTIONS", CREATE_AXON, {
    origin,
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type,connect-protocol-version",
  });

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "ok",
    (e: unknown) => Code[ConnectError.from(e).code],
  );

describe("issue 8: axond's security flags, end to end", { timeout: 60_000 }, () => {
  it("keyless loopback: foreign origins and rebinding Hosts are refused, --cors-origin and --allowed-host admit exactly theirs, the data dir is 0700", async () => {
    const axond = await startAxondProcess({
      args: [
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        join(tmp, "data"),
        "--cors-origin",
        "https://console.example",
        "--allowed-host",
        "axon.internal",
      ],
    });
    try {
      const { port } = new URL(axond.url);
      const consoleOrigin = "https://console.example";

      // A page on another site can neither call nor preflight.
      const foreign = await post(axond.url, CREATE_AXON, { origin: "http://evil.example" });
      expect(foreign.status).toBe(403);
      expect(JSON.parse(foreign.body)).toMatchObject({ code: "permission_denied" });
      expect(foreign.headers["access-control-allow-origin"]).toBeUndefined();
      expect((await preflight(axond.url, "http://evil.example")).status).toBe(403);
      // Nor can a look-alike of the allowed origin.
      expect((await post(axond.url, CREATE_AXON, { origin: "http://console.example" })).status).toBe(403);

      // DNS rebinding: a name resolving to 127.0.0.1 that axond does not answer to.
      const rebound = await post(axond.url, CREATE_AXON, { host: `evil.example:${port}` });
      expect(rebound.status).toBe(403);
      expect(JSON.parse(rebound.body).message).toContain("--allowed-host");
      expect((await request(axond.url, "GET", "/healthz", { host: "evil.example" })).status).toBe(421);

      // --cors-origin: exactly that origin, preflight and the call itself.
      const allowedPreflight = await preflight(axond.url, consoleOrigin);
      expect(allowedPreflight.status).toBe(204);
      expect(allowedPreflight.headers["access-control-allow-origin"]).toBe(consoleOrigin);
      const allowed = await post(axond.url, CREATE_AXON, { origin: consoleOrigin });
      expect(allowed.status).toBe(200);
      expect(allowed.headers["access-control-allow-origin"]).toBe(consoleOrigin);

      // --allowed-host: that name is served, with a port or without.
      expect((await post(axond.url, LIST_AXONS, { host: `axon.internal:${port}` })).status).toBe(200);
      expect((await post(axond.url, LIST_AXONS, { host: "AXON.internal" })).status).toBe(200);

      // A client without Origin (CLI, SDK, gRPC) needs nothing.
      const client = connectAxonClient(axond.url);
      const { axons } = await client.listAxons({});
      expect(axons).toHaveLength(1); // only the allowed origin's CreateAxon got through

      expect((await stat(axond.dataDir)).mode & 0o777).toBe(0o700);
    } finally {
      await axond.stop("SIGTERM");
    }
  });

  it("--api-key K:read reads but cannot publish (PERMISSION_DENIED); no key is UNAUTHENTICATED", async () => {
    const axond = await startAxondProcess({
      args: [
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        join(tmp, "data"),
        "--api-key",
        "reader-key:read",
        "--api-key",
        "writer-key:read+publish",
      ],
    });
    try {
      const writer = connectAxonClient(axond.url, "writer-key");
      const reader = connectAxonClient(axond.url, "reader-key");
      const anonymous = connectAxonClient(axond.url);
      const axonId = (await writer.createAxon({})).axon!.id;
      const event = {
        axonId,
        origin: Origin.USER_EVENT,
        source: "e2e",
        eventType: "user.message",
        payload: '{"content":"hi"}',
      };
      expect(await codeOf(writer.publish(event))).toBe("ok");

      expect(await codeOf(reader.publish(event))).toBe("PermissionDenied");
      expect(await codeOf(reader.createAxon({}))).toBe("PermissionDenied");
      const read = await reader.listEvents({ axonId, afterSequence: 0n, limit: 10 });
      expect(read.events.map((e) => e.payload)).toEqual(['{"content":"hi"}']);
      expect(await codeOf(reader.getAxon({ id: axonId }))).toBe("ok");

      expect(await codeOf(anonymous.listAxons({}))).toBe("Unauthenticated");
      expect(await codeOf(anonymous.publish(event))).toBe("Unauthenticated");
      expect(await codeOf(connectAxonClient(axond.url, "reader-key:read").getAxon({ id: axonId }))).toBe(
        "Unauthenticated",
      );
      expect((await writer.getAxon({ id: axonId })).axon!.headSequence).toBe(1n);
      expect((await stat(axond.dataDir)).mode & 0o777).toBe(0o700);
    } finally {
      await axond.stop("SIGTERM");
    }
  });
});
