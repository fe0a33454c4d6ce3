import { describe, expect, it } from "vitest";
import { EMPTY_RUNTIME_FORM, parseGatewayBindings, runtimeInputFromForm } from "./runtime-form.js";

describe("runtimeInputFromForm", () => {
  const filled = { ...EMPTY_RUNTIME_FORM, axonId: " axn_1 ", agentBinary: "rev" };

  it("sends only what was typed: empty fields are the server's defaults", () => {
    expect(runtimeInputFromForm(filled)).toEqual({
      mounts: [
        {
          axonId: "axn_1",
          protocol: "stdio",
          agentBinary: "rev",
          launchArgs: [],
          permissionPolicy: "auto_allow",
        },
      ],
      env: {},
    });
  });

  it("maps every field: args, env, cwd, lifecycle, network policy and gateway bindings", () => {
    const input = runtimeInputFromForm({
      ...filled,
      name: "builder",
      args: " --jsonl  agent.mjs ",
      env: "A=1, B=x=y",
      cwd: "/work",
      permissionPolicy: "ask",
      idleSeconds: "90",
      onIdle: "shutdown",
      resumeOnEvent: false,
      networkPolicy: "npm-only",
      gateways: "GWS_ANTHROPIC=anthropic:anthropic-key, GWS_X = gwc_1 : sec_2",
    });
    expect(input).toEqual({
      name: "builder",
      mounts: [
        {
          axonId: "axn_1",
          protocol: "stdio",
          agentBinary: "rev",
          launchArgs: ["--jsonl", "agent.mjs"],
          permissionPolicy: "ask",
        },
      ],
      env: { A: "1", B: "x=y" },
      workingDirectory: "/work",
      networkPolicy: "npm-only",
      gateways: {
        GWS_ANTHROPIC: { gateway: "anthropic", secret: "anthropic-key" },
        GWS_X: { gateway: "gwc_1", secret: "sec_2" },
      },
      lifecycle: { idleTimeSeconds: 90, onIdle: "shutdown", resumeOnEvent: false },
    });
  });

  it("says what to fix instead of sending a request the server would refuse", () => {
    expect(runtimeInputFromForm(EMPTY_RUNTIME_FORM)).toEqual({ error: "an axon id is required" });
    expect(runtimeInputFromForm({ ...filled, idleSeconds: "1.5" })).toEqual({
      error: 'idle seconds must be a whole number, not "1.5"',
    });
    expect(parseGatewayBindings("GWS_A=anthropic")).toEqual({
      error: 'gateway binding "GWS_A=anthropic" should read PREFIX=gateway:secret',
    });
    expect(parseGatewayBindings(" , ")).toEqual({ bindings: {} });
  });
});
