import { afterEach, describe, expect, it } from "vitest";
import { policy, startTestProxy } from "../src/test-support/proxy-harness.js";
import { rawRequest } from "../src/test-support/raw-http.js";
import { startFakeUpstream } from "../src/test-support/servers.js";

// Checklist 9: Proxy-Authorization and internal headers never reach an upstream; CRLF in header
// values is rejected.
describe("checklist 9: headers", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setup() {
    const upstream = await startFakeUpstream();
    cleanups.push(upstream.close);
    const t = await startTestProxy({
      policy: policy({ allowedCidrs: [{ cidr: "127.0.0.1/32", ports: [] }] }),
    });
    cleanups.push(t.close);
    return { t, upstream };
  }

  it("strips Proxy-Authorization, Proxy-Connection, x-openaxon-* and hop-by-hop headers", async () => {
    const { t, upstream } = await setup();
    const response = await t.request(`http://127.0.0.1:${upstream.port}/`, {
      "Proxy-Connection": "keep-alive",
      "X-OpenAxon-Runtime-Id": "rt_spoofed",
      "x-openaxon-internal": "1",
      Connection: "close, X-Hop",
      "X-Hop": "1",
      "X-Kept": "yes",
    });
    expect(response.status).toBe(200);
    const names = upstream.requests[0]!.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names).toContain("x-kept");
    for (const name of [
      "proxy-authorization",
      "proxy-connection",
      "x-openaxon-runtime-id",
      "x-openaxon-internal",
      "x-hop",
    ]) {
      expect(names).not.toContain(name);
    }
    expect(JSON.stringify(upstream.requests[0]!.rawHeaders)).not.toContain(t.access.password);
  });

  it("rejects CR, LF, NUL and folded lines in header values before anything is forwarded", async () => {
    const { t, upstream } = await setup();
    const target = `http://127.0.0.1:${upstream.port}/`;
    for (const header of [
      "X-Evil: a\rb",
      "X-Evil: a\r\n b",
      "X-Evil: a\0b",
      "X-Evil: a\r\r\nX-Injected: 1",
    ]) {
      const response = await rawRequest(
        t.proxy.port,
        `GET ${target} HTTP/1.1\r\nProxy-Authorization: ${t.auth}\r\n${header}\r\nConnection: close\r\n\r\n`,
      );
      expect(response.status, JSON.stringify(header)).toBe(400);
    }
    expect(upstream.requests).toEqual([]);
  });

  it("requires the runtime's proxy credential", async () => {
    const { t, upstream } = await setup();
    const missing = await rawRequest(
      t.proxy.port,
      `GET http://127.0.0.1:${upstream.port}/ HTTP/1.1\r\nConnection: close\r\n\r\n`,
    );
    expect(missing.status).toBe(407);
    expect(missing.headers["proxy-authenticate"]).toContain("Basic");
    const wrong = await rawRequest(
      t.proxy.port,
      `GET http://127.0.0.1:${upstream.port}/ HTTP/1.1\r\nProxy-Authorization: Basic ${Buffer.from("rt_test:nope").toString("base64")}\r\nConnection: close\r\n\r\n`,
    );
    expect(wrong.status).toBe(407);
    expect(upstream.requests).toEqual([]);
  });
});
