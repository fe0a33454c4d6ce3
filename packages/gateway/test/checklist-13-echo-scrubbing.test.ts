import { gzipSync } from "node:zlib";
import { AuthMechanismType } from "@openaxon/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { call, endpoint, SECRET, startTestGateway } from "../src/test-support/gateway-harness.js";
import { startFakeUpstream } from "../src/test-support/servers.js";

const forms = [
  SECRET,
  Buffer.from(SECRET).toString("base64").replace(/=+$/, ""),
  Buffer.from(`user:${SECRET}`).toString("base64").replace(/=+$/, ""),
];

// Checklist 13: an upstream that echoes the request back does not hand the secret to the agent.
describe("checklist 13: echoing upstreams are scrubbed", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function echoThrough(
    mechanism: { type: AuthMechanismType; key: string },
    respond: (echo: string, res: import("node:http").ServerResponse) => void,
  ) {
    const upstream = await startFakeUpstream((req, res) =>
      respond(JSON.stringify({ headers: req.headers, body: req.body }), res),
    );
    cleanups.push(upstream.close);
    const t = await startTestGateway();
    cleanups.push(t.close);
    const binding = t.gateway.registerBinding({
      runtimeId: "rt_a",
      prefix: "GWS_ECHO",
      gateway: endpoint(`http://127.0.0.1:${upstream.port}`, { authMechanism: mechanism }),
      secret: SECRET,
    });
    const headers =
      mechanism.type === AuthMechanismType.HEADER
        ? { [mechanism.key]: binding.token }
        : mechanism.type === AuthMechanismType.BASIC
          ? { authorization: `Basic ${Buffer.from(`me:${binding.token}`).toString("base64")}` }
          : { authorization: `Bearer ${binding.token}` };
    const response = await call(`${binding.url()}/echo`, { method: "POST", headers, body: "hello" });
    return { response, upstream };
  }

  const expectClean = (response: { headers: object; body: string }) => {
    const everything = JSON.stringify(response.headers) + response.body;
    for (const form of forms) expect(everything).not.toContain(form);
    expect(everything).toContain("[redacted]");
  };

  it("scrubs the secret from an echoed body and echoed response headers (bearer)", async () => {
    const { response, upstream } = await echoThrough(
      { type: AuthMechanismType.BEARER, key: "" },
      (echo, res) => {
        res.setHeader("x-echo-authorization", `Bearer ${SECRET}`);
        res.end(echo);
      },
    );
    expect(upstream.requests[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(response.status).toBe(200);
    expect(response.headers["x-echo-authorization"]).toBe("Bearer [redacted]");
    expect(JSON.parse(response.body).body).toBe("hello");
    expectClean(response);
  });

  it("scrubs a secret split across response chunks", async () => {
    const { response } = await echoThrough(
      { type: AuthMechanismType.HEADER, key: "x-api-key" },
      (_echo, res) => {
        const half = SECRET.length / 2;
        res.write(`key=${SECRET.slice(0, half)}`, () => {
          setTimeout(() => res.end(`${SECRET.slice(half)};`), 20);
        });
      },
    );
    expect(response.body).toBe("key=[redacted];");
  });

  it("scrubs the base64 Basic credential", async () => {
    const { response, upstream } = await echoThrough(
      { type: AuthMechanismType.BASIC, key: "user" },
      (echo, res) => res.end(echo),
    );
    expect(upstream.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from(`user:${SECRET}`).toString("base64")}`,
    );
    expectClean(response);
  });

  it("sees through a compressed echo the upstream sent despite Accept-Encoding: identity", async () => {
    const { response, upstream } = await echoThrough(
      { type: AuthMechanismType.BEARER, key: "" },
      (echo, res) => {
        res.setHeader("content-encoding", "gzip");
        res.end(gzipSync(echo));
      },
    );
    expect(upstream.requests[0]!.headers["accept-encoding"]).toBe("identity");
    expect(response.headers["content-encoding"]).toBeUndefined();
    expectClean(response);
  });

  it("refuses an encoding it cannot scrub instead of passing it through", async () => {
    const { response } = await echoThrough({ type: AuthMechanismType.BEARER, key: "" }, (echo, res) => {
      res.setHeader("content-encoding", "zstd");
      res.end(echo);
    });
    expect(response.status).toBe(502);
    expectCleanOfSecret(response.body);
  });
});

function expectCleanOfSecret(text: string) {
  for (const form of forms) expect(text).not.toContain(form);
}
