import { describe, expect, it } from "vitest";
import { CLOUD_METADATA_ADDRESSES, classifyAddress } from "./address-classification.js";
import { parseIpLiteral } from "./ip-address.js";

const classify = (text: string, hostAddresses: string[] = []) =>
  classifyAddress(parseIpLiteral(text)!, { hostAddresses: hostAddresses.map((h) => parseIpLiteral(h)!) });

describe("classifyAddress", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["169.254.1.1", "link-local"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.254", "cgnat"],
    ["100.63.255.254", "public"],
    ["100.128.0.1", "public"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.1", "reserved"],
    ["198.18.0.1", "reserved"],
  ])("IPv4 %s is %s", (address, category) => {
    expect(classify(address).category).toBe(category);
  });

  it("marks every cloud metadata address, IPv4 and IPv6", () => {
    for (const address of CLOUD_METADATA_ADDRESSES)
      expect(classify(address).category, address).toBe("cloud-metadata");
    expect(classify("::ffff:169.254.169.254").category).toBe("cloud-metadata");
    expect(classify("64:ff9b::a9fe:a9fe").category).toBe("cloud-metadata");
  });

  it.each([
    ["::1", "loopback", undefined],
    ["::", "unspecified", undefined],
    ["::ffff:10.0.0.1", "private", "ipv4-mapped"],
    ["::ffff:127.0.0.1", "loopback", "ipv4-mapped"],
    ["::ffff:8.8.8.8", "public", "ipv4-mapped"],
    ["::ffff:0:10.0.0.1", "private", "ipv4-translated"],
    ["::10.0.0.1", "private", "ipv4-compatible"],
    ["64:ff9b::a00:1", "private", "nat64"],
    ["64:ff9b::7f00:1", "loopback", "nat64"],
    ["64:ff9b::808:808", "public", "nat64"],
    ["2002:a00:1::1", "private", "6to4"],
    ["2002:7f00:1::1", "loopback", "6to4"],
    // Teredo: the client address is the last 32 bits inverted (f5ff:fffe -> 10.0.0.1).
    ["2001:0:4136:e378:8000:63bf:f5ff:fffe", "private", "teredo"],
    ["2001:0:4136:e378:8000:63bf:f7f7:f7f7", "public", "teredo"], // client 8.8.8.8
    ["fd12:3456::1", "private", undefined],
    ["fe80::1", "link-local", undefined],
    ["ff02::1", "multicast", undefined],
    ["2001:db8::1", "reserved", undefined],
    ["64:ff9b:1::1", "private", undefined],
    ["4000::1", "reserved", undefined],
    ["2606:4700:4700::1111", "public", undefined],
  ])("IPv6 %s is %s (embedding %s)", (address, category, via) => {
    const result = classify(address);
    expect(result.category).toBe(category);
    expect(result.embedded?.via).toBe(via);
  });

  it("reports the embedded IPv4 address", () => {
    expect(classify("64:ff9b::a00:1").embedded).toEqual({ via: "nat64", ipv4: "10.0.0.1" });
  });

  it("marks this host's own public addresses as host, directly or embedded", () => {
    expect(classify("93.184.216.34", ["93.184.216.34"]).category).toBe("host");
    expect(classify("::ffff:93.184.216.34", ["93.184.216.34"]).category).toBe("host");
    expect(classify("93.184.216.35", ["93.184.216.34"]).category).toBe("public");
  });
});
