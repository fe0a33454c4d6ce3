import { AuthMechanismType } from "@openaxon/protocol";
import { describe, expect, it } from "vitest";
import { type CreateGatewayConfigInput, normalizeGatewayConfigInput } from "./gateway-config-input.js";

const base: CreateGatewayConfigInput = {
  name: "anthropic",
  endpoint: "https://api.anthropic.com/",
  authMechanism: { type: AuthMechanismType.HEADER, key: "x-api-key" },
  customHeaders: { "anthropic-version": "2023-06-01" },
};
const problemsOf = (input: Partial<CreateGatewayConfigInput>) => {
  const result = normalizeGatewayConfigInput({ ...base, ...input });
  return "problems" in result ? result.problems : [];
};

describe("normalizeGatewayConfigInput", () => {
  it("accepts a config and drops the endpoint's trailing slash (the agent's path is appended)", () => {
    expect(normalizeGatewayConfigInput(base)).toEqual({
      name: "anthropic",
      description: "",
      endpoint: "https://api.anthropic.com",
      authMechanism: { type: AuthMechanismType.HEADER, key: "x-api-key" },
      customHeaders: { "anthropic-version": "2023-06-01" },
    });
    const withPath = normalizeGatewayConfigInput({ ...base, endpoint: "http://127.0.0.1:8080/v1/" });
    expect("endpoint" in withPath && withPath.endpoint).toBe("http://127.0.0.1:8080/v1");
  });

  it("requires an absolute http(s) endpoint without credentials, query or fragment", () => {
    expect(problemsOf({ endpoint: "" })[0]).toMatch(/endpoint is required/);
    expect(problemsOf({ endpoint: "api.anthropic.com" })[0]).toMatch(/not an absolute URL/);
    expect(problemsOf({ endpoint: "/v1" })[0]).toMatch(/not an absolute URL/);
    expect(problemsOf({ endpoint: "ftp://files.example" })[0]).toMatch(/must be an http/);
    expect(problemsOf({ endpoint: "https://user:hunter2hunter2@api.example" })).toEqual([
      "endpoint must not carry a user name or password; put credentials in a secret",
    ]);
    expect(problemsOf({ endpoint: "https://api.example/?key=1" })[0]).toMatch(/query or a fragment/);
  });

  it("checks the auth mechanism per type", () => {
    const auth = (type: AuthMechanismType, key: string) => problemsOf({ authMechanism: { type, key } });
    expect(problemsOf({ authMechanism: undefined })).toEqual([
      "auth_mechanism.type is required: HEADER, BEARER or BASIC",
    ]);
    expect(auth(AuthMechanismType.HEADER, "")[0]).toMatch(/required for HEADER/);
    expect(auth(AuthMechanismType.HEADER, "x api key")[0]).toMatch(/not a valid HTTP header name/);
    expect(auth(AuthMechanismType.HEADER, "Proxy-Authorization")[0]).toMatch(/hop-by-hop/);
    expect(auth(AuthMechanismType.HEADER, "Host")[0]).toMatch(/set by the gateway/);
    expect(auth(AuthMechanismType.BEARER, "")).toEqual([]);
    expect(auth(AuthMechanismType.BEARER, "x-api-key")[0]).toMatch(/unused for BEARER/);
    expect(auth(AuthMechanismType.BASIC, "")[0]).toMatch(/user name/);
    expect(auth(AuthMechanismType.BASIC, "a:b")[0]).toMatch(/colon/);
    expect(auth(AuthMechanismType.BASIC, "api")).toEqual([]);
  });

  it("refuses custom headers that could smuggle, clash with the credential or break framing", () => {
    const headers = (customHeaders: Record<string, string>) => problemsOf({ customHeaders });
    expect(headers({ "x-ok": "a\r\nX-Injected: 1" })[0]).toMatch(/line break or control character/);
    expect(headers({ Connection: "close" })[0]).toMatch(/hop-by-hop/);
    expect(headers({ "Transfer-Encoding": "chunked" })[0]).toMatch(/hop-by-hop/);
    expect(headers({ "Content-Length": "1" })[0]).toMatch(/set by the gateway/);
    expect(headers({ "X-OpenAxon-Runtime": "rt" })[0]).toMatch(/reserved for OpenAxon/);
    expect(headers({ "X-API-Key": "other" })[0]).toMatch(/where the secret is injected/);
    expect(headers({ "Accept-Encoding": "gzip" })[0]).toMatch(/set by the gateway/);
    expect(headers({ "x-a": "1", "X-A": "2" })[0]).toMatch(/given twice/);
    expect(
      problemsOf({
        authMechanism: { type: AuthMechanismType.BEARER, key: "" },
        customHeaders: { authorization: "x" },
      })[0],
    ).toMatch(/where the secret is injected/);
  });

  it("lists every problem of a request at once", () => {
    const result = normalizeGatewayConfigInput({
      name: "",
      endpoint: "nope",
      authMechanism: { type: AuthMechanismType.HEADER, key: "" },
      customHeaders: { "bad name": "v" },
    });
    expect("problems" in result && result.problems).toHaveLength(4);
  });
});
