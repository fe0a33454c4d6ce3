// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} references in env values are what these tests are about.
import { describe, expect, it } from "vitest";
import {
  AGENT_HOST_ENV,
  agentEnv,
  configuredHome,
  DEFAULT_PATH,
  envNameError,
  expandBindingReferences,
} from "./agent-env.js";

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

  it("expands ${PREFIX} and ${PREFIX_URL} of bindings in env values; the network env wins over the runtime's", () => {
    const env = agentEnv({
      ...base,
      hostEnv: {},
      runtimeEnv: {
        ANTHROPIC_BASE_URL: "${GWS_ANTHROPIC_URL}",
        HTTPS_PROXY: "http://corporate:3128",
        SHELL_TEMPLATE: "${HOME}/x and ${GWS_UNKNOWN}",
      },
      mountEnv: { ANTHROPIC_API_KEY: "${GWS_ANTHROPIC}", BOTH: "${GWS_ANTHROPIC_URL}?k=${GWS_ANTHROPIC}" },
      networkEnv: {
        HTTPS_PROXY: "http://rt:pw@127.0.0.1:3128",
        GWS_ANTHROPIC: "gws_t",
        GWS_ANTHROPIC_URL: "http://gw/b/1",
      },
      bindingVariables: { GWS_ANTHROPIC: "gws_t", GWS_ANTHROPIC_URL: "http://gw/b/1" },
    });
    expect(env).toMatchObject({
      ANTHROPIC_BASE_URL: "http://gw/b/1",
      ANTHROPIC_API_KEY: "gws_t",
      BOTH: "http://gw/b/1?k=gws_t",
      HTTPS_PROXY: "http://rt:pw@127.0.0.1:3128",
      SHELL_TEMPLATE: "${HOME}/x and ${GWS_UNKNOWN}",
    });
    expect(expandBindingReferences("$GWS_A ${GWS_A} ${ GWS_A }", { GWS_A: "t" })).toBe("$GWS_A t ${ GWS_A }");
  });

  it("in a sandbox, replaces the inherited HOME and drops TMPDIR, but keeps a configured HOME", () => {
    const hostEnv = { HOME: "/home/axond", TMPDIR: "/var/tmp/axond" };
    const sandboxed = agentEnv({ ...base, hostEnv, sandboxHome: "/data/runtimes/rt_1.home" });
    expect(sandboxed.HOME).toBe("/data/runtimes/rt_1.home");
    expect(sandboxed.TMPDIR).toBeUndefined();
    const configured = agentEnv({ ...base, hostEnv, runtimeEnv: { HOME: "/h" }, sandboxHome: "/h" });
    expect(configured.HOME).toBe("/h");
    expect(configuredHome({ HOME: "/rt" }, {})).toBe("/rt");
    expect(configuredHome({ HOME: "/rt" }, { HOME: "/mount" })).toBe("/mount");
    expect(configuredHome({}, {})).toBeUndefined();
  });
});
