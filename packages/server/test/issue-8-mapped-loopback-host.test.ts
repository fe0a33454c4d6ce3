import http from "node:http";
import http2 from "node:http2";
import fc from "fast-check";
import { afterEach, describe, expect, test } from "vitest";
import { type AdmissionPolicy, decideRequestAdmission } from "../src/request-admission.js";
import { type Harness, startHarness } from "./support/harness.js";

// Issue 8 (Host admission): an IPv4-mapped IPv6 loopback Host ([::ffff:127.0.0.1], [::ffff:7f00:1])
// was refused although only this machine can use it; mapped addresses of other machines must stay
// refused on a loopback server.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const loopback: AdmissionPolicy = { listenHost: "127.0.0.1", allowedHosts: [], corsOrigins: [] };

const hex = (n: number) => n.toString(16);
/** Every way to write IPv4 address a.b.c.d as a bracketed IPv6 Host name. */
const mappedSpellings = fc
  .record({
    // Half of them loopback: 127 would be drawn once in 256 otherwise.
    octets: fc.tuple(fc.oneof(fc.constant(127), fc.nat(255)), fc.nat(255), fc.nat(255), fc.nat(255)),
    form: fc.constantFrom("dotted", "hex", "full-dotted", "full-hex", "padded-hex"),
    upper: fc.boolean(),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  })
  .map(({ octets: [a, b, c, d], form, upper, port }) => {
    const dotted = `${a}.${b}.${c}.${d}`;
    const hi = hex((a << 8) | b);
    const lo = hex((c << 8) | d);
    const address = {
      dotted: `::ffff:${dotted}`,
      hex: `::ffff:${hi}:${lo}`,
      "full-dotted": `0:0:0:0:0:ffff:${dotted}`,
      "full-hex": `0:0:0:0:0:ffff:${hi}:${lo}`,
      "padded-hex": `0000::ffff:${hi.padStart(4, "0")}:${lo.padStart(4, "0")}`,
    }[form];
    const name = `[${upper ? address.toUpperCase() : address}]`;
    return { host: port === undefined ? name : `${name}:${port}`, isLoopback: a === 127 };
  });

describe("the admission decision over Host spellings", () => {
  test("an IPv4-mapped IPv6 Host is served exactly when its IPv4 address is in 127.0.0.0/8", () => {
    fc.assert(
      fc.property(mappedSpellings, ({ host, isLoopback }) => {
        const admission = decideRequestAdmission({ host, origin: undefined }, loopback);
        expect(admission.kind).toBe(isLoopback ? "allow" : "refuse");
      }),
    );
  });

  test("the same holds for the plain IPv4 Host: a dotted quad is served exactly when it is 127/8", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.option(fc.integer({ min: 1, max: 65535 })), (address, port) => {
        const host = port === null ? address : `${address}:${port}`;
        const admission = decideRequestAdmission({ host, origin: undefined }, loopback);
        expect(admission.kind).toBe(address.startsWith("127.") ? "allow" : "refuse");
      }),
    );
  });

  test.each(["[::1]", "[0::1]", "[0000:0000:0000:0000:0000:0000:0000:0001]:80", "[::0:1]"])(
    "%s, another spelling of ::1, is served",
    (host) => {
      expect(decideRequestAdmission({ host, origin: undefined }, loopback).kind).toBe("allow");
    },
  );

  test.each([
    "[::ffff:10.0.0.1]",
    "[::ffff:a00:1]:8080",
    "[::ffff:128.0.0.1]",
    "[::ffff:0:127.0.0.1]", // IPv4-translated, not mapped: not this machine
    "[64:ff9b::7f00:1]", // NAT64 of 127.0.0.1: another machine's gateway
    "[::127.0.0.1]",
    "[::]",
    "[::2]",
    "::ffff:127.0.0.1", // an IPv6 Host must be bracketed
  ])("%s is refused on a loopback server", (host) => {
    expect(decideRequestAdmission({ host, origin: undefined }, loopback)).toMatchObject({
      kind: "refuse",
      status: 421,
    });
  });
});

function getWithHost(url: string, path: string, host: string) {
  const { hostname, port } = new URL(url);
  return new Promise<number>((resolve, reject) => {
    const request = http.request({ hostname, port, path, headers: { host } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode!));
    });
    request.on("error", reject);
    request.end();
  });
}

async function createAxonOverH2(url: string, authority: string) {
  const session = http2.connect(url);
  try {
    const stream = session.request({
      ":method": "POST",
      ":path": "/openaxon.v1.AxonService/CreateAxon",
      ":authority": authority,
      "content-type": "application/json",
      "connect-protocol-version": "1",
    });
    let status = 0;
    stream.on("response", (headers) => {
      status = Number(headers[":status"]);
    });
    stream.resume();
    stream.end("{}");
    await new Promise<void>((resolve, reject) => {
      stream.on("close", resolve);
      stream.on("error", reject);
    });
    return status;
  } finally {
    session.close();
  }
}

describe("a real loopback server", () => {
  test("serves mapped loopback Hosts with and without a port, over HTTP/1.1 and HTTP/2, and refuses other mapped hosts", async () => {
    h = await startHarness();
    const port = new URL(h.server.url).port;
    for (const name of ["[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::FFFF:7F00:0001]"]) {
      for (const host of [name, `${name}:${port}`]) {
        expect(await getWithHost(h.server.url, "/healthz", host), host).toBe(200);
        expect(await createAxonOverH2(h.server.url, host), host).toBe(200);
      }
    }
    for (const host of ["[::ffff:10.0.0.1]", `[::ffff:c0a8:101]:${port}`]) {
      expect(await getWithHost(h.server.url, "/healthz", host), host).toBe(421);
      expect(await createAxonOverH2(h.server.url, host), host).toBe(403);
    }
    expect((await h.client.listAxons({})).axons).toHaveLength(6);
  });
});
