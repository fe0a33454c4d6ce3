import { afterEach, describe, expect, it } from "vitest";
import { endpoint, SECRET, startTestGateway } from "../src/test-support/gateway-harness.js";
import { rawRequest } from "../src/test-support/raw-http.js";
import { startFakeUpstream } from "../src/test-support/servers.js";

// Issue 8 item 9: `/b/<id>/../../../escape` was forwarded as `/api/../../../escape` with the
// secret. A path that leaves the endpoint's base path is refused, audited, and never forwarded.
describe("issue 8: credential gateway path escape", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setup() {
    const upstream = await startFakeUpstream();
    cleanups.push(upstream.close);
    const t = await startTestGateway();
    cleanups.push(t.close);
    const binding = t.gateway.registerBinding({
      runtimeId: "rt_a",
      prefix: "GWS_A",
      gateway: endpoint(`http://127.0.0.1:${upstream.port}/api`),
      secret: SECRET,
    });
    // Raw bytes: an HTTP client library would normalise the dots away before sending.
    const send = (path: string) =>
      rawRequest(
        t.gateway.port,
        `GET ${binding.path}${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${binding.token}\r\nConnection: close\r\n\r\n`,
      );
    return { t, upstream, send };
  }

  it.each(["/../../../escape", "/v1/../../escape", "/%2e%2e/%2E%2E/escape", "/.%2e/escape"])(
    "%s → 403, audited, the upstream never sees it",
    async (path) => {
      const { t, upstream, send } = await setup();
      const response = await send(path);
      expect(response.status).toBe(403);
      expect(response.body).toContain("leaves the gateway's configured base path");
      expect(upstream.requests).toEqual([]);
      expect(t.access_events()).toMatchObject([
        { type: "gateway.denied", runtime_id: "rt_a", rule: "deny:path-escape", binding: "GWS_A" },
      ]);
    },
  );

  it.each(["/..%2f..%2fescape", "/a%5c..%5c..%5cescape"])(
    "%s (encoded separators) → 400, audited, not forwarded",
    async (path) => {
      const { t, upstream, send } = await setup();
      expect((await send(path)).status).toBe(400);
      expect(upstream.requests).toEqual([]);
      expect(t.access_events()).toMatchObject([{ type: "gateway.denied", rule: "deny:invalid-path" }]);
    },
  );

  it("dot segments that stay inside the base path are resolved before forwarding", async () => {
    const { upstream, send } = await setup();
    expect((await send("/v1/x/../messages?q=1")).status).toBe(200);
    expect(upstream.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ["/api/v1/messages?q=1", `Bearer ${SECRET}`],
    ]);
  });
});
