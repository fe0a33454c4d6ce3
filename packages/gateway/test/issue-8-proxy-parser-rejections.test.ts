import { afterEach, describe, expect, it } from "vitest";
import { policy, startTestProxy } from "../src/test-support/proxy-harness.js";
import { rawRequest } from "../src/test-support/raw-http.js";
import { startFakeUpstream } from "../src/test-support/servers.js";

// Issue 8 item 11: requests the HTTP parser refuses (CL+TE, obs-fold, bare LF, `\` or `#` in the
// target) got a 400 and left no trace. Each now becomes a gateway.denied event with its reason,
// attributed to the runtime whose proxy credential it carried, through the same rate limiter.
describe("issue 8: proxy parser rejections are audited", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  const cases: Array<[string, (target: string, auth: string) => string, RegExp]> = [
    [
      "Content-Length with Transfer-Encoding",
      (t, a) =>
        `POST ${t} HTTP/1.1\r\nProxy-Authorization: ${a}\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      /Transfer-Encoding/,
    ],
    ["obs-fold", (t, a) => `GET ${t} HTTP/1.1\r\nProxy-Authorization: ${a}\r\nX-A: a\r\n b\r\n\r\n`, /HPE_/],
    ["bare LF", (t, a) => `GET ${t} HTTP/1.1\nProxy-Authorization: ${a}\n\n`, /HPE_/],
    [
      "backslash in the target",
      (t, a) => `GET ${t.slice(0, -1)}\\@evil/ HTTP/1.1\r\nProxy-Authorization: ${a}\r\n\r\n`,
      /HPE_INVALID_URL/,
    ],
    [
      "# in a CONNECT target",
      (_t, a) => `CONNECT 127.0.0.1:443#x HTTP/1.1\r\nProxy-Authorization: ${a}\r\n\r\n`,
      /HPE_INVALID_URL/,
    ],
  ];

  it.each(cases)("%s → 400 and gateway.denied for the runtime", async (_name, build, reason) => {
    const upstream = await startFakeUpstream();
    cleanups.push(upstream.close);
    const t = await startTestProxy({
      policy: policy({ allowedCidrs: [{ cidr: "127.0.0.1/32", ports: [] }] }),
    });
    cleanups.push(t.close);
    const response = await rawRequest(t.proxy.port, build(`http://127.0.0.1:${upstream.port}/`, t.auth));
    expect(response.status).toBe(400);
    expect(upstream.requests).toEqual([]);
    const events = t.access_events();
    expect(events).toMatchObject([{ type: "gateway.denied", runtime_id: "rt_test", rule: "deny:malformed" }]);
    expect(events[0]!.reason).toMatch(reason);
    expect(JSON.stringify(t.events)).not.toContain(t.access.password);
  });

  it("without a valid credential the event is not attributed to any runtime", async () => {
    const t = await startTestProxy();
    cleanups.push(t.close);
    const forged = `Basic ${Buffer.from("rt_test:wrong").toString("base64")}`;
    await rawRequest(
      t.proxy.port,
      `POST http://a.example/ HTTP/1.1\r\nProxy-Authorization: ${forged}\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    expect(t.access_events()).toMatchObject([
      { type: "gateway.denied", runtime_id: "", rule: "deny:malformed" },
    ]);
  });
});
