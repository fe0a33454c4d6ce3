import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import {
  collectCidrRule,
  collectGatewayBinding,
  collectKeyValue,
  collectLabel,
  parseAuth,
  parseNonNegativeInt,
  validatePayload,
} from "./parse.js";

describe("parseNonNegativeInt", () => {
  it("accepts plain non-negative integers only", () => {
    const parse = parseNonNegativeInt("--after");
    expect(parse("0")).toBe(0);
    expect(parse("120000")).toBe(120_000);
    for (const bad of ["-1", "1.5", "1e3", "abc", "", "99999999999999999999"]) {
      expect(() => parse(bad)).toThrow(InvalidArgumentError);
    }
  });
});

describe("collectLabel", () => {
  it("collects key=value pairs, allowing = in values", () => {
    expect(collectLabel("b=c=d", collectLabel("a=1"))).toEqual({ a: "1", b: "c=d" });
    expect(() => collectLabel("novalue")).toThrow(InvalidArgumentError);
    expect(() => collectLabel("=v")).toThrow(InvalidArgumentError);
  });
});

describe("validatePayload", () => {
  it("passes JSON through unchanged", () => {
    expect(validatePayload('{ "a": 1 }')).toBe('{ "a": 1 }');
    expect(validatePayload('"text"')).toBe('"text"');
  });

  it("explains invalid JSON as a usage error", () => {
    expect(() => validatePayload("{text: hi}")).toThrow(UsageError);
    expect(() => validatePayload("hi")).toThrow(/invalid JSON payload/);
  });
});

describe("collectKeyValue", () => {
  it("collects KEY=VALUE pairs and names the flag in errors", () => {
    const parse = collectKeyValue("--env");
    expect(parse("B=x=y", parse("A=1"))).toEqual({ A: "1", B: "x=y" });
    expect(() => parse("A")).toThrow(/--env takes KEY=VALUE/);
  });
});

describe("collectGatewayBinding", () => {
  it("splits PREFIX=GATEWAY:SECRET", () => {
    expect(collectGatewayBinding("GWS_A=anthropic:sec_1", collectGatewayBinding("GWS_B=gwc_2:key"))).toEqual({
      GWS_B: { gateway: "gwc_2", secret: "key" },
      GWS_A: { gateway: "anthropic", secret: "sec_1" },
    });
    for (const bad of ["GWS_A=anthropic", "=a:b", "GWS_A", "GWS_A=:b"]) {
      expect(() => collectGatewayBinding(bad)).toThrow(/PREFIX=GATEWAY:SECRET/);
    }
    expect(() => collectGatewayBinding("P=a:b", { P: { gateway: "x", secret: "y" } })).toThrow(/twice/);
  });
});

describe("collectCidrRule", () => {
  it("reads CIDRs with optional ports, IPv6 included", () => {
    expect(collectCidrRule("10.0.0.0/8")).toEqual([{ cidr: "10.0.0.0/8", ports: [] }]);
    expect(collectCidrRule("10.0.0.0/8:443,8000-8080")).toEqual([
      {
        cidr: "10.0.0.0/8",
        ports: [
          { start: 443, end: 443 },
          { start: 8000, end: 8080 },
        ],
      },
    ]);
    expect(collectCidrRule("fd00::/8:443")).toEqual([
      { cidr: "fd00::/8", ports: [{ start: 443, end: 443 }] },
    ]);
    expect(collectCidrRule("fd00::1")).toEqual([{ cidr: "fd00::1", ports: [] }]);
    expect(collectCidrRule("[::1]:8080")).toEqual([{ cidr: "::1", ports: [{ start: 8080, end: 8080 }] }]);
    expect(collectCidrRule("127.0.0.1:80")).toEqual([{ cidr: "127.0.0.1", ports: [{ start: 80, end: 80 }] }]);
    for (const bad of ["10.0.0.0/8:0", "10.0.0.0/8:70000", "10.0.0.0/8:90-80"]) {
      expect(() => collectCidrRule(bad)).toThrow(/ports must be N or N-M/);
    }
  });
});

describe("parseAuth", () => {
  it("accepts the three mechanisms", () => {
    expect(parseAuth("header:x-api-key")).toEqual({ type: "header", key: "x-api-key" });
    expect(parseAuth("bearer")).toEqual({ type: "bearer", key: "" });
    expect(parseAuth("basic:bot")).toEqual({ type: "basic", key: "bot" });
    for (const bad of ["header", "basic:", "bearer:x", "token"])
      expect(() => parseAuth(bad)).toThrow(/--auth takes/);
  });
});
