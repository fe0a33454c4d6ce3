import { describe, expect, it } from "vitest";
import { cidrContains, formatCidr, formatIp, parseCidr, parseIpLiteral } from "./ip-address.js";

describe("parseIpLiteral", () => {
  it("accepts canonical IPv4 and IPv6 literals", () => {
    expect(formatIp(parseIpLiteral("10.0.0.1")!)).toBe("10.0.0.1");
    expect(formatIp(parseIpLiteral("2001:DB8:0:0::1")!)).toBe("2001:db8::1");
    expect(formatIp(parseIpLiteral("::ffff:10.0.0.1")!)).toBe("::ffff:a00:1");
    // IPv4-compatible, not IPv4-mapped: a different address.
    expect(formatIp(parseIpLiteral("::10.0.0.1")!)).toBe("::a00:1");
  });

  it("rejects the numeric forms resolvers disagree on", () => {
    for (const text of [
      "127.1",
      "0x7f.0.0.1",
      "0177.0.0.1",
      "2130706433",
      "010.0.0.1",
      "1.2.3.4.5",
      "fe80::1%eth0",
      "",
    ]) {
      expect(parseIpLiteral(text), text).toBeUndefined();
    }
  });
});

describe("parseCidr", () => {
  it("parses networks and matches addresses inside them only", () => {
    const net = parseCidr("100.64.0.0/10");
    if ("error" in net) throw new Error(net.error);
    expect(cidrContains(net, parseIpLiteral("100.64.0.1")!)).toBe(true);
    expect(cidrContains(net, parseIpLiteral("100.127.255.254")!)).toBe(true);
    expect(cidrContains(net, parseIpLiteral("100.63.255.254")!)).toBe(false);
    expect(cidrContains(net, parseIpLiteral("100.128.0.1")!)).toBe(false);
  });

  it("reads IPv4-mapped IPv6 networks as the IPv4 network they name", () => {
    const net = parseCidr("::ffff:10.0.0.0/104");
    if ("error" in net) throw new Error(net.error);
    expect(formatCidr(net)).toBe("10.0.0.0/8");
  });

  it("rejects host bits, bad prefixes and non-addresses with a useful message", () => {
    expect(parseCidr("10.0.0.1/8")).toEqual({ error: expect.stringContaining("did you mean 10.0.0.0/8") });
    expect(parseCidr("10.0.0.0/33")).toHaveProperty("error");
    expect(parseCidr("10.0.0.0")).toHaveProperty("error");
    expect(parseCidr("example.com/24")).toHaveProperty("error");
    expect(parseCidr("10.0.0.0/08")).toHaveProperty("error");
  });
});
