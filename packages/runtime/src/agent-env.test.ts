import { describe, expect, it } from "vitest";
import { AGENT_HOST_ENV, agentEnv, DEFAULT_PATH, envNameError } from "./agent-env.js";

const base = {
  runtimeEnv: {},
  mountEnv: {},
  runtimeId: "rt_1",
  axonId: "axn_1",
  agentHost: "host_1",
  workingDirectory: "/work/rt_1",
};

describe("agentEnv", () => {
  it("passes only the allowlist of the server's environment, never its secrets", () => {
    const env = agentEnv({
      ...base,
      hostEnv: {
        PATH: "/opt/bin:/usr/bin",
        HOME: "/home/axond",
        LANG: "C.UTF-8",
        OPENAXON_API_KEYS: "k1,k2",
        OPENAXON_SECRET_KEY: "secret",
        ANTHROPIC_API_KEY: "sk-real",
        AWS_SECRET_ACCESS_KEY: "aws",
      },
    });
    expect(env).toEqual({
      PATH: "/opt/bin:/usr/bin",
      HOME: "/home/axond",
      LANG: "C.UTF-8",
      OPENAXON_RUNTIME_ID: "rt_1",
      OPENAXON_AXON_ID: "axn_1",
      OPENAXON_AGENT_HOST: "host_1",
    });
  });

  it("defaults PATH and HOME, and lets the runtime and then the mount override", () => {
    const env = agentEnv({
      ...base,
      hostEnv: {},
      runtimeEnv: { HOME: "/rt-home", MODEL: "small", TEAM: "a" },
      mountEnv: { MODEL: "large" },
    });
    expect(env.PATH).toBe(DEFAULT_PATH);
    expect(env.HOME).toBe("/rt-home");
    expect(env.MODEL).toBe("large");
    expect(env.TEAM).toBe("a");
    expect(agentEnv({ ...base, hostEnv: {} }).HOME).toBe("/work/rt_1");
  });

  it("keeps the runtime's markers even if the configuration tries to set them", () => {
    const env = agentEnv({ ...base, hostEnv: {}, mountEnv: { [AGENT_HOST_ENV]: "other" } });
    expect(env[AGENT_HOST_ENV]).toBe("host_1");
    expect(envNameError(AGENT_HOST_ENV)).toMatch(/set by the runtime/);
    expect(envNameError("A=B")).toMatch(/contains = or NUL/);
    expect(envNameError("")).toMatch(/empty/);
    expect(envNameError("ANTHROPIC_API_KEY")).toBeUndefined();
  });
});
