import http from "node:http";
import { afterEach, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CREATE_AXON = "/openaxon.v1.AxonService/CreateAxon";

/** A raw HTTP/1.1 request, so Host can be anything (fetch will not let a page set it either). */
function post(url: string, path: string, headers: Record<string, string>, body = "{}") {
  const { hostname, port } = new URL(url);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      const request = http.request(
        {
          hostname,
          port,
          path,
          method: headers["access-control-request-method"] ? "OPTIONS" : "POST",
          headers,
        },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk) => {
            text += chunk;
          });
          response.on("end", () =>
            resolve({ status: response.statusCode!, headers: response.headers, body: text }),
          );
        },
      );
      request.on("error", reject);
      request.end(headers["access-control-request-method"] ? undefined : body);
    },
  );
}

const connectJson = { "content-type": "application/json", "connect-protocol-version": "1" };

describe("issue 8: a web page cannot drive a keyless loopback server", () => {
  test("a cross-origin CreateAxon is refused with 403, no CORS headers, and nothing is created", async () => {
    h = await startHarness();
    const response = await post(h.server.url, CREATE_AXON, { ...connectJson, origin: "http://evil.example" });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ code: "permission_denied" });
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
    const preflight = await post(h.server.url, CREATE_AXON, {
      origin: "http://evil.example",
      "access-control-request-method": "POST",
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    expect((await h.client.listAxons({})).axons).toEqual([]);
  });

  test("a DNS-rebinding Host is refused and nothing is created", async () => {
    h = await startHarness();
    const port = new URL(h.server.url).port;
    const response = await post(h.server.url, CREATE_AXON, { ...connectJson, host: `evil.example:${port}` });
    // In the Connect protocol: permission_denied (HTTP 403); a plain request gets 421 Misdirected.
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).message).toContain("--allowed-host");
    const plain = await post(h.server.url, "/healthz", { host: "evil.example" });
    expect(plain.status).toBe(421);
    expect((await h.client.listAxons({})).axons).toEqual([]);
  });

  test("allowlisted origin (preflight and call), same-origin and Origin-less requests work", async () => {
    h = await startHarness({ corsOrigins: ["https://console.example"], allowedHosts: ["axon.internal"] });
    const preflight = await post(h.server.url, CREATE_AXON, {
      origin: "https://console.example",
      "access-control-request-method": "POST",
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe("https://console.example");
    expect(preflight.headers.vary).toBe("Origin");
    const allowed = await post(h.server.url, CREATE_AXON, {
      ...connectJson,
      origin: "https://console.example",
    });
    expect(allowed.status).toBe(200);
    const port = new URL(h.server.url).port;
    const sameOrigin = await post(h.server.url, CREATE_AXON, {
      ...connectJson,
      host: `axon.internal:${port}`,
      origin: `http://axon.internal:${port}`,
    });
    expect(sameOrigin.status).toBe(200);
    expect(sameOrigin.headers["access-control-allow-origin"]).toBeUndefined();
    const noOrigin = await post(h.server.url, CREATE_AXON, connectJson);
    expect(noOrigin.status).toBe(200);
    expect((await h.client.listAxons({})).axons).toHaveLength(3);
  });
});
