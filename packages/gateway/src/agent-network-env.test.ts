import { describe, expect, it } from "vitest";
import { agentNetworkEnv, bindingPrefixError, withoutServerSecrets } from "./agent-network-env.js";

describe("agentNetworkEnv", () => {
  it("points every proxy variable at the runtime's proxy and exempts loopback", () => {
    const env = agentNetworkEnv({
      proxyUrl: "http://rt_1:pw@127.0.0.1:3128",
      bindings: [{ prefix: "GWS_ANTHROPIC", url: "http://127.0.0.1:3129/b/gwb_1", token: "gws_abc" }],
    });
    for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"]) {
      expect(env[name]).toBe("http://rt_1:pw@127.0.0.1:3128");
    }
    expect(env.NO_PROXY).toBe("127.0.0.1,localhost,::1");
    expect(env.GWS_ANTHROPIC_URL).toBe("http://127.0.0.1:3129/b/gwb_1");
    expect(env.GWS_ANTHROPIC).toBe("gws_abc");
  });

  it("refuses prefixes that would overwrite the agent's plumbing", () => {
    for (const prefix of ["PATH", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "OPENAXON_X", "lower", "1ABC"]) {
      expect(bindingPrefixError(prefix), prefix).toBeDefined();
    }
    expect(bindingPrefixError("GWS_GITHUB")).toBeUndefined();
  });
});

describe("withoutServerSecrets", () => {
  it("drops the secret-store key and stale proxy settings", () => {
    expect(
      withoutServerSecrets({
        PATH: "/bin",
        OPENAXON_SECRET_KEY: "k",
        https_proxy: "x",
        HOME: "/h",
        UNSET: undefined,
      }),
    ).toEqual({ PATH: "/bin", HOME: "/h" });
  });
});
