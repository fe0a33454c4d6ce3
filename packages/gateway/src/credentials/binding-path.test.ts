import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseBindingTarget, upstreamPath } from "./binding-path.js";

describe("parseBindingTarget", () => {
  it("splits the binding id, path and query", () => {
    expect(parseBindingTarget("/b/gwb_1/v1/messages?x=1")).toEqual({
      bindingId: "gwb_1",
      path: "/v1/messages",
      query: "?x=1",
    });
    expect(parseBindingTarget("/b/gwb_1")).toEqual({ bindingId: "gwb_1", path: "", query: "" });
    expect(parseBindingTarget("/x/gwb_1")).toBeUndefined();
    expect(parseBindingTarget("/b/gwb-1/")).toBeUndefined();
  });
});

describe("upstreamPath", () => {
  it.each([
    ["/api", "", "/api"],
    ["/api/", "/v1/messages", "/api/v1/messages"],
    ["/", "/v1", "/v1"],
    ["/", "", "/"],
    ["/api", "/v1/../v2", "/api/v2"],
    ["/api", "/v1/./x/", "/api/v1/x/"],
    ["/api", "/v1/..", "/api/"],
    ["/api", "/v1/%2e%2E/v2", "/api/v2"],
    ["/api", "/a//b", "/api/a//b"],
  ])("base %s + %s → %s", (base, path, expected) => {
    expect(upstreamPath(base, path)).toEqual({ path: expected });
  });

  it.each([
    "/..",
    "/../../../escape",
    "/v1/../../escape",
    "/%2e%2e/escape",
    "/.%2e/escape",
    "/%2E./escape",
    "/a/./../../escape",
  ])("%s leaves the base path → 403", (path) => {
    expect(upstreamPath("/api", path)).toMatchObject({ status: 403, rule: "deny:path-escape" });
  });

  it.each(["/..%2fescape", "/%2F..%2F..", "/a%5c..%5c..", "/a\\..\\..", "/a#frag", "/a%00"])(
    "%s is ambiguous → 400",
    (path) => {
      expect(upstreamPath("/api", path)).toMatchObject({ status: 400, rule: "deny:invalid-path" });
    },
  );

  it("whatever the agent sends, what goes upstream stays under the base path and has no dot segments", () => {
    const segment = fc.oneof(
      fc.constantFrom(".", "..", "%2e", "%2e%2e", ".%2E", "%2E.", "", "v1", "a b", "..."),
      fc.stringMatching(/^[A-Za-z0-9._~%-]{0,6}$/),
    );
    fc.assert(
      fc.property(
        fc.constantFrom("/", "/api", "/api/", "/a/b"),
        fc.array(segment, { maxLength: 8 }),
        (base, segments) => {
          const result = upstreamPath(base, segments.map((s) => `/${s}`).join(""));
          if ("error" in result) return;
          const root = base.replace(/\/$/, "");
          expect(result.path === (root || "/") || result.path.startsWith(`${root}/`)).toBe(true);
          const rest = result.path.slice(root.length).split("/");
          for (const part of rest) expect(part).not.toMatch(/^(?:\.|%2e){1,2}$/i);
        },
      ),
      { seed: 8_09 },
    );
  });
});
