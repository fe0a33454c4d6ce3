import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatListenUrl, isLoopbackHost, parseListenAddress } from "./listen-address.js";
import { StartupError } from "./startup-error.js";

describe("parseListenAddress", () => {
  it.each([
    ["127.0.0.1:7433", "127.0.0.1", 7433],
    ["0.0.0.0:80", "0.0.0.0", 80],
    ["localhost:0", "localhost", 0],
    ["axon.example.com:443", "axon.example.com", 443],
    ["[::1]:7433", "::1", 7433],
    ["[::]:0", "::", 0],
    ["[fe80::1:2]:65535", "fe80::1:2", 65535],
    [" 127.0.0.1:1 ", "127.0.0.1", 1],
  ])("parses %s", (text, host, port) => {
    expect(parseListenAddress(text)).toEqual({ host, port });
  });

  it.each([
    ["7433", /missing :PORT/],
    [":7433", /missing HOST/],
    ["127.0.0.1:", /port "" is not a number/],
    ["127.0.0.1:http", /port "http" is not a number/],
    ["127.0.0.1:65536", /out of range/],
    ["127.0.0.1:-1", /not a number/],
    ["::1:7433", /IPv6 addresses must be written in brackets/],
    ["[::1]", /missing :PORT/],
    ["[::1:7433", /missing \]/],
    ["[127.0.0.1]:7433", /not an IPv6 address/],
    ["bad_host!:7433", /not a valid host/],
    ["", /missing :PORT/],
  ])("rejects %j with a message saying why", (text, why) => {
    expect(() => parseListenAddress(text)).toThrow(StartupError);
    expect(() => parseListenAddress(text)).toThrow(why);
    expect(() => parseListenAddress(text)).toThrow(/expected HOST:PORT/);
  });

  it("round-trips every IPv4 and IPv6 address with every port through the URL form", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 0, max: 65535 }), (host, port) => {
        const url = formatListenUrl({ host, port });
        expect(parseListenAddress(url.slice("http://".length))).toEqual({ host, port });
      }),
    );
  });
});

describe("isLoopbackHost", () => {
  it.each(["127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"])(
    "%s is loopback",
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );

  it.each(["0.0.0.0", "::", "10.0.0.1", "192.168.1.10", "example.com", "::ffff:10.0.0.1", "128.0.0.1"])(
    "%s is not loopback",
    (host) => expect(isLoopbackHost(host)).toBe(false),
  );
});

describe("formatListenUrl", () => {
  it("brackets IPv6 hosts", () => {
    expect(formatListenUrl({ host: "::1", port: 7433 })).toBe("http://[::1]:7433");
    expect(formatListenUrl({ host: "127.0.0.1", port: 0 })).toBe("http://127.0.0.1:0");
  });
});
