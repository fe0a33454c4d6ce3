import { describe, expect, it } from "vitest";
import { runtimeInputFrom } from "./runtime-create.js";

const base = {
  axon: "axn_1",
  protocol: "stdio" as const,
  agent: "cat",
  permission: "auto" as const,
  wake: true,
};

describe("runtimeInputFrom", () => {
  it("maps the flags onto one mount and the runtime", () => {
    expect(
      runtimeInputFrom(["--jsonl", "-x"], {
        ...base,
        permission: "ask",
        idleShutdown: 30,
        wake: false,
        cwd: "rel/dir",
        env: { A: "1" },
        name: "n",
        networkPolicy: "gh",
        gateway: { GWS_A: { gateway: "anthropic", secret: "key" } },
        sandbox: "required",
      }),
    ).toEqual({
      name: "n",
      mounts: [
        {
          axonId: "axn_1",
          protocol: "stdio",
          agentBinary: "cat",
          launchArgs: ["--jsonl", "-x"],
          permissionPolicy: "ask",
        },
      ],
      lifecycle: { idleShutdownSeconds: 30, resumeOnEvent: false },
      env: { A: "1" },
      workingDirectory: `${process.cwd()}/rel/dir`,
      networkPolicy: "gh",
      gateways: { GWS_A: { gateway: "anthropic", secret: "key" } },
      sandbox: "required",
    });
  });

  it("never idles out unless asked, and leaves the rest to the server", () => {
    const input = runtimeInputFrom([], base);
    expect(input.lifecycle).toEqual({ idleSuspendSeconds: 0, resumeOnEvent: true });
    expect(input.mounts[0]?.permissionPolicy).toBe("auto_allow");
    expect(input).not.toHaveProperty("workingDirectory");
    expect(input).not.toHaveProperty("sandbox");
  });
});
