import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hostnameMatches, normalizeHost, normalizeHostname, parseHostnamePattern } from "./hostname.js";

const pattern = (text: string) => {
  const parsed = parseHostnamePattern(text);
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed;
};

describe("normalizeHostname", () => {
  it("lowercases, drops one trailing dot and converts IDNs to punycode", () => {
    expect(normalizeHostname("API.GitHub.COM.")).toBe("api.github.com");
    expect(normalizeHostname("Bücher.Example")).toBe("xn--bcher-kva.example");
    expect(normalizeHostname("xn--bcher-kva.example")).toBe("xn--bcher-kva.example");
  });

  it("rejects empty labels, bad characters and ambiguous numbers", () => {
    for (const bad of [
      "",
      ".",
      "a..b",
      "a b",
      "-a.com",
      "a.com..",
      "exa%41mple.com",
      "a/b",
      "0x7f.1",
      "127.1",
      "1.2.3.4.5",
      `${"a".repeat(64)}.com`,
    ]) {
      expect(normalizeHostname(bad), bad).toHaveProperty("error");
    }
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.domain(), (domain) => {
        const once = normalizeHostname(domain);
        if (typeof once === "string") expect(normalizeHostname(once)).toBe(once);
      }),
    );
  });
});

describe("normalizeHost", () => {
  it("tells IP literals from names and canonicalizes IPv6", () => {
    expect(normalizeHost("10.0.0.1")).toMatchObject({ kind: "ip", text: "10.0.0.1" });
    expect(normalizeHost("0:0:0:0:0:0:0:1")).toMatchObject({ kind: "ip", text: "::1" });
    expect(normalizeHost("Example.com")).toEqual({ kind: "name", name: "example.com" });
    expect(normalizeHost("fe80::1%25eth0")).toHaveProperty("error");
  });
});

describe("hostname patterns", () => {
  it("*.github.com matches subdomains only, never the apex or look-alikes", () => {
    const p = pattern("*.github.com");
    expect(hostnameMatches(p, "api.github.com")).toBe(true);
    expect(hostnameMatches(p, "a.b.github.com")).toBe(true);
    expect(hostnameMatches(p, "github.com")).toBe(false);
    expect(hostnameMatches(p, "evilgithub.com")).toBe(false);
    expect(hostnameMatches(p, "github.com.evil.com")).toBe(false);
  });

  it("normalizes patterns the same way as hosts", () => {
    expect(pattern("*.GitHub.COM.")).toEqual({ kind: "wildcard", suffix: "github.com" });
    expect(pattern("Bücher.example")).toEqual({ kind: "exact", name: "xn--bcher-kva.example" });
  });

  it("allows a wildcard only as the whole first label, and not over a bare TLD", () => {
    for (const bad of [
      "*",
      "*github.com",
      "api.*.com",
      "**.github.com",
      "*.com",
      "10.0.0.1",
      "*.10.0.0.1",
      "::1",
    ]) {
      expect(parseHostnamePattern(bad), bad).toHaveProperty("error");
    }
  });

  it("a wildcard matches exactly the names that end in .suffix", () => {
    fc.assert(
      fc.property(fc.domain(), fc.domain(), (sub, suffix) => {
        const s = normalizeHostname(suffix);
        const name = normalizeHostname(`${sub}.${suffix}`);
        if (typeof s !== "string" || typeof name !== "string" || !s.includes(".")) return;
        expect(hostnameMatches(pattern(`*.${s}`), name)).toBe(true);
        expect(hostnameMatches(pattern(`*.${s}`), s)).toBe(false);
      }),
    );
  });
});
