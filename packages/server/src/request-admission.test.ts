import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type AdmissionPolicy, decideRequestAdmission, normalizeOrigin } from "./request-admission.js";

const loopback: AdmissionPolicy = { listenHost: "127.0.0.1", allowedHosts: [], corsOrigins: [] };
const decide = (host: string | undefined, origin: string | undefined, policy: AdmissionPolicy = loopback) =>
  decideRequestAdmission({ host, origin }, policy);

describe("Host", () => {
  test.each([
    "127.0.0.1:8080",
    "127.0.0.1",
    "127.8.9.10:1",
    "localhost:8080",
    "LOCALHOST",
    "localhost.:8080",
    "[::1]:8080",
    "[0:0:0:0:0:0:0:1]",
  ])("a loopback name %s is served", (host) => {
    expect(decide(host, undefined)).toEqual({ kind: "allow" });
  });

  test.each([
    "attacker.example:8080",
    "localhost.attacker.example",
    "127.0.0.1.nip.io:8080",
    "2130706433",
    "10.0.0.5:8080",
    "evil@127.0.0.1:8080",
    "127.0.0.1:8080/path",
    "127.0.0.1:99999",
    "",
    " ",
  ])("%j is not a name a loopback server answers to: 421", (host) => {
    const admission = decide(host, undefined);
    expect(admission).toMatchObject({ kind: "refuse", status: 421 });
    if (admission.kind === "refuse") expect(admission.reason).toContain("--allowed-host");
  });

  test("DNS rebinding: attacker.example resolving to 127.0.0.1 is refused, even with its own same-origin Origin", () => {
    const admission = decide("attacker.example:8080", "http://attacker.example:8080");
    expect(admission).toMatchObject({ kind: "refuse", status: 421 });
  });

  test("the listen address and --allowed-host values are served; other names are not", () => {
    const policy: AdmissionPolicy = {
      listenHost: "axon.internal",
      allowedHosts: ["proxy.example", "10.1.2.3"],
      corsOrigins: [],
    };
    expect(decide("axon.internal:8080", undefined, policy).kind).toBe("allow");
    expect(decide("AXON.internal.", undefined, policy).kind).toBe("allow");
    expect(decide("proxy.example:443", undefined, policy).kind).toBe("allow");
    expect(decide("10.1.2.3", undefined, policy).kind).toBe("allow");
    expect(decide("10.1.2.4", undefined, policy)).toMatchObject({ kind: "refuse", status: 421 });
    expect(decide("other.example", undefined, policy)).toMatchObject({ kind: "refuse", status: 421 });
  });

  test("listening on every interface serves any IP literal but no unlisted name", () => {
    for (const listenHost of ["0.0.0.0", "::"]) {
      const policy: AdmissionPolicy = { listenHost, allowedHosts: [], corsOrigins: [] };
      expect(decide("192.168.1.20:8080", undefined, policy).kind).toBe("allow");
      expect(decide("[fe80::1]:8080", undefined, policy).kind).toBe("allow");
      expect(decide("attacker.example:8080", undefined, policy)).toMatchObject({ status: 421 });
    }
  });

  test("no Host at all (not a browser) passes", () => {
    expect(decide(undefined, undefined)).toEqual({ kind: "allow" });
  });
});

describe("Origin", () => {
  test("same-origin passes without CORS headers (a console served by axond)", () => {
    expect(decide("127.0.0.1:8080", "http://127.0.0.1:8080")).toEqual({ kind: "allow" });
    expect(decide("localhost", "http://localhost")).toEqual({ kind: "allow" });
    expect(decide("[::1]:8080", "http://[::1]:8080")).toEqual({ kind: "allow" });
  });

  test("the scheme is not compared: behind a TLS proxy the page is https, the server sees the same host:port", () => {
    expect(decide("127.0.0.1:8080", "https://127.0.0.1:8080")).toEqual({ kind: "allow" });
    // A Host without a port means the Origin scheme's default port, as a browser sends it.
    expect(decide("127.0.0.1", "https://127.0.0.1")).toEqual({ kind: "allow" });
    expect(decide("127.0.0.1:80", "https://127.0.0.1")).toMatchObject({ status: 403 });
  });

  test.each([
    ["http://evil.example", "another site"],
    ["null", "an opaque origin (sandboxed iframe, file://)"],
    ["http://127.0.0.1:9090", "another port on the same host"],
    ["http://localhost:8080", "another name for the same host"],
    ["http://127.0.0.1:8080/path", "not an origin"],
    ["ftp://127.0.0.1:8080", "not http(s)"],
    ["*", "a wildcard"],
  ])("%j (%s) is refused with 403", (origin) => {
    const admission = decide("127.0.0.1:8080", origin);
    expect(admission).toMatchObject({ kind: "refuse", status: 403 });
    if (admission.kind === "refuse") expect(admission.reason).toContain("--cors-origin");
  });

  test("an allowlisted origin passes and is reflected in its canonical form", () => {
    const policy: AdmissionPolicy = { ...loopback, corsOrigins: ["https://console.example"] };
    expect(decide("127.0.0.1:8080", "https://console.example", policy)).toEqual({
      kind: "allow",
      corsOrigin: "https://console.example",
    });
    expect(decide("127.0.0.1:8080", "https://Console.Example:443", policy)).toEqual({
      kind: "allow",
      corsOrigin: "https://console.example",
    });
    expect(decide("127.0.0.1:8080", "http://console.example", policy)).toMatchObject({ status: 403 });
  });

  test("an allowlisted origin still needs a served Host (the Host check comes first)", () => {
    const policy: AdmissionPolicy = { ...loopback, corsOrigins: ["https://console.example"] };
    expect(decide("attacker.example", "https://console.example", policy)).toMatchObject({ status: 421 });
  });

  test("normalizeOrigin accepts only scheme://host[:port]", () => {
    expect(normalizeOrigin("https://Console.Example:443/")).toBe("https://console.example");
    expect(normalizeOrigin("http://console.example:8080")).toBe("http://console.example:8080");
    expect(normalizeOrigin("*")).toBeUndefined();
    expect(normalizeOrigin("null")).toBeUndefined();
    expect(normalizeOrigin("https://user@console.example")).toBeUndefined();
    expect(normalizeOrigin("https://console.example/app")).toBeUndefined();
  });
});

// --- properties -------------------------------------------------------------------------------

const port = fc.integer({ min: 1, max: 65535 });
const scheme = fc.constantFrom("http", "https");
/** Names a loopback server is known by, in the form a browser sends them (URL-canonical). */
const loopbackName = fc.oneof(
  fc.constant("localhost"),
  fc.constant("[::1]"),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `127.${a}.${b}.${c}`),
);
/** Any DNS name that is not a loopback name. */
const foreignName = fc.domain().filter((name) => name !== "localhost" && !name.startsWith("localhost."));
const policies = fc.record({
  listenHost: fc.constantFrom("127.0.0.1", "::1", "localhost", "0.0.0.0", "::", "axon.internal"),
  allowedHosts: fc.array(fc.domain(), { maxLength: 3 }),
  corsOrigins: fc.array(
    fc.tuple(scheme, fc.domain(), port).map(([s, d, p]) => normalizeOrigin(`${s}://${d}:${p}`)!),
    { maxLength: 3 },
  ),
});
const anyText = fc.oneof(fc.string(), fc.constant("*"), fc.constant("null"));

describe("properties", () => {
  test("never reflects `*`, and reflects only the request's own origin when it is allowlisted", () => {
    fc.assert(
      fc.property(
        fc.option(fc.oneof(anyText, loopbackName, fc.domain()), { nil: undefined }),
        fc.option(
          fc.oneof(
            anyText,
            fc
              .tuple(scheme, fc.oneof(fc.domain(), loopbackName), port)
              .map(([s, d, p]) => `${s}://${d}:${p}`),
          ),
          {
            nil: undefined,
          },
        ),
        policies,
        (host, origin, policy) => {
          const admission = decideRequestAdmission({ host, origin }, policy);
          if (admission.kind !== "allow" || admission.corsOrigin === undefined) return;
          expect(admission.corsOrigin).not.toBe("*");
          expect(origin).toBeDefined();
          expect(admission.corsOrigin).toBe(normalizeOrigin(origin!));
          expect(policy.corsOrigins).toContain(admission.corsOrigin);
        },
      ),
    );
  });

  test("a cross-origin request whose origin is not allowlisted is never admitted", () => {
    fc.assert(
      fc.property(
        loopbackName,
        port,
        fc.tuple(scheme, fc.oneof(foreignName, loopbackName), port),
        policies,
        (hostName, hostPort, [originScheme, originName, originPort], policy) => {
          const host = `${hostName}:${hostPort}`;
          const origin = `${originScheme}://${originName}:${originPort}`;
          // The scheme is not compared (see the unit case above): same host:port is this server.
          const sameOrigin = originName === hostName && originPort === hostPort;
          fc.pre(!sameOrigin && !policy.corsOrigins.includes(normalizeOrigin(origin)!));
          expect(decideRequestAdmission({ host, origin }, policy)).toMatchObject({
            kind: "refuse",
            status: 403,
          });
        },
      ),
    );
  });

  test("arbitrary Origin text is admitted only same-origin or when allowlisted", () => {
    fc.assert(
      fc.property(loopbackName, port, anyText, policies, (hostName, hostPort, origin, policy) => {
        const admission = decideRequestAdmission({ host: `${hostName}:${hostPort}`, origin }, policy);
        if (admission.kind === "allow") {
          const normal = normalizeOrigin(origin);
          expect(normal).toBeDefined();
          const same = [`http://${hostName}:${hostPort}`, `https://${hostName}:${hostPort}`].map(
            normalizeOrigin,
          );
          expect(same.includes(normal) || policy.corsOrigins.includes(normal!)).toBe(true);
        }
      }),
    );
  });

  test("a same-origin request is always admitted when its Host is served", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          loopbackName.map((name) => ({ name, allowed: [] as string[], listen: "127.0.0.1" })),
          fc.domain().map((name) => ({ name, allowed: [name], listen: "127.0.0.1" })),
          fc.domain().map((name) => ({ name, allowed: [] as string[], listen: name })),
        ),
        scheme,
        fc.option(port, { nil: undefined }),
        ({ name, allowed, listen }, s, p) => {
          // What a browser sends for a page at this URL: Host = url.host, Origin = url.origin.
          const url = new URL(`${s}://${name}${p === undefined ? "" : `:${p}`}/`);
          const policy: AdmissionPolicy = { listenHost: listen, allowedHosts: allowed, corsOrigins: [] };
          expect(decideRequestAdmission({ host: url.host, origin: url.origin }, policy)).toEqual({
            kind: "allow",
          });
        },
      ),
    );
  });

  test("a Host outside the served set is refused with 421, whatever the Origin (DNS rebinding)", () => {
    fc.assert(
      fc.property(
        foreignName,
        fc.option(port, { nil: undefined }),
        fc.constantFrom("127.0.0.1", "::1", "localhost", "0.0.0.0", "::", "axon.internal"),
        fc.array(fc.domain(), { maxLength: 3 }),
        fc.option(fc.oneof(anyText, fc.constant("same")), { nil: undefined }),
        (name, p, listenHost, allowedHosts, originChoice) => {
          fc.pre(name !== listenHost && !allowedHosts.includes(name));
          const host = p === undefined ? name : `${name}:${p}`;
          const origin = originChoice === "same" ? `http://${host}` : originChoice;
          const policy: AdmissionPolicy = { listenHost, allowedHosts, corsOrigins: [`http://${name}`] };
          expect(decideRequestAdmission({ host, origin }, policy)).toMatchObject({
            kind: "refuse",
            status: 421,
          });
        },
      ),
    );
  });
});
