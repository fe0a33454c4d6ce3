import { describe, expect, it } from "vitest";
import { formatAuthority, parseAbsoluteHttpTarget, parseConnectAuthority } from "./authority.js";

describe("parseConnectAuthority", () => {
  it("parses host:port and bracketed IPv6", () => {
    const a = parseConnectAuthority("API.Example.com:443");
    if ("error" in a) throw new Error(a.error);
    expect(formatAuthority(a)).toBe("api.example.com:443");
    const b = parseConnectAuthority("[2001:DB8::1]:8443");
    if ("error" in b) throw new Error(b.error);
    expect(formatAuthority(b)).toBe("[2001:db8::1]:8443");
  });

  it.each([
    "host:0",
    "host:70000",
    "host:65536",
    "host:-1",
    "host:+443",
    "host:0443",
    "host:",
    "host",
    "user@host:443",
    "user:pw@host:443",
    "host:443:1",
    "::1:443",
    "[::1]",
    "[::1:443",
    "::1]:443",
    "[::1]x:443",
    "[10.0.0.1]:443",
    "[fe80::1%25eth0]:443",
    "ho st:443",
    "host\r\nX: y:443",
    "host/path:443",
    ":443",
    "0x7f.1:443",
  ])("rejects %j", (target) => {
    expect(parseConnectAuthority(target)).toHaveProperty("error");
  });
});

describe("parseAbsoluteHttpTarget", () => {
  it("splits authority and origin-form path, defaulting to port 80 and /", () => {
    const t = parseAbsoluteHttpTarget("HTTP://Example.com/a/b?c=d");
    if ("error" in t) throw new Error(t.error);
    expect(formatAuthority(t.authority)).toBe("example.com:80");
    expect(t.path).toBe("/a/b?c=d");
    const u = parseAbsoluteHttpTarget("http://example.com:8080");
    if ("error" in u) throw new Error(u.error);
    expect(u.path).toBe("/");
    expect(u.authority.port).toBe(8080);
    const v = parseAbsoluteHttpTarget("http://example.com?x=1");
    if ("error" in v) throw new Error(v.error);
    expect(v.path).toBe("/?x=1");
  });

  it.each([
    "/relative",
    "https://example.com/",
    "ftp://example.com/",
    "http://user@example.com/",
    "http://example.com:0/",
    "http://example.com:99999/",
    "http://example.com/#frag",
    "http://exa mple.com/",
    "http:\\\\example.com/",
    "http://[::1/",
  ])("rejects %j", (target) => {
    expect(parseAbsoluteHttpTarget(target)).toHaveProperty("error");
  });
});
